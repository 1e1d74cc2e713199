package io.chainrule.spark;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Datasets;
import io.chainrule.data.Split;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.F;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.Module;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Reduction;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The models, data and settings the Spark tests share. */
final class TestModels {
    static final Path FASHION = Path.of("/usr/share/datasets/fashion-mnist");

    private TestModels() {}

    /** 4,096 spiral points (2-D, 4 classes). */
    static TensorDataset spiral() {
        return Datasets.spiral(1024, 4, 0.2, new Generator(11));
    }

    /** The first 4,096 Fashion-MNIST training images, or null when the dataset is not installed. */
    static TensorDataset fashion4096() {
        if (!Files.isDirectory(FASHION)) return null;
        try {
            TensorDataset all = FashionMnist.load(FASHION, Split.TRAIN);
            return new TensorDataset(all.x().narrow(0, 0, 4096).contiguous(), all.y().narrow(0, 0, 4096).contiguous());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Module mlp() {
        return new Sequential(new Linear(2, 32), new ReLU(), new Linear(32, 32), new ReLU(), new Linear(32, 4));
    }

    /** A small CNN with batch norm and dropout, for [1, 28, 28] images. */
    static Module cnn() {
        return new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Dropout(0.25),
                new Flatten(), new Linear(4 * 13 * 13, 10));
    }

    static SparkTrainer trainer(SparkSession spark, ModelFactory model, int batch, int shards) {
        return new SparkTrainer(spark).model(model)
                .loss((o, y) -> F.crossEntropy(o, y, Reduction.SUM))
                .optimizer(p -> new Adam(p, 1e-2))
                .batchSize(batch).shards(shards).epochs(2).seed(42);
    }

    /** A DataFrame (features array<float>, label int) holding {@code data}'s rows in order, in {@code partitions} partitions. */
    static Dataset<Row> frame(SparkSession spark, TensorDataset data, int partitions) {
        int n = data.size();
        int d = data.x().numel() / n;
        float[] x = data.x().contiguous().toFloatArray();
        long[] y = data.y().toLongArray();
        List<Row> rows = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(java.util.Arrays.copyOfRange(x, i * d, (i + 1) * d), (int) y[i]));
        }
        StructType schema = new StructType()
                .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("label", DataTypes.IntegerType, false);
        return spark.createDataFrame(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(rows, partitions), schema);
    }

    /** Every parameter and buffer of {@code m}, in order, as raw bits. */
    static List<int[]> bits(Module m) {
        List<int[]> out = new ArrayList<>();
        for (Tensor t : m.stateDict().values()) {
            if (t.dtype() == io.chainrule.DType.FLOAT32) {
                float[] v = t.toFloatArray();
                int[] b = new int[v.length];
                for (int i = 0; i < v.length; i++) b[i] = Float.floatToRawIntBits(v[i]);
                out.add(b);
            } else {
                long[] v = t.toLongArray();
                int[] b = new int[v.length];
                for (int i = 0; i < v.length; i++) b[i] = (int) v[i];
                out.add(b);
            }
        }
        return out;
    }

    static SparkSession session(String master) {
        return SparkSession.builder().master(master).appName("chainrule-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
    }
}
