package io.chainrule.spark;

import io.chainrule.parallel.ModelState;
import io.chainrule.parallel.Replica;
import io.chainrule.parallel.ShardData;
import io.chainrule.parallel.ShardResult;
import org.apache.spark.Partition;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;

import java.io.Serializable;

/**
 * One step's job: partition s is shard s's task, which computes its micro-batch from the shard cached in its
 * executor (the only parent, one to one) and this step's broadcast state. A dedicated RDD rather than
 * {@code mapPartitions(...).collect()}: Spark's closure cleaner re-reads class files with ASM for every lambda a job
 * is given, once per step; this RDD and {@link #ONE_RESULT} are plain classes, which it passes over.
 */
final class StepRDD extends RDD<StepRDD.Output> {
    private static final long serialVersionUID = 1L;
    private static final ClassTag<ShardData> SHARD = ClassTag$.MODULE$.apply(ShardData.class);
    static final ClassTag<Output> OUTPUT = ClassTag$.MODULE$.apply(Output.class);

    /** The job's function: a partition's one result. */
    static final TakeOne ONE_RESULT = new TakeOne();

    /** A result and the executor that computed it (to count what the step shipped). */
    record Output(String executor, ShardResult result) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final WorkerSpec spec;
    private final Broadcast<ModelState> state;
    private final int epoch;
    private final int step;

    StepRDD(RDD<ShardData> shards, WorkerSpec spec, Broadcast<ModelState> state, int epoch, int step) {
        super(shards, OUTPUT);
        this.spec = spec;
        this.state = state;
        this.epoch = epoch;
        this.step = step;
    }

    @Override
    public Partition[] getPartitions() {
        return firstParent(SHARD).partitions();
    }

    @Override
    public Iterator<Output> compute(Partition split, TaskContext context) {
        Iterator<ShardData> shard = firstParent(SHARD).iterator(split, context);
        if (!shard.hasNext()) return scala.collection.Iterator$.MODULE$.empty();
        ShardData data = shard.next();
        Replica r = ReplicaPool.acquire(spec);
        ShardResult result = r.compute(spec.plan(), state.value(), data, epoch, step, spec.inputShape());
        ReplicaPool.release(spec, r); // not after a failure: that replica's state is unknown, a retry builds another
        SparkEnv env = SparkEnv.get();
        return scala.collection.Iterator$.MODULE$.single(new Output(env == null ? "driver" : env.executorId(), result));
    }

    /** (task, its partition's outputs) → the one output (null for an empty shard). */
    static final class TakeOne extends AbstractFunction2<TaskContext, Iterator<Output>, Output> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Output apply(TaskContext context, Iterator<Output> outputs) {
            return outputs.hasNext() ? outputs.next() : null;
        }
    }
}
