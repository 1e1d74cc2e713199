package io.chainrule.parallel;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.Module;
import io.chainrule.optim.Optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One synchronous data-parallel step on the driver: ship the model's state, let the engine compute every
 * micro-batch, add their gradients in shard order, divide by the global batch size, and run one optimizer step.
 *
 * <p>Batch-norm running statistics (and any other float buffer) become the average of the micro-batches' values,
 * added in shard order and divided by the number of non-empty micro-batches; integer buffers
 * ({@code num_batches_tracked}) are taken from shard 0. Optimizers that re-evaluate the loss (L-BFGS, conjugate
 * gradient) get a closure that runs the same micro-batches again at the new parameters; the buffers come from the
 * first evaluation. Newton's method needs the loss's graph on the driver and cannot run sharded.
 */
public final class DataParallelStep {
    /** A step's outcome: the global batch size, the mean loss and the correctly classified examples before the update. */
    public record Outcome(int examples, double loss, long correct) {}

    private DataParallelStep() {}

    /**
     * Runs step {@code step} of epoch {@code epoch}.
     *
     * @throws IllegalArgumentException when the engine's results do not fit the model
     */
    public static Outcome run(Module model, Optimizer optimizer, StepEngine engine, int epoch, int step) {
        if (optimizer instanceof io.chainrule.optim.Newton) {
            throw new IllegalArgumentException("DataParallelStep: Newton's method differentiates the loss twice on one "
                    + "process and cannot run sharded; use another optimizer");
        }
        List<Tensor> params = model.parameters();
        Outcome[] first = new Outcome[1];
        List<List<ShardResult>> firstResults = new ArrayList<>(1);
        Supplier<Tensor> closure = () -> {
            List<ShardResult> results = engine.compute(epoch, step, ModelState.of(model));
            check(results, engine.plan().shards());
            Sum sum = sum(results, params.size());
            optimizer.zeroGrad();
            for (int i = 0; i < params.size(); i++) {
                TensorData g = sum.gradients.get(i);
                g.divideInPlace(sum.examples);
                params.get(i).backward(g.toTensor()); // a leaf: its grad() becomes exactly these values
            }
            double meanLoss = sum.lossSum / sum.examples;
            if (first[0] == null) {
                first[0] = new Outcome(sum.examples, meanLoss, sum.correct);
                firstResults.add(results);
            }
            return Tensor.scalar(meanLoss);
        };
        optimizer.step(closure);
        if (first[0] == null) throw new IllegalStateException("DataParallelStep: the optimizer never evaluated the loss");
        applyBuffers(model, firstResults.get(0));
        return first[0];
    }

    private record Sum(int examples, double lossSum, long correct, List<TensorData> gradients) {}

    private static void check(List<ShardResult> results, int shards) {
        if (results.size() != shards) {
            throw new IllegalStateException("DataParallelStep: " + results.size() + " results for " + shards + " shards");
        }
        for (int s = 0; s < shards; s++) {
            if (results.get(s).shard() != s) {
                throw new IllegalStateException("DataParallelStep: result " + s + " is for shard " + results.get(s).shard());
            }
        }
    }

    /** Adds the micro-batches in shard order (the fixed order is what makes the sum the same bits everywhere). */
    private static Sum sum(List<ShardResult> results, int parameters) {
        List<TensorData> acc = null;
        int examples = 0;
        double lossSum = 0;
        long correct = 0;
        for (ShardResult r : results) {
            if (r.count() == 0) continue;
            if (r.gradients().size() != parameters) {
                throw new IllegalArgumentException("DataParallelStep: shard " + r.shard() + " sent " + r.gradients().size()
                        + " gradients for a model of " + parameters + " parameters");
            }
            examples += r.count();
            lossSum += r.lossSum();
            correct += r.correct();
            if (acc == null) {
                acc = new ArrayList<>();
                for (TensorData g : r.gradients()) acc.add(g.copy());
            } else {
                for (int i = 0; i < parameters; i++) acc.get(i).addInPlace(r.gradients().get(i));
            }
        }
        if (acc == null) throw new IllegalStateException("DataParallelStep: every micro-batch of the step is empty");
        return new Sum(examples, lossSum, correct, acc);
    }

    private static void applyBuffers(Module model, List<ShardResult> results) {
        List<Tensor> buffers = model.buffers();
        if (buffers.isEmpty()) return;
        List<TensorData> mean = new ArrayList<>();
        int nonEmpty = 0;
        for (ShardResult r : results) {
            if (r.count() == 0) continue;
            if (nonEmpty == 0) {
                for (TensorData b : r.buffers()) mean.add(b.copy()); // integer buffers stay shard 0's
            } else {
                for (int i = 0; i < mean.size(); i++) {
                    if (mean.get(i).dtype() != io.chainrule.DType.INT64) mean.get(i).addInPlace(r.buffers().get(i));
                }
            }
            nonEmpty++;
        }
        for (TensorData b : mean) b.divideInPlace(nonEmpty);
        try (var g = Autograd.noGrad()) {
            ModelState.copy(mean, buffers, "buffer");
        }
    }
}
