package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM (what Ctrl-C's SIGINT also does: the JVM runs its shutdown hooks) at the moment the first charts are
 * drawn, right after epoch 1's checkpoint. The charts are the JVM's first use of ImageIO, whose disk cache used to
 * register a shutdown hook there: "Shutdown in progress" replaced the stop message, or the JVM halted before any
 * message. A test hook holds the run just before that chart write until the signal has arrived.
 */
class TrainSignalTest {
    @Test
    void sigtermDuringTheFirstChartWriteStopsNormally(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Path paused = tmp.resolve("paused");
        ChildJvm.Child child = ChildJvm.start(tmp.resolve("logs"), List.of("-Dchainrule.test.pauseAt=charts:1:" + paused),
                "train", "--samples", "50", "--hidden", "8", "--epochs", "50", "--out", run.toString());
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(paused)) {
            assertTrue(child.process().isAlive(), child::output);
            assertTrue(System.nanoTime() < deadline, "the run never reached the chart write\n" + child.output());
            Thread.sleep(5);
        }
        child.process().destroy(); // SIGTERM
        child.waitFor(60);
        String out = child.out();
        assertTrue(out.contains("stopped after epoch 1; checkpoint saved in " + run), child.output());
        assertTrue(out.contains("resume with: chainrule train --resume " + run), child.output());
        assertFalse(child.err().contains("Shutdown in progress"), child.output());
        assertEquals("", child.err().replaceAll("(?m)^note: Graphviz.*\\R", ""), child.output());
        assertTrue(Files.size(run.resolve("loss.png")) > 0, "the charts are drawn after the stop");

        Cli.Run resumed = Cli.run("train", "--resume", run.toString(), "--epochs", "2", "--quiet");
        assertEquals(0, resumed.exit(), resumed::toString);
        assertEquals(3, Files.readAllLines(run.resolve("metrics.csv")).size());
    }
}
