package io.chainrule.spark;

import io.chainrule.Threads;
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
import scala.collection.immutable.Range$;
import scala.collection.immutable.Seq;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs each step's micro-batches as one Spark job over the cached shards: the model state goes out as a broadcast
 * (once per step, fetched once by each executor), each shard's task computes its micro-batch where its examples
 * are cached, and the results come back in partition (= shard) order. A failed task is simply run again: its result
 * depends only on the broadcast state and the plan.
 */
public final class SparkStepEngine implements StepEngine {
    private static final String CALL_SITE_SHORT = "callSite.short";
    private static final String CALL_SITE_LONG = "callSite.long";
    private static final Pattern LOCAL_SLOTS = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");

    private final JavaSparkContext jsc;
    private final JavaRDD<ShardData> shards;
    private final Seq<Object> partitions;
    private final int localTasksAtOnce;
    private final WorkerSpec spec;
    private final String jobGroup;
    private final Set<Integer> stepStages = ConcurrentHashMap.newKeySet();
    private final AtomicLong taskResultBytes = new AtomicLong();
    private final SparkListener meter;
    private long steps, toExecutors, toDriver;

    SparkStepEngine(JavaSparkContext jsc, JavaRDD<ShardData> shards, WorkerSpec spec) {
        this.jsc = jsc;
        this.shards = shards;
        this.partitions = Range$.MODULE$.apply(0, shards.getNumPartitions());
        this.localTasksAtOnce = localTasksAtOnce(jsc.master(), shards.getNumPartitions());
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
        StepRDD.Output[] out;
        int threads = Threads.get();
        // Set before the broadcast: sc.broadcast, like each job, would otherwise walk the stack for its call site.
        jsc.setLocalProperty(CALL_SITE_SHORT, "chainrule step");
        jsc.setLocalProperty(CALL_SITE_LONG, "chainrule step");
        Broadcast<ModelState> b = null;
        try {
            b = jsc.broadcast(state);
            jsc.setJobGroup(jobGroup, "chainrule epoch " + (epoch + 1) + " step " + (step + 1), false);
            Threads.set(Math.max(1, threads / localTasksAtOnce));
            out = (StepRDD.Output[]) jsc.sc().runJob(new StepRDD(shards.rdd(), spec, b, epoch, step), StepRDD.ONE_RESULT,
                    partitions, StepRDD.OUTPUT);
        } finally {
            Threads.set(threads);
            jsc.setLocalProperty(CALL_SITE_SHORT, null);
            jsc.setLocalProperty(CALL_SITE_LONG, null);
            jsc.clearJobGroup();
            if (b != null) b.destroy();
        }
        List<ShardResult> results = new ArrayList<>(out.length);
        Set<String> executors = new HashSet<>();
        for (int s = 0; s < out.length; s++) {
            if (out[s] == null) throw new IllegalStateException("SparkStepEngine: shard " + s + " sent no result");
            results.add(out[s].result());
            executors.add(out[s].executor());
            toDriver += out[s].result().bytes();
        }
        steps++;
        toExecutors += state.bytes() * executors.size();
        return results;
    }

    /**
     * Step tasks that run at once in this JVM: in local mode the executor is the driver's JVM, and its task threads
     * share the kernel threads the driver uses (1 elsewhere: a remote executor's tasks do not touch the driver's).
     */
    static int localTasksAtOnce(String master, int shards) {
        Matcher m = LOCAL_SLOTS.matcher(master);
        if (!m.matches()) return 1;
        int slots = m.group(1) == null ? 1 : m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors()
                : Integer.parseInt(m.group(1));
        return Math.max(1, Math.min(slots, shards));
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
