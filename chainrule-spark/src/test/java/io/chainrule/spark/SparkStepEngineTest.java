package io.chainrule.spark;

import io.chainrule.data.TensorDataset;
import io.chainrule.nn.F;
import io.chainrule.nn.Reduction;
import io.chainrule.parallel.ModelState;
import io.chainrule.parallel.ShardData;
import io.chainrule.parallel.ShardPlan;
import io.chainrule.parallel.ShardResult;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SparkStepEngineTest {
    /** Local tasks share the driver's kernel threads: as many at once as the master's slots and the shards allow. */
    @Test
    void localTasksAtOnceAreTheLocalSlotsUpToTheShards() {
        assertEquals(1, SparkStepEngine.localTasksAtOnce("local", 4));
        assertEquals(2, SparkStepEngine.localTasksAtOnce("local[2]", 2));
        assertEquals(2, SparkStepEngine.localTasksAtOnce("local[2,3]", 4));
        assertEquals(3, SparkStepEngine.localTasksAtOnce("local[8]", 3));
        assertEquals(Math.min(4, Runtime.getRuntime().availableProcessors()), SparkStepEngine.localTasksAtOnce("local[*]", 4));
        assertEquals(1, SparkStepEngine.localTasksAtOnce("spark://127.0.0.1:7077", 4));
    }

    /** A state shipped as a broadcast (the path of large models) gives the bits of the same state inside the job. */
    @Test
    void aBroadcastStateGivesTheResultsOfAStateInTheJob() {
        SparkSession spark = TestModels.session("local[2]");
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            TensorDataset data = TestModels.spiral();
            float[] x = data.x().contiguous().toFloatArray();
            long[] y = data.y().toLongArray();
            List<IndexedExample> rows = new ArrayList<>();
            for (int i = 0; i < y.length; i++) rows.add(new IndexedExample(i, Arrays.copyOfRange(x, 2 * i, 2 * i + 2), y[i], 0));
            JavaRDD<ShardData> cache = ShardCache.build(jsc.parallelize(rows, 4), 2, 2, true);
            WorkerSpec spec = new WorkerSpec(SparkStepEngine.newRunId(), new ShardPlan(y.length, 256, 2, false, 42),
                    TestModels::mlp, (o, t) -> F.crossEntropy(o, t, Reduction.SUM), new int[] {2});
            ModelState state = ModelState.of(TestModels.mlp());
            SparkStepEngine inJob = new SparkStepEngine(jsc, cache, spec);
            SparkStepEngine broadcast = new SparkStepEngine(jsc, cache, spec, 0);
            List<ShardResult> a = inJob.compute(0, 3, state);
            List<ShardResult> b = broadcast.compute(0, 3, state);
            assertEquals(2, a.size());
            assertEquals(2, b.size());
            for (int s = 0; s < 2; s++) {
                assertEquals(128, a.get(s).count());
                assertEquals(a.get(s).count(), b.get(s).count());
                assertEquals(a.get(s).lossSum(), b.get(s).lossSum());
                assertTrue(a.get(s).lossSum() > 0, "loss " + a.get(s).lossSum());
                assertEquals(state.parameters().size(), a.get(s).gradients().size());
                for (int i = 0; i < state.parameters().size(); i++) {
                    assertArrayEquals(a.get(s).gradients().get(i).floats(), b.get(s).gradients().get(i).floats(),
                            "shard " + s + " gradient " + i);
                }
            }
            assertEquals(inJob.shipped().toExecutors(), broadcast.shipped().toExecutors());
            assertEquals(inJob.shipped().toDriver(), broadcast.shipped().toDriver());
            inJob.close();
            broadcast.close();
        } finally {
            spark.stop();
        }
    }
}
