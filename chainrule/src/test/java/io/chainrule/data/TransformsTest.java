package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class TransformsTest {
    private static final Tensor LABELS = Tensor.of(new long[] {3, 4});

    private static Batch batch(Tensor x) {
        return new Batch(x, LABELS);
    }

    /** Two 1-channel 3×3 images with values 1..9 and 11..19. */
    private static Tensor images() {
        float[] v = new float[18];
        for (int i = 0; i < 9; i++) {
            v[i] = i + 1;
            v[9 + i] = i + 11;
        }
        return Tensor.of(v, 2, 1, 3, 3);
    }

    @Test
    void normalizeScalar() {
        Batch out = Transforms.normalize(0.5, 0.25).apply(batch(Tensor.of(new float[] {0, 0.5f, 1, 1.5f}, 2, 2)));
        assertArrayEquals(new float[] {-2, 0, 2, 4}, out.x().toFloatArray());
        assertSame(LABELS, out.y());
        assertEquals(DType.FLOAT32, out.x().dtype());
    }

    @Test
    void normalizePerChannel() {
        // [N=1, C=2, 2, 1] and [N=2, C=2]
        Tensor x = Tensor.of(new float[] {1, 3, 10, 20}, 1, 2, 2, 1);
        UnaryOperator t = new UnaryOperator(Transforms.normalize(new double[] {1, 10}, new double[] {2, 5}));
        assertArrayEquals(new float[] {0, 1, 0, 2}, t.apply(x).toFloatArray());
        Tensor x2 = Tensor.of(new double[] {1, 10, 5, 0}, 2, 2);
        Tensor out = t.apply(x2);
        assertEquals(DType.FLOAT64, out.dtype());
        assertArrayEquals(new double[] {0, 0, 2, -2}, out.toDoubleArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.apply(Tensor.zeros(2, 3, 4, 4)));
        assertTrue(e.getMessage().contains("Transforms.normalize") && e.getMessage().contains("[2, 3, 4, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(new double[] {1}, new double[] {0}));
        assertThrows(IllegalArgumentException.class, () -> Transforms.normalize(1, 0));
    }

    /** Applies a batch transform to x only. */
    private record UnaryOperator(java.util.function.UnaryOperator<Batch> f) {
        Tensor apply(Tensor x) {
            return f.apply(batch(x)).x();
        }
    }

    @Test
    void gaussianNoiseUsesTheGenerator() {
        Tensor x = Tensor.zeros(2, 3);
        Tensor out = Transforms.gaussianNoise(0.5, new Generator(8)).apply(batch(x)).x();
        double[] z = new double[6];
        new Generator(8).fillNormal(z);
        float[] expected = new float[6];
        for (int i = 0; i < 6; i++) expected[i] = (float) (0.5 * z[i]);
        assertArrayEquals(expected, out.toFloatArray());
        assertArrayEquals(new float[6], x.toFloatArray(), "input untouched");
    }

    @Test
    void randomShiftMovesWithZeroFill() {
        Generator g = new Generator(21);
        Tensor out = Transforms.randomShift(1, g).apply(batch(images())).x();
        // Replay the draws: per example dy then dx in [-1, 1].
        Generator replay = new Generator(21);
        float[] in = images().toFloatArray();
        float[] expected = new float[18];
        for (int e = 0; e < 2; e++) {
            int dy = replay.nextInt(3) - 1, dx = replay.nextInt(3) - 1;
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    int sr = r - dy, sc = c - dx;
                    expected[e * 9 + r * 3 + c] = sr >= 0 && sr < 3 && sc >= 0 && sc < 3 ? in[e * 9 + sr * 3 + sc] : 0;
                }
            }
        }
        assertArrayEquals(expected, out.toFloatArray());
    }

    @Test
    void randomShiftExactValues() {
        // Find a seed whose first draws are dy = 1, dx = -1 for image 0, then check by hand.
        long seed = 0;
        while (true) {
            Generator g = new Generator(seed);
            if (g.nextInt(3) - 1 == 1 && g.nextInt(3) - 1 == -1) break;
            seed++;
        }
        Tensor one = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor out = Transforms.randomShift(1, new Generator(seed)).apply(batch(one)).x();
        // Down one row, left one column.
        assertArrayEquals(new float[] {0, 0, 0, 2, 3, 0, 5, 6, 0}, out.toFloatArray());
        // Shifts larger than the image leave zeros; maxPixels 0 is the identity.
        assertArrayEquals(one.toFloatArray(), Transforms.randomShift(0, new Generator(1)).apply(batch(one)).x().toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Transforms.randomShift(1, new Generator(1)).apply(batch(Tensor.zeros(2, 9))));
        assertTrue(e.getMessage().contains("Transforms.randomShift") && e.getMessage().contains("[2, 9]"), e.getMessage());
    }

    @Test
    void randomShiftFloat64() {
        Tensor one = Tensor.of(new double[] {1, 2, 3, 4}, 1, 1, 2, 2);
        Tensor out = Transforms.randomShift(5, new Generator(2)).apply(batch(one)).x();
        assertEquals(DType.FLOAT64, out.dtype());
        assertEquals(4, out.numel());
    }

    @Test
    void horizontalFlip() {
        Tensor x = images();
        float[] flipped = Transforms.randomHorizontalFlip(1.0, new Generator(0)).apply(batch(x)).x().toFloatArray();
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4, 9, 8, 7, 13, 12, 11, 16, 15, 14, 19, 18, 17}, flipped);
        assertArrayEquals(x.toFloatArray(), Transforms.randomHorizontalFlip(0.0, new Generator(0))
                .apply(batch(x)).x().toFloatArray());
        // p = 0.5: each example decided by one nextDouble draw.
        Generator replay = new Generator(4);
        boolean first = replay.nextDouble() < 0.5, second = replay.nextDouble() < 0.5;
        float[] got = Transforms.randomHorizontalFlip(0.5, new Generator(4)).apply(batch(x)).x().toFloatArray();
        assertEquals(first ? 3f : 1f, got[0]);
        assertEquals(second ? 13f : 11f, got[9]);
        assertThrows(IllegalArgumentException.class, () -> Transforms.randomHorizontalFlip(1.5, new Generator(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Transforms
                .randomHorizontalFlip(0.5, new Generator(0)).apply(batch(Tensor.zeros(DType.INT64, 2, 2))));
        assertTrue(e.getMessage().contains("randomHorizontalFlip") && e.getMessage().contains("int64"), e.getMessage());
    }

    @Test
    void flipRateMatchesP() {
        Tensor x = Tensor.of(new float[] {0, 1}, 1, 1, 1, 2).expand(1000, 1, 1, 2);
        float[] out = Transforms.randomHorizontalFlip(0.3, new Generator(12)).apply(batch(x)).x().toFloatArray();
        int flipped = 0;
        for (int e = 0; e < 1000; e++) if (out[2 * e] == 1f) flipped++;
        assertTrue(flipped > 300 - 60 && flipped < 300 + 60, "flipped " + flipped); // sd ≈ 14.5
    }

    @Test
    void inLoader() {
        TensorDataset ds = new TensorDataset(images(), LABELS);
        DataLoader loader = new DataLoader(ds, 2).transform(Transforms.normalize(10, 2));
        Batch b = loader.iterator().next();
        assertEquals(-4.5, b.x().get(0, 0, 0, 0), 1e-6);
        assertEquals(4.5, b.x().get(1, 0, 2, 2), 1e-6);
    }
}
