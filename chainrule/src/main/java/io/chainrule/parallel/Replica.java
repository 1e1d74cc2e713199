package io.chainrule.parallel;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.nn.Module;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A worker's copy of the model: computes one micro-batch's summed loss and gradient from the driver's state.
 * Everything random in the forward pass (dropout) draws from a generator seeded by (seed, epoch, step, shard), so
 * the result depends on nothing but its inputs — not on the process, the thread or an earlier attempt. Not
 * thread-safe: one replica per thread.
 */
public final class Replica {
    private final Module model;
    private final BiFunction<Tensor, Tensor, Tensor> loss;
    /** Each shard's order in the epoch being trained, drawn once per epoch rather than once per step. */
    private final Map<Integer, int[]> permutations = new HashMap<>();
    private ShardPlan permutationsPlan;
    private int permutationsEpoch = -1;

    /**
     * @param factory  builds the model (its initial values are overwritten by each step's state)
     * @param loss     (output, target) → the loss summed over the micro-batch, one element
     * @param initSeed seeds whatever the factory draws, so building a replica disturbs no other random stream
     */
    public Replica(Supplier<Module> factory, BiFunction<Tensor, Tensor, Tensor> loss, long initSeed) {
        try (var g = new Generator(initSeed).asThreadDefault()) {
            this.model = factory.get();
        }
        if (model == null) throw new IllegalArgumentException("Replica: the model factory returned null");
        this.loss = loss;
    }

    /** Micro-batch (epoch, step, data.shard()) of {@code plan}, with the model set to {@code state}. */
    public ShardResult compute(ShardPlan plan, ModelState state, ShardData data, int epoch, int step, int[] inputShape) {
        int shard = data.shard();
        int[] positions = plan.microBatch(permutation(plan, epoch, shard), step, shard);
        if (positions.length == 0) return ShardResult.empty(shard);
        state.copyInto(model);
        model.train();
        model.zeroGrad();
        Tensor x = data.features(positions, inputShape);
        Tensor y = data.labels(positions);
        double lossSum;
        long correct = 0;
        try (var g = new Generator(plan.randomSeed(epoch, step, shard)).asThreadDefault()) {
            Tensor out = model.forward(x);
            Tensor l = loss.apply(out, y);
            if (l == null || l.numel() != 1) {
                throw new IllegalArgumentException("Replica: the loss function must return one value (the loss summed over the "
                        + "micro-batch), got " + (l == null ? "null" : "shape " + Arrays.toString(l.shape())));
            }
            l.backward();
            lossSum = l.item();
            if (y.dtype() == DType.INT64 && out.dim() == 2 && out.shape()[0] == positions.length) {
                long[] pred = out.detach().argmax(1, false).toLongArray();
                long[] truth = y.toLongArray();
                for (int i = 0; i < pred.length; i++) if (pred[i] == truth[i]) correct++;
            }
        }
        List<TensorData> grads = new ArrayList<>();
        for (Tensor p : model.parameters()) grads.add(p.grad() == null ? TensorData.zerosLike(p) : TensorData.of(p.grad()));
        List<TensorData> buffers = new ArrayList<>();
        for (Tensor b : model.buffers()) buffers.add(TensorData.of(b));
        model.zeroGrad();
        return new ShardResult(shard, positions.length, lossSum, correct, grads, buffers);
    }

    private int[] permutation(ShardPlan plan, int epoch, int shard) {
        if (epoch != permutationsEpoch || !plan.equals(permutationsPlan)) {
            permutations.clear();
            permutationsPlan = plan;
            permutationsEpoch = epoch;
        }
        return permutations.computeIfAbsent(shard, s -> plan.permutation(epoch, s));
    }

    /** The replica's model (for the input-shape rule). */
    public Module model() {
        return model;
    }
}
