package io.chainrule.spark;

import io.chainrule.parallel.ShardPlan;

import java.io.Serializable;

/**
 * What an executor needs to compute any micro-batch of a run, shipped with each step's tasks (small: the
 * factories, not the model).
 *
 * @param runId      tells one run's cached replicas from another's in an executor
 * @param inputShape the shape of one example as the model takes it
 */
record WorkerSpec(String runId, ShardPlan plan, ModelFactory model, LossFunction loss, int[] inputShape)
        implements Serializable {
    private static final long serialVersionUID = 1L;
}
