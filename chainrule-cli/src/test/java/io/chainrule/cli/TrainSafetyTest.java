package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** What train must not do: replace a run silently, or accept an input it cannot honour without saying so. */
class TrainSafetyTest {
    private static String[] spiral(Path out, String... more) {
        return TrainCommandTest.spiral(out, more);
    }

    @Test
    void aFolderAnotherTrainIsWritingToIsRefused(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(spiral(run, "--epochs", "1", "--quiet")).exit());
        byte[] model = Files.readAllBytes(run.resolve("model.safetensors"));
        // A --resume while the first train still writes there (here: the lock held as a live train holds it).
        try (var held = io.chainrule.cli.train.RunFolder.lock(run)) {
            ErrorsTest.oneLineError("another 'chainrule train' is writing to " + run, "train", "--resume", run.toString(),
                    "--epochs", "2");
            ErrorsTest.oneLineError("another 'chainrule train' is writing to " + run, spiral(run, "--epochs", "1", "--force"));
        }
        assertArrayEquals(model, Files.readAllBytes(run.resolve("model.safetensors")), "the run is untouched");
        Cli.Run resumed = Cli.run("train", "--resume", run.toString(), "--epochs", "2", "--quiet");
        assertEquals(0, resumed.exit(), resumed::toString); // released with the holder
        CheckpointCrashTest.assertNoLeftovers(run);
    }

    @Test
    void anExistingRunIsRefusedAndForceReplacesIt(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(spiral(run, "--epochs", "2", "--quiet")).exit());
        byte[] model = Files.readAllBytes(run.resolve("model.safetensors"));
        String metrics = Files.readString(run.resolve("metrics.csv"));

        Cli.Run again = ErrorsTest.oneLineError("already holds a run", spiral(run, "--epochs", "3", "--seed", "9"));
        String line = again.errLines().get(0);
        assertTrue(line.contains("--resume " + run) && line.contains("--force") && line.contains("new --out folder"), line);
        assertArrayEquals(model, Files.readAllBytes(run.resolve("model.safetensors")), "the run is untouched");
        assertEquals(metrics, Files.readString(run.resolve("metrics.csv")));

        // Resuming another run into it is refused the same way.
        Path other = tmp.resolve("other");
        assertEquals(0, Cli.run(spiral(other, "--epochs", "1", "--quiet")).exit());
        ErrorsTest.oneLineError("already holds a run", "train", "--resume", other.toString(), "--epochs", "2",
                "--out", run.toString());
        assertArrayEquals(model, Files.readAllBytes(run.resolve("model.safetensors")));

        // Files of a run killed before its first checkpoint: --resume is not suggested, there is nothing to resume.
        Path early = Files.createDirectories(tmp.resolve("early"));
        Files.writeString(early.resolve("graph.dot"), "digraph {}");
        Cli.Run refused = ErrorsTest.oneLineError("already holds files of a run (graph.dot)", spiral(early, "--epochs", "1"));
        assertFalse(refused.err().contains("--resume"), refused::toString);
        assertEquals(0, Cli.run(spiral(early, "--epochs", "1", "--force", "--quiet")).exit());

        Cli.Run forced = Cli.run(spiral(run, "--epochs", "3", "--seed", "9", "--force", "--quiet"));
        assertEquals(0, forced.exit(), forced::toString);
        assertFalse(java.util.Arrays.equals(model, Files.readAllBytes(run.resolve("model.safetensors"))), "replaced");
        assertEquals(4, Files.readAllLines(run.resolve("metrics.csv")).size(), "only the new run's epochs");
        CheckpointCrashTest.assertNoLeftovers(run);
    }

    @Test
    void anEmptyFolderOrOneWithOtherFilesIsFine(@TempDir Path tmp) throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(0, Cli.run(spiral(empty, "--epochs", "1", "--quiet")).exit());
        Path notes = Files.writeString(Files.createDirectories(tmp.resolve("mine")).resolve("notes.txt"), "keep me");
        Cli.Run r = Cli.run(spiral(notes.getParent(), "--epochs", "1", "--quiet"));
        assertEquals(0, r.exit(), r::toString);
        assertEquals("keep me", Files.readString(notes));
    }

    @Test
    void emptyHiddenIsAnError(@TempDir Path tmp) {
        Path out = tmp.resolve("o");
        ErrorsTest.oneLineError("--hidden '' names no layer", "train", "--hidden", "", "--out", out.toString());
        ErrorsTest.oneLineError("'64,' has an empty one", "train", "--hidden", "64,", "--out", out.toString());
        assertFalse(Files.exists(out), "nothing created");
    }

    @Test
    void threadsBeyondTheProcessorsAreCappedWithAWarning(@TempDir Path tmp) {
        int processors = Runtime.getRuntime().availableProcessors();
        Cli.Run r = Cli.run(spiral(tmp.resolve("t"), "--epochs", "1", "--threads", "1000"));
        assertEquals(0, r.exit(), r::toString);
        assertEquals(List.of("warning: --threads 1000 is more than the " + processors + " processors available; using "
                + processors + " (more threads than processors only slow the kernels down)"), r.errLines());
        assertTrue(r.out().contains(", " + processors + " thread"), r.out());
        assertEquals(processors, io.chainrule.Threads.get());
    }

    @Test
    void quietPrintsNothingAndJsonWinsOverIt(@TempDir Path tmp) {
        Cli.Run quiet = Cli.run(spiral(tmp.resolve("q"), "--epochs", "3", "--batch-size", "32", "--stop-after-batches",
                "2", "-q"));
        assertEquals(130, quiet.exit(), quiet::toString);
        assertEquals("", quiet.out() + quiet.err(), "-q prints nothing, not even the stop");

        Cli.Run both = Cli.run(spiral(tmp.resolve("j"), "--epochs", "3", "--batch-size", "32", "--stop-after-batches",
                "2", "--quiet", "--json"));
        assertEquals(130, both.exit(), both::toString);
        String[] lines = both.out().strip().split("\\R");
        assertEquals(2, lines.length, both.out());
        assertTrue(lines[0].startsWith("{\"event\":\"start\""), lines[0]);
        assertTrue(lines[1].startsWith("{\"event\":\"interrupted\",\"epoch\":0,\"batch\":2"), lines[1]);
        assertEquals("", both.err());
    }

    @Test
    void anUncreatableFolderGetsARealReason() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs Linux's /proc");
        Cli.Run r = ErrorsTest.oneLineError("/proc does not allow new folders", "train", "--epochs", "1", "--out", "/proc/x");
        assertFalse(r.errLines().get(0).endsWith(": /proc/x"), r.errLines().get(0));
    }

    @Test
    void newtonOnTooLargeAModelIsOneLineAndWritesNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("n");
        ErrorsTest.oneLineError("it takes at most 5,000", "train", "--optimizer", "newton", "--hidden", "100,100",
                "--out", out.toString());
        assertFalse(Files.exists(out), "no output folder");
    }

    @Test
    void anExplodingLossIsReported(@TempDir Path tmp) {
        Cli.Run r = Cli.run(spiral(tmp.resolve("x"), "--epochs", "3", "--lr", "1e6"));
        assertEquals(0, r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), r::toString);
        String w = r.errLines().get(0);
        assertTrue(w.startsWith("warning: the loss exploded: ") && w.contains("at epoch 2, batch 1")
                && w.endsWith("the learning rate (1.000e+06) is probably too high for adam"), w);
        // A loss that only wanders (the default rate) says nothing.
        Cli.Run fine = Cli.run(spiral(tmp.resolve("f"), "--epochs", "3"));
        assertEquals(List.of(), fine.errLines(), fine::toString);
    }

    /** Every file a run and eval write has the mode a plain Files.write gets (the umask's), not 0600. */
    @Test
    void outputsGetTheUsersPermissions(@TempDir Path tmp) throws Exception {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(spiral(run, "--epochs", "2", "--quiet")).exit());
        assertEquals(0, Cli.run("eval", run.toString()).exit());
        Set<PosixFilePermission> plain = Files.getPosixFilePermissions(Files.write(tmp.resolve("plain"), new byte[1]));
        List<String> checked = new ArrayList<>();
        try (Stream<Path> all = Files.walk(run)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                assertEquals(plain, Files.getPosixFilePermissions(f), run.relativize(f).toString());
                checked.add(run.relativize(f).toString());
            }
        }
        for (String f : List.of("metrics.csv", "loss.png", "accuracy.png", "decision-boundary.png", "graph.dot",
                "checkpoint.properties", "model.safetensors", "confusion.png")) {
            assertTrue(checked.contains(f), f + " in " + checked);
        }
        assertTrue(checked.stream().anyMatch(f -> f.startsWith("checkpoints/step-") && f.endsWith("optimizer.safetensors")),
                checked.toString());
    }
}
