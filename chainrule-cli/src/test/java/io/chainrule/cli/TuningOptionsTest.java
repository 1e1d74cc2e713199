package io.chainrule.cli;

import io.chainrule.Tensor;
import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --lr-schedule, --weight-decay, --momentum, --dropout, --clip-grad-norm, and --lr refused for cg and newton. */
class TuningOptionsTest {
    private static double[] lrColumn(Path run) throws Exception {
        return Files.readAllLines(run.resolve("metrics.csv")).stream().skip(1)
                .mapToDouble(l -> Double.parseDouble(l.split(",")[5])).toArray();
    }

    @Test
    void stepScheduleDecaysTheLrEveryNEpochsAndSurvivesResume(@TempDir Path tmp) throws Exception {
        String[] opts = {"--epochs", "5", "--optimizer", "sgd", "--lr", "0.1", "--lr-schedule", "step", "--lr-step", "2",
                "--lr-gamma", "0.5"};
        Path whole = tmp.resolve("whole");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(whole, opts));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("sgd lr 0.1000, lr ×0.5 every 2 epochs"), r.out());
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05, 0.025}, lrColumn(whole), 1e-12);
        // Stopped after 3 epochs (full batch: one step each) and resumed: the same lr and the same parameters.
        Path split = tmp.resolve("split");
        assertEquals(130, Cli.run(TrainCommandTest.spiral(split, ValidationTest.concat(opts, "--stop-after-batches", "3",
                "--quiet"))).exit());
        assertEquals(0, Cli.run("train", "--resume", split.toString(), "--quiet").exit());
        assertArrayEquals(new double[] {0.1, 0.1, 0.05, 0.05, 0.025}, lrColumn(split), 1e-12);
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(split.resolve("model.safetensors")));
    }

    @Test
    void expAndCosineSchedules(@TempDir Path tmp) throws Exception {
        Path exp = tmp.resolve("exp");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(exp, "--epochs", "3", "--lr", "0.01", "--lr-schedule", "exp",
                "--quiet")).exit());
        assertArrayEquals(new double[] {0.01, 0.0095, 0.009025}, lrColumn(exp), 1e-12);
        Path cos = tmp.resolve("cos");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(cos, "--epochs", "4", "--lr", "0.01", "--lr-schedule", "cosine",
                "--quiet")).exit());
        double[] want = new double[4];
        for (int e = 0; e < 4; e++) want[e] = 0.005 * (1 + Math.cos(Math.PI * e / 4));
        assertArrayEquals(want, lrColumn(cos), 1e-8);
    }

    @Test
    void dropoutLayersAreInTheModelAndResumeIsExact(@TempDir Path tmp) throws Exception {
        String[] opts = {"--epochs", "4", "--dropout", "0.3", "--batch-size", "50", "--weight-decay", "1e-4"};
        Path whole = tmp.resolve("whole");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(whole, opts));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("weight decay 0.0001, dropout 0.3"), r.out());
        // Linear, ReLU, Dropout, Linear, ReLU, Dropout, Linear: the layers' keys are 0, 3 and 6, as in PyTorch.
        Map<String, Tensor> state = Safetensors.load(whole.resolve("model.safetensors"));
        assertEquals(java.util.Set.of("0.weight", "0.bias", "3.weight", "3.bias", "6.weight", "6.bias"), state.keySet());
        Path split = tmp.resolve("split");
        assertEquals(130, Cli.run(TrainCommandTest.spiral(split, ValidationTest.concat(opts, "--stop-after-batches", "5",
                "--quiet"))).exit());
        assertEquals(0, Cli.run("train", "--resume", split.toString(), "--quiet").exit());
        assertArrayEquals(Files.readAllBytes(whole.resolve("model.safetensors")),
                Files.readAllBytes(split.resolve("model.safetensors")), "the same dropout masks after the resume");
        // eval, predict and export rebuild the model with its dropout layers (identity in eval mode).
        Cli.Run ev = Cli.run("eval", whole.toString(), "--split", "val", "--json");
        assertEquals(0, ev.exit(), ev::toString);
        Path rows = Files.writeString(tmp.resolve("rows.csv"), "0.1,0.2\n");
        Cli.Run p = Cli.run("predict", whole.toString(), "--input", rows.toString());
        assertEquals(0, p.exit(), p::toString);
    }

    @Test
    void clipGradNormAndMomentumChangeTheRun(@TempDir Path tmp) throws Exception {
        Path plain = tmp.resolve("plain"), clipped = tmp.resolve("clipped"), mom = tmp.resolve("mom");
        String[] base = {"--epochs", "2", "--optimizer", "sgd", "--lr", "0.5", "--quiet"};
        assertEquals(0, Cli.run(TrainCommandTest.spiral(plain, base)).exit());
        assertEquals(0, Cli.run(TrainCommandTest.spiral(clipped, ValidationTest.concat(base, "--clip-grad-norm", "1e-3"))).exit());
        assertEquals(0, Cli.run(TrainCommandTest.spiral(mom, ValidationTest.concat(base, "--momentum", "0.5"))).exit());
        Tensor w0 = Safetensors.load(plain.resolve("model.safetensors")).get("0.weight");
        Tensor c0 = Safetensors.load(clipped.resolve("model.safetensors")).get("0.weight");
        Tensor m0 = Safetensors.load(mom.resolve("model.safetensors")).get("0.weight");
        // The first step is the same for all; the clipped run moved less, the momentum run more, in step 2.
        Path init = tmp.resolve("init");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(init, "--epochs", "1", "--optimizer", "sgd", "--lr", "1e-30",
                "--quiet")).exit());
        Tensor i0 = Safetensors.load(init.resolve("model.safetensors")).get("0.weight");
        double plainMove = w0.sub(i0).norm().item(), clippedMove = c0.sub(i0).norm().item(), momMove = m0.sub(i0).norm().item();
        assertTrue(clippedMove <= 2 * 1e-3 * 0.5 + 1e-6, "two clipped steps of lr 0.5 move at most 1e-3: " + clippedMove);
        assertTrue(clippedMove < plainMove && momMove > plainMove, plainMove + " " + clippedMove + " " + momMove);
    }

    @Test
    void settingsAnOptimizerWouldIgnoreAreRefused(@TempDir Path tmp) {
        Path out = tmp.resolve("run");
        for (String[] c : List.of(
                new String[] {"--optimizer", "cg", "--lr", "0.5", "--lr: --optimizer cg takes no learning rate"},
                new String[] {"--optimizer", "newton", "--lr", "0.5", "--lr: --optimizer newton takes no learning rate"},
                new String[] {"--optimizer", "adam", "--momentum", "0.9", "--momentum is for sgd, momentum, nesterov and rmsprop, not adam"},
                new String[] {"--optimizer", "lbfgs", "--weight-decay", "0.1", "--weight-decay is for the first-order optimizers, not lbfgs"},
                new String[] {"--optimizer", "cg", "--lr-schedule", "exp", "--lr-schedule: cg takes no learning rate"},
                new String[] {"--lr-step", "3", "--lr-step and --lr-gamma need --lr-schedule"},
                new String[] {"--lr-schedule", "step", "--lr-schedule step needs --lr-step N"},
                new String[] {"--dropout", "1", "--dropout must be at least 0 and below 1, got 1.0"})) {
            String[] args = java.util.Arrays.copyOf(c, c.length - 1);
            Cli.Run r = Cli.run(TrainCommandTest.spiral(out, args));
            assertTrue(r.exit() != 0, r::toString);
            assertEquals(1, r.errLines().size(), r::toString);
            assertTrue(r.err().contains(c[c.length - 1]), r.err());
            assertFalse(Files.exists(out), "nothing written");
        }
        Cli.Run resume = Cli.run("train", "--resume", tmp.toString(), "--dropout", "0.1");
        assertTrue(resume.exit() != 0);
    }

    @Test
    void cgShowsNoLr(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run("train", "--samples", "20", "--optimizer", "cg", "--epochs", "1", "--hidden", "4",
                "--out", run.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("training  cg (no lr: it finds its own step)"), r.out());
        assertEquals("", Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",", -1)[5]);
    }
}
