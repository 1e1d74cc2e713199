package io.chainrule.spark;

import io.chainrule.parallel.ModelState;
import io.chainrule.parallel.Replica;
import io.chainrule.parallel.ShardData;
import io.chainrule.parallel.ShardResult;
import org.apache.spark.SparkEnv;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

import java.util.Iterator;
import java.util.List;

/** The task of one shard in one step: its cached examples, this step's broadcast state → its micro-batch result. */
final class StepTask implements FlatMapFunction<Iterator<ShardData>, StepTask.Output> {
    private static final long serialVersionUID = 1L;

    /** A result and the executor that computed it (to count what the step shipped). */
    record Output(String executor, ShardResult result) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }

    private final WorkerSpec spec;
    private final Broadcast<ModelState> state;
    private final int epoch;
    private final int step;

    StepTask(WorkerSpec spec, Broadcast<ModelState> state, int epoch, int step) {
        this.spec = spec;
        this.state = state;
        this.epoch = epoch;
        this.step = step;
    }

    @Override
    public Iterator<Output> call(Iterator<ShardData> shard) {
        if (!shard.hasNext()) return List.<Output>of().iterator();
        ShardData data = shard.next();
        Replica r = ReplicaPool.acquire(spec);
        ShardResult result = r.compute(spec.plan(), state.value(), data, epoch, step, spec.inputShape());
        ReplicaPool.release(spec, r); // not after a failure: that replica's state is unknown, a retry builds another
        SparkEnv env = SparkEnv.get();
        return List.of(new Output(env == null ? "driver" : env.executorId(), result)).iterator();
    }
}
