package io.chainrule.cli;

import io.chainrule.Tensor;
import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** End to end: train, resume, eval, in process. Small sets and few epochs so the class runs in seconds. */
class TrainCommandTest {
    /** A small spiral run: 50 points per class, 32-32 hidden units. */
    static String[] spiral(Path out, String... more) {
        String[] base = {"train", "--samples", "50", "--hidden", "32,32", "--out", out.toString()};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        return all;
    }

    /** A file of the run's current checkpoint: in the folder that checkpoint.properties names. */
    static Path checkpointFile(Path run, String name) throws java.io.IOException {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(run.resolve("checkpoint.properties"))) {
            p.load(in);
        }
        String folder = p.getProperty("checkpoint.folder");
        assertTrue(folder != null && folder.startsWith("checkpoints/step-"), "checkpoint.folder=" + folder);
        return run.resolve(folder).resolve(name);
    }

    @Test
    void trainsSpiralAndWritesEverything(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Cli.Run r = Cli.run(spiral(out, "--epochs", "150", "--lr", "0.02"));
        assertEquals(0, r.exit(), r::toString);
        for (String f : List.of("metrics.csv", "loss.png", "accuracy.png", "decision-boundary.png", "graph.dot",
                "model.safetensors", "checkpoint.properties")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        // One checkpoint folder (the earlier ones are gone), its model the same file as the run folder's.
        try (var folders = Files.list(out.resolve("checkpoints"))) {
            assertEquals(List.of(checkpointFile(out, "").getFileName()), folders.map(Path::getFileName).toList());
        }
        assertTrue(Files.size(checkpointFile(out, "optimizer.safetensors")) > 0);
        assertTrue(Files.isSameFile(out.resolve("model.safetensors"), checkpointFile(out, "model.safetensors")));
        assertTrue(r.out().contains("checkpoints/step-000000150/"), r.out());
        for (String png : List.of("loss.png", "accuracy.png", "decision-boundary.png")) {
            byte[] head = Arrays.copyOf(Files.readAllBytes(out.resolve(png)), 4);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, head, png);
        }
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(151, csv.size(), "header and one row per epoch");
        assertTrue(csv.get(0).startsWith("epoch,train_loss,train_acc"), csv.get(0));
        String[] last = csv.get(150).split(",");
        assertEquals("150", last[0]);
        double acc = Double.parseDouble(last[2]);
        assertTrue(acc >= 0.9, "training accuracy " + acc);
        double firstLoss = Double.parseDouble(csv.get(1).split(",")[1]);
        assertTrue(Double.parseDouble(last[1]) < firstLoss / 3, "loss falls");
        String dot = Files.readString(out.resolve("graph.dot"));
        assertTrue(dot.contains("0.weight") && dot.contains("AddmmBackward0") && dot.contains("subgraph cluster_"), dot);
        assertTrue(r.out().contains("epoch 150/150"), r.out());
        Map<String, Tensor> state = Safetensors.load(out.resolve("model.safetensors"));
        assertArrayEquals(new int[] {32, 2}, state.get("0.weight").shape());
        assertArrayEquals(new int[] {3, 32}, state.get("4.weight").shape());
    }

    @Test
    void resumeAfterAnInterruptIsBitIdentical(@TempDir Path tmp) throws Exception {
        String[] common = {"--epochs", "6", "--batch-size", "32", "--seed", "3", "--quiet"};
        Path a = tmp.resolve("a");
        assertEquals(0, Cli.run(spiral(a, common)).exit());

        // 150 examples in batches of 32: 5 per epoch, so batch 13 is in the middle of epoch 3.
        Path b = tmp.resolve("b");
        String[] stop = Arrays.copyOf(common, common.length + 2);
        stop[common.length] = "--stop-after-batches";
        stop[common.length + 1] = "13";
        Cli.Run first = Cli.run(spiral(b, stop));
        assertEquals(130, first.exit(), first::toString);
        String props = Files.readString(b.resolve("checkpoint.properties"));
        assertTrue(props.contains("progress.epoch=2") && props.contains("progress.batch=3"), props);
        Cli.Run second = Cli.run("train", "--resume", b.toString(), "--quiet");
        assertEquals(0, second.exit(), second::toString);

        // The same again with the interrupt at an epoch boundary and a larger --epochs on resume.
        Path c = tmp.resolve("c");
        String[] shorter = common.clone();
        shorter[1] = "2";
        assertEquals(0, Cli.run(spiral(c, shorter)).exit());
        assertEquals(0, Cli.run("train", "--resume", c.toString(), "--epochs", "6", "--quiet").exit());

        byte[] want = Files.readAllBytes(a.resolve("model.safetensors"));
        assertArrayEquals(want, Files.readAllBytes(b.resolve("model.safetensors")), "resumed mid-epoch");
        assertArrayEquals(want, Files.readAllBytes(c.resolve("model.safetensors")), "resumed after epoch 2");
        assertArrayEquals(Files.readAllBytes(checkpointFile(a, "optimizer.safetensors")),
                Files.readAllBytes(checkpointFile(b, "optimizer.safetensors")));
        assertEquals(7, Files.readAllLines(c.resolve("metrics.csv")).size(), "history kept across the resume");
    }

    @Test
    void jsonLines(@TempDir Path tmp) {
        Cli.Run r = Cli.run(spiral(tmp.resolve("j"), "--epochs", "3", "--json"));
        assertEquals(0, r.exit(), r::toString);
        String[] lines = r.out().strip().split("\\R");
        assertEquals(5, lines.length, r.out());
        assertTrue(lines[0].startsWith("{\"event\":\"start\"") && lines[0].contains("\"parameters\":"), lines[0]);
        for (int i = 1; i <= 3; i++) {
            assertTrue(lines[i].matches("\\{\"event\":\"epoch\",\"epoch\":" + i + ",\"train_loss\":[0-9.E-]+,.*\\}"), lines[i]);
        }
        assertTrue(lines[4].startsWith("{\"event\":\"done\""), lines[4]);
    }

    @Test
    void evalPrintsAccuracyAndConfusion(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(spiral(run, "--epochs", "100", "--lr", "0.02", "--quiet")).exit());
        Cli.Run r = Cli.run("eval", run.toString(), "--split", "train");
        assertEquals(0, r.exit(), r::toString);
        Matcher m = Pattern.compile("accuracy\\s+([0-9.]+)%").matcher(r.out());
        assertTrue(m.find(), r.out());
        double acc = Double.parseDouble(m.group(1));
        String last = Files.readAllLines(run.resolve("metrics.csv")).get(100);
        // The model after the last step, on the training set: close to the last epoch's running accuracy.
        assertTrue(Math.abs(acc / 100 - Double.parseDouble(last.split(",")[2])) < 0.1, acc + " vs " + last);
        assertTrue(r.out().contains("confusion matrix"), r.out());
        assertTrue(Files.size(run.resolve("confusion.png")) > 0);
        Matcher rows = Pattern.compile("(?m)^[0-2]\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$").matcher(r.out());
        long total = 0;
        int count = 0;
        while (rows.find()) {
            for (int i = 1; i <= 3; i++) total += Long.parseLong(rows.group(i));
            count++;
        }
        assertEquals(3, count, r.out());
        assertEquals(135, total, "every training example in the matrix: 150 less the 15 held out for validation");
    }

    @Test
    void csvData(@TempDir Path tmp) throws Exception {
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 60; i++) {
            double x = (i % 10) / 10.0, y = (i / 10) / 6.0;
            sb.append(x).append(',').append(y).append(',').append(x > 0.45 ? 1 : 0).append('\n');
        }
        Path csv = Files.writeString(tmp.resolve("points.csv"), sb.toString());
        Cli.Run r = Cli.run("train", "--data", csv.toString(), "--epochs", "60", "--batch-size", "0", "--hidden", "8",
                "--out", tmp.resolve("run").toString(), "--quiet");
        assertEquals(0, r.exit(), r::toString);
        String last = Files.readAllLines(tmp.resolve("run/metrics.csv")).get(60);
        assertTrue(Double.parseDouble(last.split(",")[2]) >= 0.95, last);
        assertTrue(Files.exists(tmp.resolve("run/decision-boundary.png")), "2 features: a plane");
    }

    // ------------------------------------------------------------------------------------------- errors

    @Test
    void unknownOptimizer(@TempDir Path tmp) {
        Cli.Run r = ErrorsTest.oneLineError("'adamm'", "train", "--optimizer", "adamm", "--out", tmp.toString());
        assertEquals(2, r.exit());
    }

    @Test
    void missingDataFile() {
        ErrorsTest.oneLineError("no such file or folder", "train", "--data", "/nonexistent/points.csv");
    }

    @Test
    void wrongCsvShape(@TempDir Path tmp) throws Exception {
        Path csv = Files.writeString(tmp.resolve("bad.csv"), "1,2,0\n3,4,1\n5,1\n");
        ErrorsTest.oneLineError("line 3: 2 columns, expected 3", "train", "--data", csv.toString(), "--out",
                tmp.resolve("o").toString());
        Path words = Files.writeString(tmp.resolve("words.csv"), "1,2,0\n3,x,1\n");
        ErrorsTest.oneLineError("line 2, column 2: 'x' is not a number", "train", "--data", words.toString(), "--out",
                tmp.resolve("o").toString());
    }

    @Test
    void checkpointFromAnotherModel(@TempDir Path tmp) throws Exception {
        Path big = tmp.resolve("big");
        Path small = tmp.resolve("small");
        assertEquals(0, Cli.run(spiral(big, "--epochs", "1", "--quiet")).exit());
        assertEquals(0, Cli.run("train", "--data", "moons", "--samples", "40", "--hidden", "4", "--epochs", "1",
                "--out", small.toString(), "--quiet").exit());
        // A spiral model (3 classes) on moons is refused.
        ErrorsTest.oneLineError("3 classes", "eval", big.toString(), "--data", "xor");
        // Another run's weights under this run's checkpoint.properties are caught.
        Files.copy(small.resolve("model.safetensors"), checkpointFile(big, "model.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        ErrorsTest.oneLineError("does not belong", "eval", big.toString());
        ErrorsTest.oneLineError("does not belong", "train", "--resume", big.toString(), "--epochs", "3");
        // Not a checkpoint folder at all.
        ErrorsTest.oneLineError("no checkpoint.properties", "eval", tmp.toString());
    }

    @Test
    void resumeRefusesToChangeTheModel(@TempDir Path tmp) {
        Path run = tmp.resolve("r");
        assertEquals(0, Cli.run(spiral(run, "--epochs", "1", "--quiet")).exit());
        ErrorsTest.oneLineError("--hidden cannot be given with --resume", "train", "--resume", run.toString(),
                "--hidden", "8", "--epochs", "2");
        ErrorsTest.oneLineError("already trained 1 epochs", "train", "--resume", run.toString());
    }

    @Test
    void unwritableOutputFolder(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        ErrorsTest.oneLineError("cannot", "train", "--epochs", "1", "--out", file.resolve("run").toString());
    }

    @Test
    void missingFashionMnistSaysHowToInstallIt(@TempDir Path tmp) {
        String key = "chainrule.fashion-mnist.dir";
        System.setProperty(key, tmp.resolve("nowhere").toString());
        try {
            ErrorsTest.oneLineError("apt-get install dataset-fashion-mnist", "train", "--data", "fashion-mnist",
                    "--out", tmp.resolve("o").toString());
        } finally {
            System.clearProperty(key);
        }
    }

    @Test
    void cnnNeedsImages(@TempDir Path tmp) {
        ErrorsTest.oneLineError("--model cnn needs image data", "train", "--model", "cnn", "--out", tmp.toString());
    }
}
