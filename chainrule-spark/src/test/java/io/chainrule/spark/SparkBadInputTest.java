package io.chainrule.spark;

import io.chainrule.data.TensorDataset;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to SparkTrainer: one clear line, before anything runs. */
class SparkBadInputTest {
    static SparkSession spark;
    static Dataset<Row> good;

    @BeforeAll
    static void start() {
        spark = TestModels.session("local[1]");
        TensorDataset d = TestModels.spiral();
        good = TestModels.frame(spark, new TensorDataset(d.x().narrow(0, 0, 64), d.y().narrow(0, 0, 64)), 2);
    }

    @AfterAll
    static void stop() {
        if (spark != null) spark.stop();
    }

    private static void oneLine(Executable e, String... expected) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        String m = ex.getMessage();
        assertFalse(m.contains("\n"), "not one line: " + m);
        for (String s : expected) assertTrue(m.contains(s), "'" + s + "' missing from: " + m);
    }

    @Test
    void missingColumnsAreNamed() {
        oneLine(() -> TestModels.trainer(spark, TestModels::mlp, 32, 2).fit(good, "pixels", "label"),
                "no column 'pixels'", "features, label");
        oneLine(() -> TestModels.trainer(spark, TestModels::mlp, 32, 2).fit(good, "features", "target"),
                "no column 'target'");
    }

    @Test
    void wrongColumnTypesAreNamed() {
        StructType schema = new StructType().add("features", DataTypes.StringType).add("label", DataTypes.StringType)
                .add("ok", DataTypes.createArrayType(DataTypes.DoubleType));
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create("1,2", "a", new double[] {1, 2})), schema);
        oneLine(() -> TestModels.trainer(spark, TestModels::mlp, 32, 2).fit(df, "features", "label"),
                "features column 'features' is string", "array<float>");
        oneLine(() -> TestModels.trainer(spark, TestModels::mlp, 32, 2).fit(df, "ok", "label"),
                "label column 'label' is string");
    }

    @Test
    void aBatchTheShardsDoNotDivideIsRefused() {
        oneLine(() -> TestModels.trainer(spark, TestModels::mlp, 100, 3).fit(good, "features", "label"),
                "global batch size 100 is not divisible by 3 shards");
        oneLine(() -> TestModels.trainer(null, TestModels::mlp, 100, 3).fit(TestModels.spiral()),
                "not divisible by 3 shards");
    }

    @Test
    void rowsOfDifferentLengthsAreNamed() {
        StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType))
                .add("label", DataTypes.LongType);
        Dataset<Row> df = spark.createDataFrame(List.of(RowFactory.create(new float[] {1, 2}, 0L),
                RowFactory.create(new float[] {1, 2, 3}, 1L), RowFactory.create(new float[] {1, 2}, 1L),
                RowFactory.create(new float[] {1, 2}, 0L)), schema);
        oneLine(() -> TestModels.trainer(spark, TestModels::mlp, 2, 2).fit(df, "features", "label"),
                "row 1 has 3 features where the first row has 2");
    }

    @Test
    void anUnreachableMasterFailsAtOnce() {
        long t0 = System.nanoTime();
        oneLine(() -> SparkSessions.open("spark://127.0.0.1:1", List.of()), "cannot reach the Spark master at 127.0.0.1:1");
        assertTrue((System.nanoTime() - t0) / 1e9 < 10, "took too long");
        oneLine(() -> SparkSessions.open("local[two]", List.of()), "malformed");
    }
}
