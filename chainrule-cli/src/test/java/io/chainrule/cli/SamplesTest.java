package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --samples is points per class for every synthetic set; older checkpoints (moons, xor: in all) still read. */
class SamplesTest {
    @Test
    void pointsPerClassForEverySet(@TempDir Path tmp) {
        for (String[] c : new String[][] {{"spiral", "60"}, {"moons", "40"}, {"xor", "40"}}) {
            Cli.Run r = Cli.run("train", "--data", c[0], "--samples", "20", "--epochs", "1", "--val-split", "0",
                    "--hidden", "4", "--out", tmp.resolve(c[0]).toString());
            assertEquals(0, r.exit(), r::toString);
            assertTrue(r.out().contains(c[0] + ": " + c[1] + " training examples"), r.out());
        }
        Cli.Run def = Cli.run("train", "--data", "moons", "--epochs", "1", "--val-split", "0", "--hidden", "4",
                "--out", tmp.resolve("default").toString());
        assertTrue(def.out().contains("moons: 300 training examples"), def.out());
    }

    @Test
    void anOlderMoonsCheckpointStoredThePointsInAll(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run("train", "--data", "moons", "--samples", "20", "--epochs", "1", "--val-split", "0",
                "--hidden", "4", "--out", run.toString(), "--quiet").exit());
        Path props = run.resolve("checkpoint.properties");
        String now = Files.readString(props);
        assertTrue(now.contains("config.samples=20\n") && now.contains("config.samples_per_class=true\n"), now);
        // As an older version wrote it: 40 points in all, no per-class marker. The same 40 points are read.
        Files.writeString(props, now.replace("config.samples=20\n", "config.samples=40\n")
                .replace("config.samples_per_class=true\n", ""));
        Cli.Run ev = Cli.run("eval", run.toString(), "--split", "train", "--json");
        assertEquals(0, ev.exit(), ev::toString);
        assertTrue(ev.out().contains("\"examples\":40,"), ev.out());
        Files.writeString(props, Files.readString(props).replace("config.samples=40\n", "config.samples=41\n"));
        Cli.Run odd = Cli.run("eval", run.toString());
        assertEquals(1, odd.exit());
        assertTrue(odd.err().contains("stores 41 moons points in all (an older checkpoint)"), odd.err());
    }
}
