package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --val-split, --early-stop, --monitor, best.safetensors, and the test split evaluated once at the end. */
class ValidationTest {
    private static Properties checkpoint(Path run) throws Exception {
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(run.resolve("checkpoint.properties"))) {
            p.load(in);
        }
        return p;
    }

    /** Column {@code col} of metrics.csv, one value per epoch. */
    private static double[] column(Path run, String col) throws Exception {
        List<String> lines = Files.readAllLines(run.resolve("metrics.csv"));
        int c = List.of(lines.get(0).split(",")).indexOf(col);
        assertTrue(c >= 0, col + " in " + lines.get(0));
        return lines.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split(",")[c])).toArray();
    }

    @Test
    void defaultHoldsTenPercentOutAndKeepsTheBestModel(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(run, "--epochs", "30", "--lr", "0.02"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("spiral: 135 training examples (+15 validation)"), r.out());
        assertTrue(r.out().contains("val acc"), r.out());
        double[] valLoss = column(run, "val_loss");
        assertEquals(30, valLoss.length);
        int argmin = 0;
        for (int i = 1; i < valLoss.length; i++) if (valLoss[i] < valLoss[argmin]) argmin = i;
        Properties p = checkpoint(run);
        assertEquals(Integer.toString(argmin + 1), p.getProperty("best.epoch"), "the epoch of the lowest val_loss");
        assertEquals("0.1", p.getProperty("config.val_split"));
        assertTrue(r.out().contains("best      epoch " + (argmin + 1) + ": val_loss"), r.out());
        // best.safetensors beside the last model, the same file as the checkpoint folder's copy.
        assertTrue(Files.isSameFile(run.resolve("best.safetensors"),
                TrainCommandTest.checkpointFile(run, "best.safetensors")));
        // eval: the 15 held-out examples by default (a CSV-like source without a test split would use them too).
        Cli.Run val = Cli.run("eval", run.toString(), "--split", "val", "--json");
        assertEquals(0, val.exit(), val::toString);
        assertTrue(val.out().contains("\"split\":\"validation split\",\"examples\":15,"), val.out());
        Matcher m = Pattern.compile("\"accuracy\":([0-9.]+)").matcher(val.out());
        assertTrue(m.find());
        double[] valAcc = column(run, "val_acc");
        assertEquals(valAcc[29], Double.parseDouble(m.group(1)), 1e-9, "eval's val accuracy is the last epoch's");
        Cli.Run bestEval = Cli.run("eval", run.toString(), "--split", "val", "--best", "--json");
        assertEquals(0, bestEval.exit(), bestEval::toString);
        Matcher b = Pattern.compile("\"accuracy\":([0-9.]+)").matcher(bestEval.out());
        assertTrue(b.find());
        assertEquals(valAcc[argmin], Double.parseDouble(b.group(1)), 1e-9, "--best: the best epoch's val accuracy");
    }

    @Test
    void valSplitZeroTrainsOnEverything(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(run, "--epochs", "2", "--val-split", "0"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("spiral: 150 training examples, 3 classes"), r.out());
        assertFalse(r.out().contains("val acc"), r.out());
        assertFalse(Files.exists(run.resolve("best.safetensors")));
        assertEquals("", Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",", -1)[3]);
    }

    @Test
    void badValidationOptionsAreRefused(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        Cli.Run noData = Cli.run(TrainCommandTest.spiral(run, "--val-split", "0", "--early-stop", "3"));
        assertEquals(2, noData.exit(), noData::toString);
        assertTrue(noData.err().contains("--early-stop needs validation data"), noData.err());
        Cli.Run tooBig = Cli.run(TrainCommandTest.spiral(run, "--val-split", "1"));
        assertEquals(2, tooBig.exit());
        assertTrue(tooBig.err().contains("--val-split must be at least 0 and below 1, got 1.0"), tooBig.err());
        Cli.Run monitor = Cli.run(TrainCommandTest.spiral(run, "--monitor", "train_loss"));
        assertEquals(2, monitor.exit());
        assertTrue(monitor.err().contains("'train_loss' (expected one of val_loss, val_acc)"), monitor.err());
        Cli.Run tiny = Cli.run("train", "--samples", "1", "--val-split", "0.1", "--out", run.toString());
        assertEquals(1, tiny.exit(), tiny::toString);
        assertTrue(tiny.err().contains("--val-split 0.1 of 3 training examples leaves 0 for validation"), tiny.err());
        assertFalse(Files.exists(run), "nothing written for a refused run");
    }

    private static final String[] EARLY = {"--epochs", "80", "--lr", "0.05", "--early-stop", "3", "--monitor", "val_acc",
            "--seed", "2"};

    @Test
    void earlyStopEndsTheRunAndResumeKeepsItsCount(@TempDir Path tmp) throws Exception {
        Path whole = tmp.resolve("whole");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(whole, EARLY));
        assertEquals(0, r.exit(), r::toString);
        Matcher m = Pattern.compile("early stop after epoch (\\d+): val_acc has not improved for 3 epochs "
                + "\\(best [0-9.]+ at epoch (\\d+)\\)").matcher(r.out());
        assertTrue(m.find(), r.out());
        int stop = Integer.parseInt(m.group(1)), bestEpoch = Integer.parseInt(m.group(2));
        assertTrue(stop < 80 && stop == bestEpoch + 3, stop + " " + bestEpoch);
        double[] valAcc = column(whole, "val_acc");
        assertEquals(stop, valAcc.length, "no epoch after the stop");
        for (int i = 0; i < valAcc.length; i++) {
            if (i < bestEpoch - 1) assertTrue(valAcc[i] < valAcc[bestEpoch - 1], "the best is the first of its value");
            if (i >= bestEpoch) assertTrue(valAcc[i] <= valAcc[bestEpoch - 1], "no better epoch after the best");
        }
        Cli.Run again = Cli.run("train", "--resume", whole.toString());
        assertEquals(1, again.exit(), again::toString);
        assertTrue(again.err().contains("stopped early after epoch " + stop), again.err());

        // Interrupted one epoch before the stop (full batch: one step per epoch), then resumed: the count of epochs
        // without improvement carries over, so it stops at the same epoch with the same best model.
        Path split = tmp.resolve("split");
        Cli.Run first = Cli.run(TrainCommandTest.spiral(split, concat(EARLY, "--stop-after-batches",
                Integer.toString(stop - 1), "--quiet")));
        assertEquals(130, first.exit(), first::toString);
        Cli.Run rest = Cli.run("train", "--resume", split.toString());
        assertEquals(0, rest.exit(), rest::toString);
        assertTrue(rest.out().contains("early stop after epoch " + stop + ":"), rest.out());
        assertArrayEquals(Files.readAllBytes(whole.resolve("best.safetensors")),
                Files.readAllBytes(split.resolve("best.safetensors")));
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(split.resolve("model.safetensors")));
    }

    @Test
    void testSplitIsEvaluatedOnceAtTheEnd(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 60, 20);
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run("train", "--data", data.toString(), "--hidden", "8", "--epochs", "2", "--batch-size", "16",
                "--lr", "0.01", "--out", run.toString(), "--json");
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).contains("\"examples\":54,\"validation_examples\":6,\"test_examples\":20"), lines.get(0));
        for (String l : lines) {
            if (l.contains("\"event\":\"epoch\"")) assertFalse(l.contains("test"), "no test metric per epoch: " + l);
        }
        String done = lines.get(lines.size() - 1);
        assertTrue(done.contains("\"event\":\"done\"") && done.contains("\"test_acc\":") && done.contains("\"best_epoch\":"),
                done);
        // eval agrees: the test split, on the best model.
        Matcher t = Pattern.compile("\"test_acc\":([0-9.]+)").matcher(done);
        assertTrue(t.find());
        Cli.Run ev = Cli.run("eval", run.toString(), "--best", "--json");
        assertEquals(0, ev.exit(), ev::toString);
        assertTrue(ev.out().contains("\"examples\":20,\"accuracy\":" + t.group(1) + ","), ev.out() + " vs " + done);
    }

    static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
