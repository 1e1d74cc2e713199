package io.chainrule.cli;

import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@code chainrule train} process killed while it writes a checkpoint: at each step of the save (a test hook
 * halts the JVM there, as kill -9 would) and at random moments (SIGKILL from here). After every crash the folder
 * holds a complete checkpoint, the previous one or the new one; {@code eval} reads it, {@code --resume} finishes
 * the run with the parameters of an uninterrupted run, bit for bit, and leaves no temporary file behind.
 */
class CheckpointCrashTest {
    /** 150 points in batches of 32: 5 optimizer steps per epoch. */
    private static final List<String> RUN = List.of("train", "--samples", "50", "--hidden", "16,16", "--batch-size",
            "32", "--seed", "5", "--epochs", "4", "--quiet");
    private static final int HALTED = 86; // FaultInjection.CRASH_EXIT

    @TempDir
    static Path shared;
    private static byte[] referenceModel;
    private static byte[] referenceOptimizer;
    private static byte[] referenceBest;

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        Path ref = shared.resolve("reference");
        Cli.Run r = Cli.run(args(RUN, ref));
        assertEquals(0, r.exit(), r::toString);
        referenceModel = Files.readAllBytes(ref.resolve("model.safetensors"));
        referenceOptimizer = Files.readAllBytes(TrainCommandTest.checkpointFile(ref, "optimizer.safetensors"));
        referenceBest = Files.readAllBytes(ref.resolve("best.safetensors"));
    }

    /**
     * Each point of the second checkpoint's save, in order; the kill leaves the first checkpoint (epoch 1) in force
     * up to the rename of checkpoint.properties, the second (epoch 2) from then on.
     */
    @Test
    void killAtEveryStepOfASave(@TempDir Path tmp) throws Exception {
        String[][] phases = {{"metrics-written", "1"}, {"folder-created", "1"}, {"model-written", "1"},
                {"optimizer-written", "1"}, {"best-written", "1"}, {"pointer-written", "1"}, {"pointer-switched", "2"},
                {"model-published", "2"}, {"saved", "2"}};
        // The children run side by side (each waits on its own fsyncs), then each crashed folder is checked.
        List<ChildJvm.Child> children = new ArrayList<>();
        for (String[] phase : phases) {
            children.add(ChildJvm.start(tmp.resolve("logs"), List.of("-Dchainrule.test.crashAt=" + phase[0] + ":2"),
                    args(RUN, tmp.resolve(phase[0]))));
        }
        for (int i = 0; i < phases.length; i++) {
            String phase = phases[i][0];
            ChildJvm.Child child = children.get(i);
            assertEquals(HALTED, child.waitFor(120), () -> phase + ": the hook did not halt the run\n" + child.output());
            Path run = tmp.resolve(phase);
            String props = Files.readString(run.resolve("checkpoint.properties"));
            assertTrue(props.contains("progress.epoch=" + phases[i][1] + "\n"), phase + ": " + props);
            recoverAndCompare(run, phase);
        }
    }

    /**
     * SIGKILL at random moments shortly after the first checkpoint, while the run saves one every 5 steps: until 3
     * runs were killed part way (a run that finished first does not count).
     */
    @Test
    void killAtRandomMoments(@TempDir Path tmp) throws Exception {
        List<String> longer = new ArrayList<>(RUN);
        longer.set(longer.indexOf("4"), "40");
        Path ref = tmp.resolve("reference");
        assertEquals(0, Cli.run(args(longer, ref)).exit());
        byte[] want = Files.readAllBytes(ref.resolve("model.safetensors"));

        Random random = new Random(12);
        int killed = 0;
        for (int trial = 0; killed < 3 && trial < 8; trial++) {
            Path run = tmp.resolve("run" + trial);
            String name = "trial " + trial;
            ChildJvm.Child child = ChildJvm.start(tmp.resolve("logs"), List.of(), args(longer, run));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.exists(run.resolve("checkpoint.properties")) && child.process().isAlive()) {
                if (System.nanoTime() > deadline) throw new AssertionError("no checkpoint after 120 s\n" + child.output());
                Thread.sleep(1);
            }
            Thread.sleep(random.nextInt(40));
            child.process().destroyForcibly();
            if (child.waitFor(60) == 0) continue; // it finished before the kill: nothing to recover
            if (Files.readString(run.resolve("checkpoint.properties")).contains("progress.epoch=40\n")) {
                // Killed after the last checkpoint (drawing the final charts): there is nothing left to resume.
                assertArrayEquals(want, Files.readAllBytes(run.resolve("model.safetensors")), name);
                continue;
            }
            killed++;
            Cli.Run eval = Cli.run("eval", run.toString(), "--json");
            assertEquals(0, eval.exit(), () -> name + ": eval after the kill\n" + eval);
            Cli.Run resumed = Cli.run("train", "--resume", run.toString(), "--quiet");
            assertEquals(0, resumed.exit(), () -> name + ": resume after the kill\n" + resumed);
            assertArrayEquals(want, Files.readAllBytes(run.resolve("model.safetensors")), name);
            assertNoLeftovers(run);
        }
        assertEquals(3, killed, "runs killed part way");
    }

    /** Checks the crashed folder, resumes it to the end, and compares with the uninterrupted run. */
    private static void recoverAndCompare(Path run, String phase) throws IOException {
        // Whatever model.safetensors holds after the crash (the previous model or the new one), it is whole.
        Safetensors.load(run.resolve("model.safetensors"));
        Cli.Run eval = Cli.run("eval", run.toString(), "--json");
        assertEquals(0, eval.exit(), () -> phase + ": eval after the crash\n" + eval);
        assertTrue(eval.out().startsWith("{\"data\":\"spiral\""), eval.out());
        Cli.Run resumed = Cli.run("train", "--resume", run.toString(), "--quiet");
        assertEquals(0, resumed.exit(), () -> phase + ": resume after the crash\n" + resumed);
        assertArrayEquals(referenceModel, Files.readAllBytes(run.resolve("model.safetensors")), phase);
        assertArrayEquals(referenceModel, Files.readAllBytes(TrainCommandTest.checkpointFile(run, "model.safetensors")), phase);
        assertArrayEquals(referenceOptimizer,
                Files.readAllBytes(TrainCommandTest.checkpointFile(run, "optimizer.safetensors")), phase);
        // The best model (validation split on by default) survives the crash with the checkpoint it belongs to.
        assertArrayEquals(referenceBest, Files.readAllBytes(run.resolve("best.safetensors")), phase);
        assertArrayEquals(referenceBest, Files.readAllBytes(TrainCommandTest.checkpointFile(run, "best.safetensors")), phase);
        assertEquals(5, Files.readAllLines(run.resolve("metrics.csv")).size(), phase + ": one row per epoch");
        assertNoLeftovers(run);
    }

    /** No temporary file anywhere, one checkpoint folder, no file of the first layout. */
    static void assertNoLeftovers(Path run) throws IOException {
        try (Stream<Path> all = Files.walk(run)) {
            List<Path> temps = all.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
            assertEquals(List.of(), temps, "temporary files left in " + run);
        }
        try (Stream<Path> folders = Files.list(run.resolve("checkpoints"))) {
            assertEquals(1, folders.count(), "checkpoint folders in " + run);
        }
        assertFalse(Files.exists(run.resolve("optimizer.safetensors")));
        assertTrue(Files.isSameFile(run.resolve("model.safetensors"),
                TrainCommandTest.checkpointFile(run, "model.safetensors")));
    }

    private static String[] args(List<String> base, Path out) {
        List<String> all = new ArrayList<>(base);
        all.addAll(List.of("--out", out.toString()));
        return all.toArray(new String[0]);
    }
}
