package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --optimizer newton: its cost said up front and after the first step, its parameter limit, its epoch default. */
class NewtonOptionsTest {
    @Test
    void costIsAnnouncedAndTheFirstStepTimed(@TempDir Path tmp) {
        // 2-8-3: 2·8 + 8 + 8·3 + 3 = 51 parameters. Stopped after 2 of the 20 default epochs (one full-batch step each).
        Cli.Run r = Cli.run("train", "--samples", "30", "--hidden", "8", "--optimizer", "newton", "--stop-after-batches",
                "2", "--out", tmp.resolve("run").toString());
        assertEquals(130, r.exit(), r::toString);
        assertTrue(r.err().contains("note: Newton builds the exact Hessian: 51 backward passes and a 51×51 Cholesky "
                + "per step, 20 steps in this run"), r.err());
        assertTrue(Pattern.compile("note: Newton's first step took [0-9.]+ s; the 20 steps of this run will take about "
                + "\\d+:\\d\\d").matcher(r.err()).find(), r.err());
        assertTrue(r.out().contains("20 epochs"), "Newton's default: 20 epochs\n" + r.out());
        Cli.Run quiet = Cli.run("train", "--samples", "30", "--hidden", "8", "--optimizer", "newton", "--epochs", "1",
                "--quiet", "--out", tmp.resolve("q").toString());
        assertEquals(0, quiet.exit(), quiet::toString);
        assertEquals("", quiet.err());
    }

    @Test
    void theParameterLimitIsAnOption(@TempDir Path tmp) {
        Path out = tmp.resolve("n");
        ErrorsTest.oneLineError("it takes at most 40 (try --hidden 8, --optimizer lbfgs, or raise --newton-max-params)",
                "train", "--samples", "30", "--optimizer", "newton", "--hidden", "8", "--newton-max-params", "40",
                "--out", out.toString());
        assertFalse(Files.exists(out));
        Cli.Run ok = Cli.run("train", "--samples", "30", "--optimizer", "newton", "--hidden", "8", "--epochs", "1",
                "--newton-max-params", "51", "--quiet", "--out", out.toString());
        assertEquals(0, ok.exit(), ok::toString);
        // The limit is not part of the run: --resume takes it again (and refuses a lower one).
        ErrorsTest.oneLineError("it takes at most 50", "train", "--resume", out.toString(), "--epochs", "2",
                "--newton-max-params", "50");
        Cli.Run zero = Cli.run("train", "--optimizer", "newton", "--newton-max-params", "0", "--out", out.toString());
        assertEquals(2, zero.exit(), zero::toString);
    }
}
