package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Progress where no bar can be drawn (a pipe, a log), the stop message, and the resume hint's program name. */
class ProgressTest {
    private static final Pattern LINE = Pattern.compile(
            "(?m)^epoch 1/1  batch (\\d+)/14  loss [0-9.]+  acc +[0-9.]+%  [0-9,]+ ex/s  ETA \\d+:\\d\\d$");

    @Test
    void progressLinesDuringAnEpochWhenTheOutputIsNotATerminal(@TempDir Path tmp) {
        // 135 training examples in batches of 10: 14 batches. A line at most every nanosecond: one after each batch.
        Cli.Run r = Cli.run(TrainCommandTest.spiral(tmp.resolve("a"), "--epochs", "1", "--batch-size", "10",
                "--progress-every", "1e-9"));
        assertEquals(0, r.exit(), r::toString);
        var m = LINE.matcher(r.out());
        int lines = 0, lastBatch = 0;
        while (m.find()) {
            int batch = Integer.parseInt(m.group(1));
            assertTrue(batch > lastBatch && batch < 14, "batches count up, the last one is the summary's: " + batch);
            lastBatch = batch;
            lines++;
        }
        assertTrue(lines >= 1, r.out());
        for (String off : new String[] {"--quiet", "--json"}) {
            Cli.Run none = Cli.run(TrainCommandTest.spiral(tmp.resolve("b" + off), "--epochs", "1", "--batch-size", "10",
                    "--progress-every", "1e-9", off));
            assertFalse(LINE.matcher(none.out()).find(), none.out());
        }
        Cli.Run zero = Cli.run(TrainCommandTest.spiral(tmp.resolve("c"), "--epochs", "1", "--batch-size", "10",
                "--progress-every", "0"));
        assertFalse(LINE.matcher(zero.out()).find(), zero.out());
        Cli.Run bad = Cli.run(TrainCommandTest.spiral(tmp.resolve("d"), "--progress-every", "-1"));
        assertEquals(2, bad.exit());
    }

    @Test
    void stopSaysHowManyBatchesAndNamesTheCommandAsTyped(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        String before = System.getProperty("chainrule.command");
        System.setProperty("chainrule.command", "bin/chainrule");
        try {
            Cli.Run r = Cli.run(TrainCommandTest.spiral(run, "--epochs", "2", "--batch-size", "32",
                    "--stop-after-batches", "3"));
            assertEquals(130, r.exit(), r::toString);
            // 135 training examples in batches of 32: 5 batches an epoch.
            assertTrue(r.out().contains("stopped after batch 3 of 5 in epoch 1; checkpoint saved in " + run), r.out());
            assertTrue(r.out().contains("resume with: bin/chainrule train --resume " + run), r.out());
        } finally {
            if (before == null) System.clearProperty("chainrule.command");
            else System.setProperty("chainrule.command", before);
        }
    }
}
