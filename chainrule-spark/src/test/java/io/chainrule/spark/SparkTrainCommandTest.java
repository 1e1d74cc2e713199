package io.chainrule.spark;

import io.chainrule.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** chainrule train --spark: the same bits as --shards in process, resumable, with one-line errors. */
class SparkTrainCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    static Run train(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        var cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        return new Run(cmd.execute(all), out.toString(), err.toString());
    }

    private static final String[] SETTINGS = {"--data", "spiral", "--samples", "200", "--epochs", "2",
            "--batch-size", "60", "--seed", "5", "--quiet"};

    private static String[] with(String... more) {
        String[] all = new String[SETTINGS.length + more.length];
        System.arraycopy(SETTINGS, 0, all, 0, SETTINGS.length);
        System.arraycopy(more, 0, all, SETTINGS.length, more.length);
        return all;
    }

    /** A file of the run's current checkpoint: its folder (checkpoints/step-N/) is named in checkpoint.properties. */
    private static Path checkpointFile(Path run, String name) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(run.resolve("checkpoint.properties"))) {
            p.load(in);
        }
        String folder = p.getProperty("checkpoint.folder");
        assertTrue(folder != null && folder.startsWith("checkpoints/step-"), "checkpoint.folder=" + folder);
        return run.resolve(folder).resolve(name);
    }

    /** metrics.csv without its time columns (seconds, examples/s differ from run to run). */
    private static List<String> losses(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("metrics.csv")).stream()
                .map(l -> {
                    String[] c = l.split(",");
                    return String.join(",", c[0], c[1], c[2]);
                })
                .collect(Collectors.toList());
    }

    @Test
    void sparkRunsHaveTheBitsOfTheInProcessReferenceAndResume() throws Exception {
        Path ref = tmp.resolve("ref"), spark = tmp.resolve("spark"), resumed = tmp.resolve("resumed");
        Run r = train(with("--shards", "3", "--out", ref.toString()));
        assertEquals(0, r.exit(), r.toString());
        r = train(with("--shards", "3", "--spark", "local[2]", "--out", spark.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertArrayEquals(Files.readAllBytes(ref.resolve("model.safetensors")), Files.readAllBytes(spark.resolve("model.safetensors")));
        assertArrayEquals(Files.readAllBytes(checkpointFile(ref, "optimizer.safetensors")),
                Files.readAllBytes(checkpointFile(spark, "optimizer.safetensors")));
        assertEquals(losses(ref), losses(spark));

        // Stopped after 13 steps (in epoch 2 of 2: 10 steps an epoch), then resumed on Spark: the same bits again.
        r = train(with("--shards", "3", "--spark", "local[2]", "--out", resumed.toString(), "--stop-after-batches", "13"));
        assertEquals(130, r.exit(), r.toString());
        r = train("--resume", resumed.toString(), "--spark", "local[1]", "--quiet");
        assertEquals(0, r.exit(), r.toString());
        assertArrayEquals(Files.readAllBytes(ref.resolve("model.safetensors")), Files.readAllBytes(resumed.resolve("model.safetensors")));
        assertEquals(losses(ref), losses(resumed));
    }

    @Test
    void trainsOnAParquetTableReadBySpark() throws Exception {
        Path table = tmp.resolve("spiral.parquet");
        org.apache.spark.sql.SparkSession spark = TestModels.session("local[1]");
        try {
            io.chainrule.data.TensorDataset d = TestModels.spiral();
            long[] every10th = new long[400]; // the spiral lists its classes one after another: mix them
            for (int i = 0; i < every10th.length; i++) every10th[i] = i * 10L;
            io.chainrule.Tensor idx = io.chainrule.Tensor.of(every10th, every10th.length);
            TestModels.frame(spark, new io.chainrule.data.TensorDataset(d.x().indexSelect(0, idx), d.y().indexSelect(0, idx)), 2)
                    .write().parquet(table.toString());
        } finally {
            spark.stop();
        }
        Path local = tmp.resolve("local"), onSpark = tmp.resolve("onSpark");
        String[] args = {"--data", "parquet:" + table, "--epochs", "2", "--batch-size", "40", "--shards", "2", "--quiet"};
        Run r = train(concat(args, "--out", local.toString()));
        assertEquals(0, r.exit(), r.toString());
        r = train(concat(args, "--spark", "local[2]", "--out", onSpark.toString()));
        assertEquals(0, r.exit(), r.toString());
        assertArrayEquals(Files.readAllBytes(local.resolve("model.safetensors")), Files.readAllBytes(onSpark.resolve("model.safetensors")));
        assertTrue(Files.readString(local.resolve("checkpoint.properties")).contains("data.classes=4"));

        r = train("--data", "parquet:" + tmp.resolve("missing.parquet"), "--out", tmp.resolve("never").toString());
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("cannot read parquet table"), r.err());
        assertFalse(Files.exists(tmp.resolve("never")));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void anUnreachableMasterIsOneLineAndWritesNothing() {
        Path out = tmp.resolve("never");
        Run r = train(with("--spark", "spark://127.0.0.1:1", "--out", out.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("cannot reach the Spark master at 127.0.0.1:1"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aBatchTheShardsDoNotDivideIsOneLineAndWritesNothing() {
        Path out = tmp.resolve("never");
        Run r = train(with("--spark", "local[2]", "--shards", "7", "--out", out.toString()));
        assertEquals(1, r.exit(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("not divisible by --shards 7"), r.err());
        assertFalse(Files.exists(out));
    }
}
