package io.chainrule.parallel;

import java.util.List;

/**
 * Computes the micro-batches of one step: given the model's state, returns one {@link ShardResult} per shard, in
 * shard order. {@link LocalStepEngine} runs them one after another in this process; chainrule-spark's engine runs
 * them as Spark tasks. Both run {@link Replica#compute} on the same inputs, so they return the same bits.
 */
public interface StepEngine extends AutoCloseable {
    /** The plan that fixes each micro-batch. */
    ShardPlan plan();

    /** The results of micro-batches (epoch, step, 0..shards-1), in shard order. */
    List<ShardResult> compute(int epoch, int step, ModelState state);

    /** One line on what the engine did (where it ran, what it shipped); empty when there is nothing to say. */
    default String report() {
        return "";
    }

    /** Frees what the engine holds (cached data, a Spark session it started). */
    @Override
    default void close() {}
}
