package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The run folder's checkpoint layout: the first layout still read, leftovers cleared, a bad pointer refused. */
class CheckpointLayoutTest {
    private static final String[] RUN = {"--epochs", "2", "--batch-size", "32", "--seed", "4", "--quiet"};

    @Test
    void theFirstLayoutIsReadAndMovedToFolders(@TempDir Path tmp) throws Exception {
        Path ref = tmp.resolve("ref");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(ref, RUN)).exit());
        assertEquals(0, Cli.run("train", "--resume", ref.toString(), "--epochs", "3", "--quiet").exit());

        // A run as the first layout wrote it: the three files side by side, format 1, no checkpoint folder.
        Path old = tmp.resolve("old");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(old, RUN)).exit());
        Path folder = TrainCommandTest.checkpointFile(old, "");
        Files.move(folder.resolve("model.safetensors"), old.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(folder.resolve("optimizer.safetensors"), old.resolve("optimizer.safetensors"));
        deleteTree(old.resolve("checkpoints"));
        Path props = old.resolve("checkpoint.properties");
        Files.writeString(props, Files.readString(props).replace("chainrule-checkpoint-2", "chainrule-checkpoint-1")
                .replaceAll("(?m)^checkpoint\\.folder=.*\\R", ""));

        Cli.Run eval = Cli.run("eval", old.toString());
        assertEquals(0, eval.exit(), eval::toString);
        Cli.Run resumed = Cli.run("train", "--resume", old.toString(), "--epochs", "3", "--quiet");
        assertEquals(0, resumed.exit(), resumed::toString);
        assertArrayEquals(Files.readAllBytes(ref.resolve("model.safetensors")), Files.readAllBytes(old.resolve("model.safetensors")));
        assertTrue(Files.readString(props).contains("format=chainrule-checkpoint-2"));
        CheckpointCrashTest.assertNoLeftovers(old); // the old optimizer.safetensors is gone too
    }

    @Test
    void whatAKilledRunLeftIsRemovedByTheNext(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(run, RUN)).exit());
        Files.write(run.resolve(".metrics.csv.5e2a.tmp"), new byte[10]);
        Files.write(run.resolve(".checkpoint.properties.77.tmp"), new byte[10]);
        Path half = Files.createDirectories(run.resolve("checkpoints/step-000000999"));
        Files.write(half.resolve(".model.safetensors.1f.tmp"), new byte[1000]);
        Files.write(run.resolve("checkpoints/.step.tmp"), new byte[1]);
        // A kill between the switch and the link leaves the previous model as model.safetensors.
        Files.copy(run.resolve("model.safetensors"), tmp.resolve("copy"));
        Files.move(tmp.resolve("copy"), run.resolve("model.safetensors"), StandardCopyOption.REPLACE_EXISTING);

        Cli.Run r = Cli.run("train", "--resume", run.toString(), "--epochs", "3", "--quiet");
        assertEquals(0, r.exit(), r::toString);
        CheckpointCrashTest.assertNoLeftovers(run);
        assertFalse(Files.exists(half));
    }

    @Test
    void aPointerOutOfTheRunFolderIsRefused(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(run, RUN)).exit());
        Path props = run.resolve("checkpoint.properties");
        Files.writeString(props, Files.readString(props).replaceAll("(?m)^checkpoint\\.folder=.*$",
                "checkpoint.folder=checkpoints/../../elsewhere"));
        ErrorsTest.oneLineError("is damaged: 'checkpoint.folder' should name a folder checkpoints/step-NNNNNNNNN",
                "eval", run.toString());
        Files.writeString(props, Files.readString(props).replaceAll("(?m)^checkpoint\\.folder=.*$",
                "checkpoint.folder=checkpoints/step-000000001"));
        ErrorsTest.oneLineError("checkpoint is incomplete", "train", "--resume", run.toString(), "--epochs", "3");
    }

    private static void deleteTree(Path p) throws Exception {
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }
}
