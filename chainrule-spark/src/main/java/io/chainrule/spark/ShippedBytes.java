package io.chainrule.spark;

/**
 * What the steps of a run shipped so far: the model state broadcast to each executor that ran a step's tasks,
 * and the micro-batch results sent back (payload bytes: the values of parameters, gradients and buffers).
 *
 * @param steps       steps (job runs, counting re-evaluations by L-BFGS-like optimizers)
 * @param toExecutors state bytes × executors, summed over steps
 * @param toDriver    result bytes, summed over steps
 * @param taskResults bytes of serialized task results as Spark measured them (its task metrics)
 */
public record ShippedBytes(long steps, long toExecutors, long toDriver, long taskResults) {
    /** Per step, both ways. */
    public double perStep() {
        return steps == 0 ? 0 : (double) (toExecutors + toDriver) / steps;
    }
}
