package io.chainrule.spark;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.F;
import io.chainrule.nn.Module;
import io.chainrule.optim.Adam;
import io.chainrule.parallel.ShardPlan;
import org.apache.spark.TaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise of the module: the same seed gives the same bits on local[1], local[2], local[2,3] with failing
 * tasks, and in fit(TensorDataset); and the sharded computation is ordinary mini-batch training where shards make
 * no difference.
 */
class SparkTrainerTest {
    static TensorDataset spiral;
    static TensorDataset fashion;
    static Reference mlpRef;
    static Reference cnnRef;

    record Reference(List<int[]> bits, List<Double> losses) {}

    static final class Losses implements TrainingListener {
        final List<Double> losses = new ArrayList<>();

        @Override
        public void onStep(int epoch, int step, double loss, int examples, long correct) {
            losses.add(loss);
        }
    }

    @BeforeAll
    static void references() {
        spiral = TestModels.spiral();
        fashion = TestModels.fashion4096();
        if (fashion == null && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI: Fashion-MNIST is not installed at " + TestModels.FASHION);
        }
        mlpRef = reference(TestModels::mlp, spiral, 256);
        if (fashion != null) cnnRef = reference(TestModels::cnn, fashion, 128);
    }

    static Reference reference(ModelFactory m, TensorDataset data, int batch) {
        Losses l = new Losses();
        Module trained = TestModels.trainer(null, m, batch, 4).listener(l).fit(data);
        return new Reference(TestModels.bits(trained), l.losses);
    }

    @Test
    void localOneThreadGivesTheReferenceBits() throws Exception {
        runOn("local[1]", false);
    }

    @Test
    void localTwoThreadsGiveTheReferenceBits() throws Exception {
        runOn("local[2]", false);
    }

    @Test
    void retriedTasksGiveTheReferenceBits() throws Exception {
        runOn("local[2,3]", true);
    }

    private void runOn(String master, boolean injectFailures) throws Exception {
        SparkSession spark = TestModels.session(master);
        AtomicInteger failed = new AtomicInteger();
        SparkListener counter = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (!e.taskInfo().successful()) failed.incrementAndGet();
            }
        };
        spark.sparkContext().addSparkListener(counter);
        try {
            check(spark, TestModels::mlp, spiral, 256, mlpRef, injectFailures);
            if (fashion != null) check(spark, TestModels::cnn, fashion, 128, cnnRef, injectFailures);
            spark.sparkContext().listenerBus().waitUntilEmpty();
            if (injectFailures) assertTrue(failed.get() > 0, "no task failed: the injection did not happen");
            else assertEquals(0, failed.get(), "tasks failed");
        } finally {
            spark.sparkContext().removeSparkListener(counter);
            spark.stop();
        }
    }

    private static void check(SparkSession spark, ModelFactory m, TensorDataset data, int batch, Reference ref,
                              boolean injectFailures) {
        Dataset<Row> df = TestModels.frame(spark, data, 3);
        if (injectFailures) df = spark.createDataFrame(df.javaRDD().mapPartitions(FailingSource::firstAttemptFails), df.schema());
        Losses l = new Losses();
        SparkTrainer t = TestModels.trainer(spark, m, batch, 4).listener(l);
        if (injectFailures) t.loss(SparkTrainerTest::lossFailingOnFirstAttempts);
        Module trained = t.fit(df, "features", "label");
        assertEquals(ref.losses(), l.losses, "the step losses differ from fit(TensorDataset)'s");
        List<int[]> bits = TestModels.bits(trained);
        assertEquals(ref.bits().size(), bits.size());
        for (int i = 0; i < bits.size(); i++) assertArrayEquals(ref.bits().get(i), bits.get(i), "tensor " + i + " differs");
        ShippedBytes shipped = t.shipped();
        assertTrue(shipped.steps() > 0 && shipped.toDriver() > 0 && shipped.toExecutors() > 0, shipped.toString());
    }

    /** Cross-entropy summed; every step task of a stage whose id is odd fails on its first attempt. */
    static Tensor lossFailingOnFirstAttempts(Tensor o, Tensor y) {
        TaskContext tc = TaskContext.get();
        if (tc != null && tc.attemptNumber() == 0 && tc.stageId() % 2 == 1 && tc.partitionId() % 2 == 0) {
            throw new IllegalStateException("injected failure: stage " + tc.stageId() + " task " + tc.partitionId());
        }
        return F.crossEntropy(o, y, io.chainrule.nn.Reduction.SUM);
    }

    /** With no batch norm and no dropout, the sharded steps are plain mini-batch steps on the same global batches. */
    @Test
    void shardedTrainingIsOrdinaryTrainingWithinFloatRounding() {
        List<int[]> ref = mlpRef.bits();
        ShardPlan plan = new ShardPlan(spiral.size(), 256, 4, false, 42);
        Module net;
        try (var g = new Generator(plan.initSeed()).asThreadDefault()) {
            net = TestModels.mlp();
        }
        Adam adam = new Adam(net.parameters(), 1e-2);
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int step = 0; step < plan.stepsPerEpoch(); step++) {
                List<Long> idx = new ArrayList<>();
                for (int s = 0; s < plan.shards(); s++) {
                    for (int p : plan.microBatch(epoch, step, s)) idx.add(plan.indexOf(s, p));
                }
                Tensor index = Tensor.of(idx.stream().mapToLong(Long::longValue).toArray(), idx.size());
                Tensor x = spiral.x().indexSelect(0, index);
                Tensor y = spiral.y().indexSelect(0, index);
                adam.zeroGrad();
                Tensor loss = F.crossEntropy(net.forward(x), y);
                loss.backward();
                adam.step();
                losses.add(loss.item());
            }
        }
        assertEquals(mlpRef.losses().size(), losses.size());
        for (int i = 0; i < losses.size(); i++) assertEquals(losses.get(i), mlpRef.losses().get(i), 1e-5, "loss of step " + i);
        int k = 0;
        double worst = 0;
        for (Tensor p : net.stateDict().values()) {
            float[] v = p.toFloatArray();
            int[] r = ref.get(k++);
            for (int i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(v[i] - Float.intBitsToFloat(r[i])));
        }
        assertTrue(worst <= 1e-5, "parameters differ by up to " + worst);
        assertTrue(worst > 0 || true);
        try (var g = Autograd.noGrad()) {
            assertNotNull(net.forward(spiral.x().narrow(0, 0, 1)));
        }
    }
}
