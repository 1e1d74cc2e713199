package io.chainrule.spark;

import io.chainrule.parallel.ModelState;
import io.chainrule.parallel.ShardData;
import io.chainrule.parallel.ShardPlan;
import io.chainrule.parallel.ShardResult;
import io.chainrule.parallel.StepEngine;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs each step's micro-batches as one Spark job over the cached shards: the model state goes out as a broadcast
 * (once per step, fetched once by each executor), each shard's task computes its micro-batch where its examples
 * are cached, and the results come back in partition (= shard) order. A failed task is simply run again: its result
 * depends only on the broadcast state and the plan.
 */
public final class SparkStepEngine implements StepEngine {
    private final JavaSparkContext jsc;
    private final JavaRDD<ShardData> shards;
    private final WorkerSpec spec;
    private final String jobGroup;
    private final Set<Integer> stepStages = ConcurrentHashMap.newKeySet();
    private final AtomicLong taskResultBytes = new AtomicLong();
    private final SparkListener meter;
    private long steps, toExecutors, toDriver;

    SparkStepEngine(JavaSparkContext jsc, JavaRDD<ShardData> shards, WorkerSpec spec) {
        this.jsc = jsc;
        this.shards = shards;
        this.spec = spec;
        this.jobGroup = "chainrule-steps-" + spec.runId();
        this.meter = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart e) {
                if (e.properties() != null && jobGroup.equals(e.properties().getProperty("spark.jobGroup.id"))) {
                    for (Object id : scala.jdk.javaapi.CollectionConverters.asJava(e.stageIds())) stepStages.add((Integer) id);
                }
            }

            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (stepStages.contains(e.stageId()) && e.taskMetrics() != null) {
                    taskResultBytes.addAndGet(e.taskMetrics().resultSize());
                }
            }
        };
        jsc.sc().addSparkListener(meter);
    }

    /** A new run id for {@link WorkerSpec}. */
    static String newRunId() {
        return UUID.randomUUID().toString();
    }

    @Override
    public ShardPlan plan() {
        return spec.plan();
    }

    @Override
    public List<ShardResult> compute(int epoch, int step, ModelState state) {
        Broadcast<ModelState> b = jsc.broadcast(state);
        List<StepTask.Output> out;
        try {
            jsc.setJobGroup(jobGroup, "chainrule epoch " + (epoch + 1) + " step " + (step + 1), false);
            out = shards.mapPartitions(new StepTask(spec, b, epoch, step), true).collect();
        } finally {
            jsc.clearJobGroup();
            b.destroy();
        }
        List<ShardResult> results = new ArrayList<>(out.size());
        Set<String> executors = new HashSet<>();
        for (StepTask.Output o : out) {
            results.add(o.result());
            executors.add(o.executor());
            toDriver += o.result().bytes();
        }
        steps++;
        toExecutors += state.bytes() * executors.size();
        return results;
    }

    /** What the steps shipped so far. */
    public ShippedBytes shipped() {
        return new ShippedBytes(steps, toExecutors, toDriver, taskResultBytes.get());
    }

    @Override
    public void close() {
        jsc.sc().removeSparkListener(meter);
        shards.unpersist(false);
    }
}
