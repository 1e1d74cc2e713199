package io.chainrule.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny image set as a folder of IDX files, written by the tests themselves: 8×8 gray images of two classes, a
 * bright left half (class 0) or a bright right half (class 1), with a little deterministic speckle.
 */
final class IdxFixture {
    static final int SIDE = 8;

    private IdxFixture() {}

    /** Writes train-* ({@code train} images) and t10k-* ({@code test} images) into {@code dir}; returns it. */
    static Path write(Path dir, int train, int test) throws IOException {
        Files.createDirectories(dir);
        writePair(dir, "train", train, 1);
        writePair(dir, "t10k", test, 7);
        return dir;
    }

    /** The pixels of example {@code i}: class {@code i % 2}. */
    static byte[] image(int i, int salt) {
        byte[] px = new byte[SIDE * SIDE];
        int label = i % 2;
        for (int r = 0; r < SIDE; r++) {
            for (int c = 0; c < SIDE; c++) {
                boolean bright = label == 0 ? c < SIDE / 2 : c >= SIDE / 2;
                int speckle = ((i * 31 + r * 7 + c * 13 + salt) % 5) * 10;
                px[r * SIDE + c] = (byte) ((bright ? 200 : 20) + speckle);
            }
        }
        return px;
    }

    private static void writePair(Path dir, String prefix, int n, int salt) throws IOException {
        ByteBuffer images = ByteBuffer.allocate(16 + n * SIDE * SIDE);
        images.put(new byte[] {0, 0, 0x08, 3}).putInt(n).putInt(SIDE).putInt(SIDE);
        for (int i = 0; i < n; i++) images.put(image(i, salt));
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), images.array());
        ByteBuffer labels = ByteBuffer.allocate(8 + n);
        labels.put(new byte[] {0, 0, 0x08, 1}).putInt(n);
        for (int i = 0; i < n; i++) labels.put((byte) (i % 2));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), labels.array());
    }
}
