package io.chainrule.spark;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.F;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Reduction;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.SGD;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Spark ML vector features, float (regression) labels and an uneven last step: still the reference's bits. */
class SparkInputTypesTest {
    static Module regressor() {
        return new Sequential(new Linear(2, 8), new ReLU(), new Linear(8, 1));
    }

    @Test
    void vectorFeaturesAndFloatLabelsGiveTheReferenceBits() {
        TensorDataset spiral = TestModels.spiral();
        int n = 1000; // 6 steps of 144 and a short one of 136 (micro-batches of 46, 45, 45) each epoch
        float[] x = spiral.x().narrow(0, 0, n).contiguous().toFloatArray();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = x[2 * i] * x[2 * i + 1]; // a smooth target
        TensorDataset data = new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y, n));

        List<Double> refLosses = new ArrayList<>();
        Module ref = trainer(null, refLosses).fit(data);

        SparkSession spark = TestModels.session("local[2]");
        try {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) rows.add(RowFactory.create(Vectors.dense(x[2 * i], x[2 * i + 1]), (double) y[i]));
            StructType schema = new StructType().add("v", new VectorUDT()).add("target", DataTypes.DoubleType);
            Dataset<Row> df = spark.createDataFrame(rows, schema).repartition(1);
            List<Double> losses = new ArrayList<>();
            Module trained = trainer(spark, losses).fit(df, "v", "target");
            assertEquals(refLosses, losses);
            List<int[]> a = TestModels.bits(ref), b = TestModels.bits(trained);
            for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i), "tensor " + i);
            assertTrue(refLosses.get(refLosses.size() - 1) < refLosses.get(0), "did not learn: " + refLosses);
            assertEquals(DType.FLOAT32, trained.parameters().get(0).dtype());
        } finally {
            spark.stop();
        }
    }

    private static SparkTrainer trainer(SparkSession spark, List<Double> losses) {
        return new SparkTrainer(spark).model(SparkInputTypesTest::regressor)
                .loss((o, t) -> F.mseLoss(o.reshape(-1), t, Reduction.SUM))
                .optimizer(p -> new SGD(p, 0.05).momentum(0.9))
                .batchSize(144).shards(3).epochs(3).seed(9)
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(int epoch, int step, double loss, int examples, long correct) {
                        losses.add(loss);
                    }
                });
    }
}
