package io.chainrule.cli.train;

import io.chainrule.cli.CliException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Class labels in a folder of IDX files follow the CSV rule: a class number of at most DataSource.MAX_LABEL. */
class IdxLabelsTest {
    @TempDir
    Path dir;

    /** Two 2×2 images and their int labels, as train-images / train-labels IDX files. */
    private void writeFolder(int... labels) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(4 + 12 + 4 * labels.length);
        images.put(new byte[] {0, 0, 0x08, 3}).putInt(labels.length).putInt(2).putInt(2);
        Files.write(dir.resolve("train-images-idx3-ubyte"), images.array());
        ByteBuffer y = ByteBuffer.allocate(4 + 4 + 4 * labels.length);
        y.put(new byte[] {0, 0, 0x0C, 1}).putInt(labels.length);
        for (int l : labels) y.putInt(l);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), y.array());
    }

    @Test
    void hugeLabelsAreRefusedLikeInACsv() throws IOException {
        for (int huge : new int[] {Integer.MAX_VALUE, 1_000_000_000, 10_001}) {
            writeFolder(0, huge);
            // before: NegativeArraySizeException, or 38 s and then out of memory
            CliException e = assertThrows(CliException.class,
                    () -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> DataSource.idxFolder(dir, 0)));
            assertTrue(e.getMessage().contains(dir.resolve("train-labels-idx1-ubyte").toString()), e.getMessage());
            assertTrue(e.getMessage().contains("label " + huge + " is too large for a class number (at most 10000)"),
                    e.getMessage());
        }
        writeFolder(0, 10_000);
        assertEquals(10_001, DataSource.idxFolder(dir, 0).classes());
    }
}
