package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class MnistTest {
    @TempDir
    Path dir;

    /** Writes a tiny MNIST-format split: n images where image i has pixel p = (i + p) mod 256, label i mod 10. */
    private void writeSplit(String prefix, int n, boolean gz) throws IOException {
        double[] pixels = new double[n * 784];
        for (int i = 0; i < n; i++) for (int p = 0; p < 784; p++) pixels[i * 784 + p] = (i + p) % 256;
        double[] labels = new double[n];
        for (int i = 0; i < n; i++) labels[i] = i % 10;
        byte[] images = IdxTest.idx(0x08, new int[] {n, 28, 28}, pixels);
        byte[] lab = IdxTest.idx(0x08, new int[] {n}, labels);
        String ext = gz ? ".gz" : "";
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + ext), gz ? IdxTest.gzip(images) : images);
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + ext), gz ? IdxTest.gzip(lab) : lab);
    }

    @Test
    void loadsSmallSplitsPlainAndGzipped() throws IOException {
        writeSplit("train", 12, true);
        writeSplit("t10k", 3, false);
        TensorDataset train = Mnist.load(dir, Split.TRAIN);
        TensorDataset test = FashionMnist.load(dir, Split.TEST);
        assertArrayEquals(new int[] {12, 1, 28, 28}, train.x().shape());
        assertArrayEquals(new int[] {3, 1, 28, 28}, test.x().shape());
        assertEquals(DType.FLOAT32, train.x().dtype());
        assertEquals(DType.INT64, train.y().dtype());
        assertEquals(200 / 255f, (float) train.x().get(5, 0, 6, 27), 0f); // pixel 195 of image 5: (5 + 195) / 255
        assertEquals(255 / 255f, (float) train.x().get(1, 0, 9, 2), 0f); // pixel 254 of image 1
        assertEquals(0f, (float) train.x().get(0, 0, 0, 0), 0f);
        assertArrayEquals(new long[] {0, 1, 2}, test.y().toLongArray());
        assertEquals(1, (int) train.y().get(11));
    }

    @Test
    void missingFilesSayHowToInstall() throws IOException {
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(dir.resolve("nope"), Split.TRAIN));
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        writeSplit("t10k", 2, false);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte"));
        e = assertThrows(IOException.class, () -> FashionMnist.load(dir, Split.TEST));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install dataset-fashion-mnist"), e.getMessage());
        e = assertThrows(IOException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte"), e.getMessage());
    }

    @Test
    void mismatchedCountsAndBadLabelsAreIOExceptions() throws IOException {
        writeSplit("train", 4, false);
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxTest.idx(0x08, new int[] {3}, new double[] {1, 2, 3}));
        IOException e = assertThrows(IOException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertTrue(e.getMessage().contains("4 images") && e.getMessage().contains("3 labels"), e.getMessage());
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxTest.idx(0x08, new int[] {4}, new double[] {1, 2, 12, 3}));
        e = assertThrows(IOException.class, () -> Mnist.load(dir, Split.TRAIN));
        assertTrue(e.getMessage().contains("label 12") && e.getMessage().contains("byte offset 10"), e.getMessage());
    }

    @Test
    void realFashionMnist() throws IOException {
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        TensorDataset train = FashionMnist.load(Split.TRAIN);
        TensorDataset test = FashionMnist.load(FashionMnist.DEFAULT_DIR, Split.TEST);
        assertArrayEquals(new int[] {60000, 1, 28, 28}, train.x().shape());
        assertArrayEquals(new int[] {60000}, train.y().shape());
        assertArrayEquals(new int[] {10000, 1, 28, 28}, test.x().shape());
        assertArrayEquals(new int[] {10000}, test.y().shape());
        assertEquals(0.0, train.x().min().item());
        assertEquals(1.0, train.x().max().item());
        // The published mean pixel of the training set, 0.2860 (std 0.3530).
        assertEquals(0.2860, train.x().mean().item(), 5e-4);
        int[] trainCounts = bincount(train.y());
        int[] testCounts = bincount(test.y());
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, trainCounts[c], "class " + c);
            assertEquals(1000, testCounts[c], "class " + c);
        }
    }

    private static int[] bincount(Tensor y) {
        int[] counts = new int[10];
        for (long v : y.toLongArray()) {
            assertTrue(v >= 0 && v <= 9, "label " + v);
            counts[(int) v]++;
        }
        return counts;
    }
}
