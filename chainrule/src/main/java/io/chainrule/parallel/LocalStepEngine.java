package io.chainrule.parallel;

import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.Module;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The reference engine: every micro-batch of a step computed one after another in this process, by one
 * {@link Replica}. A cluster engine must return the same bits.
 */
public final class LocalStepEngine implements StepEngine {
    private final ShardPlan plan;
    private final List<ShardData> shards;
    private final Replica replica;
    private final int[] inputShape;

    /**
     * @param data       examples (x [N, ...], labels [N]); x's shape after dimension 0 is the model's input shape
     * @param factory    builds the replica's model
     * @param loss       (output, target) → the loss summed over a micro-batch
     */
    public LocalStepEngine(ShardPlan plan, TensorDataset data, Supplier<Module> factory,
                           BiFunction<Tensor, Tensor, Tensor> loss) {
        this.plan = plan;
        this.shards = ShardData.split(data, plan);
        int[] xs = data.x().shape();
        this.inputShape = java.util.Arrays.copyOfRange(xs, 1, xs.length);
        this.replica = new Replica(factory, loss, plan.initSeed());
    }

    @Override
    public ShardPlan plan() {
        return plan;
    }

    @Override
    public List<ShardResult> compute(int epoch, int step, ModelState state) {
        List<ShardResult> out = new ArrayList<>(shards.size());
        for (ShardData d : shards) out.add(replica.compute(plan, state, d, epoch, step, inputShape));
        return out;
    }
}
