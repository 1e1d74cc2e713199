package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --augment flip,shift,noise: changes the training batches, reproducibly, and survives --resume exactly. */
class AugmentTest {
    @Test
    void augmentedRunsAreReproducibleAndResumeExactly(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 60, 10);
        String[] base = {"train", "--data", data.toString(), "--hidden", "8", "--epochs", "2", "--batch-size", "16",
                "--augment", "flip,shift,noise", "--out"};
        Path whole = tmp.resolve("whole");
        Cli.Run r = Cli.run(ValidationTest.concat(base, whole.toString()));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("augment flip,shift,noise"), r.out());
        Path split = tmp.resolve("split");
        assertEquals(130, Cli.run(ValidationTest.concat(base, split.toString(), "--stop-after-batches", "5")).exit());
        assertEquals(0, Cli.run("train", "--resume", split.toString(), "--quiet").exit());
        byte[] model = Files.readAllBytes(whole.resolve("model.safetensors"));
        assertArrayEquals(model, Files.readAllBytes(split.resolve("model.safetensors")), "the same augmented batches");
        Path plain = tmp.resolve("plain");
        String[] noAugment = Arrays.copyOf(base, base.length);
        noAugment[noAugment.length - 2] = "flip"; // --augment flip only
        assertEquals(0, Cli.run(ValidationTest.concat(noAugment, plain.toString(), "--quiet")).exit());
        assertFalse(Arrays.equals(model, Files.readAllBytes(plain.resolve("model.safetensors"))),
                "shift and noise change the run");
    }

    @Test
    void imageAugmentationsNeedImages(@TempDir Path tmp) {
        ErrorsTest.oneLineError("--augment flip is for images; this data has input [2]", "train", "--augment", "flip",
                "--out", tmp.resolve("a").toString());
        ErrorsTest.oneLineError("--augment takes flip, shift, noise (comma-separated), not 'blur'", "train",
                "--augment", "noise,blur", "--out", tmp.resolve("b").toString());
        Cli.Run noise = Cli.run(TrainCommandTest.spiral(tmp.resolve("c"), "--epochs", "1", "--augment", "noise", "--quiet"));
        assertEquals(0, noise.exit(), noise::toString);
    }
}
