package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Convolution, pooling and embedding functions against direct loops, PyTorch values and finite differences. */
class ConvolutionsTest {
    private static int[] a(int... v) {
        return v;
    }

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64);
    }

    /** The textbook definition: out[n][o][y][x] = b[o] + Σ_{c in o's group, i, j} w[o][c][i][j]·xpad[n][g·C/G + c][y·s + i·d][x·s + j·d]. */
    private static double[] naiveConv2d(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int o = w.size(0), cg = w.size(1), kh = w.size(2), kw = w.size(3);
        int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1, ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        double[] out = new double[n * o * oh * ow];
        int at = 0;
        for (int bi = 0; bi < n; bi++)
            for (int oc = 0; oc < o; oc++) {
                int g = oc / (o / groups);
                for (int y = 0; y < oh; y++)
                    for (int xx = 0; xx < ow; xx++) {
                        double acc = b == null ? 0 : b.get(oc);
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    int r = y * s[0] - p[0] + i * d[0], q = xx * s[1] - p[1] + j * d[1];
                                    if (r >= 0 && r < h && q >= 0 && q < wd) acc += w.get(oc, ci, i, j) * x.get(bi, g * cg + ci, r, q);
                                }
                        out[at++] = acc;
                    }
            }
        return out;
    }

    // ---------------------------------------------------------------------------------------------- convolution

    @Test
    void conv2dMatchesDirectLoops() {
        record Case(int c, int o, int kh, int kw, int[] s, int[] p, int[] d, int groups, boolean bias) {}
        List<Case> cases = List.of(
                new Case(3, 4, 3, 3, a(1), a(1), a(1), 1, true),
                new Case(3, 5, 2, 3, a(2, 1), a(0, 1), a(1), 1, false),
                new Case(4, 6, 3, 2, a(1, 2), a(2, 1), a(2, 1), 2, true),
                new Case(4, 4, 3, 3, a(2), a(1), a(1), 4, true),   // depthwise
                new Case(2, 3, 1, 1, a(1), a(0), a(1), 1, true));  // pointwise
        long seed = 10;
        for (Case k : cases) {
            Tensor x = randn(seed++, 2, k.c, 7, 6);
            Tensor w = randn(seed++, k.o, k.c / k.groups, k.kh, k.kw);
            Tensor b = k.bias ? randn(seed++, k.o) : null;
            Tensor y = Convolutions.conv2d(x, w, b, k.s, k.p, k.d, k.groups);
            assertArrayEquals(naiveConv2d(x, w, b, k.s.length == 1 ? a(k.s[0], k.s[0]) : k.s,
                    k.p.length == 1 ? a(k.p[0], k.p[0]) : k.p, k.d.length == 1 ? a(k.d[0], k.d[0]) : k.d, k.groups),
                    y.toDoubleArray(), 1e-12, k.toString());
        }
    }

    @Test
    void conv2dKnownPyTorchValues() {
        // F.conv2d(torch.arange(16.).reshape(1,1,4,4), torch.ones(1,1,3,3), padding=1) — the 3x3 neighbourhood sums.
        Tensor x = Tensor.arange(0, 16, 1).reshape(1, 1, 4, 4);
        Tensor y = Convolutions.conv2d(x, Tensor.ones(1, 1, 3, 3), null, 1, 1);
        assertArrayEquals(new float[] {10, 18, 24, 18, 27, 45, 54, 39, 51, 81, 90, 63, 42, 66, 72, 50}, y.toFloatArray(), 0f);
        // Stride 2, no padding, bias 1 on arange(25) as 5x5: four 3x3 windows.
        Tensor z = Convolutions.conv2d(Tensor.arange(0, 25, 1).reshape(1, 1, 5, 5), Tensor.ones(1, 1, 3, 3), Tensor.of(new float[] {1}), 2, 0);
        assertArrayEquals(new float[] {55, 73, 145, 163}, z.toFloatArray(), 0f);
    }

    @Test
    void conv2dUnbatchedAndFloat32() {
        Tensor x = randn(1, 3, 5, 5), w = randn(2, 4, 3, 3, 3), b = randn(3, 4);
        Tensor batched = Convolutions.conv2d(x.unsqueeze(0), w, b, 1, 1);
        Tensor single = Convolutions.conv2d(x, w, b, 1, 1);
        assertArrayEquals(new int[] {4, 5, 5}, single.shape());
        assertArrayEquals(batched.toDoubleArray(), single.toDoubleArray(), 0);
        Tensor f = Convolutions.conv2d(x.to(DType.FLOAT32), w.to(DType.FLOAT32), b.to(DType.FLOAT32), 1, 1);
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(single.to(DType.FLOAT32).toFloatArray(), f.toFloatArray(), 1e-5f);
    }

    @Test
    void conv2dGradients() {
        Tensor x = randn(20, 2, 4, 5, 4).requiresGrad(true);
        Tensor w = randn(21, 4, 2, 2, 3).requiresGrad(true);
        Tensor b = randn(22, 4).requiresGrad(true);
        assertTrue(GradCheck.check(in -> Convolutions.conv2d(in.get(0), in.get(1), in.get(2), a(1, 2), a(1, 0), a(2, 1), 2),
                List.of(x, w, b)));
        Tensor w1 = randn(23, 3, 4, 3, 3).requiresGrad(true);
        assertTrue(GradCheck.check(in -> Convolutions.conv2d(in.get(0), in.get(1), null, 2, 1), List.of(x, w1)));
        // Second derivatives: the cross terms d²L/dx dw are what double backward through unfold/fold/matmul gives.
        Tensor xs = randn(24, 1, 2, 4, 4).requiresGrad(true);
        Tensor ws = randn(25, 2, 2, 2, 2).requiresGrad(true);
        Tensor bs = randn(26, 2).requiresGrad(true);
        assertTrue(GradCheck.gradGradCheck(in -> Convolutions.conv2d(in.get(0), in.get(1), in.get(2), a(1), a(1), a(1), 1).square(),
                List.of(xs, ws, bs)));
        assertTrue(GradCheck.gradGradCheck(in -> Convolutions.conv2d(in.get(0), in.get(1), null, a(2), a(0), a(1), 2).tanh(),
                List.of(xs, randn(27, 2, 1, 2, 2).requiresGrad(true))));
    }

    @Test
    void conv2dRejectsBadShapes() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Convolutions.conv2d(x, Tensor.zeros(6, 2, 3, 3), null, a(1), a(0), a(1), 3));
        assertTrue(e.getMessage().startsWith("conv2d:") && e.getMessage().contains("groups=3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolutions.conv2d(x, Tensor.zeros(6, 3, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().contains("[1, 4, 5, 5]") && e.getMessage().contains("[6, 3, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolutions.conv2d(x, Tensor.zeros(6, 4, 3), null, 1, 0));
        assertTrue(e.getMessage().startsWith("conv2d: weight must have rank 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolutions.conv2d(x, Tensor.zeros(6, 4, 7, 7), null, 1, 0));
        assertTrue(e.getMessage().startsWith("conv2d:") && e.getMessage().contains("larger than the padded input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Convolutions.conv2d(x, Tensor.zeros(6, 4, 3, 3), Tensor.zeros(5), 1, 0));
        assertTrue(e.getMessage().contains("bias"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Convolutions.conv2d(Tensor.zeros(4, 5), Tensor.zeros(6, 4, 3, 3), null, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> Convolutions.conv2d(x, Tensor.zeros(6, 4, 3, 3), null, 0, 0));
    }

    @Test
    void conv1dMatchesDirectLoopsAndGradients() {
        Tensor x = randn(30, 2, 3, 9), w = randn(31, 4, 3, 3), b = randn(32, 4);
        Tensor y = Convolutions.conv1d(x, w, b, 2, 1);
        assertArrayEquals(new int[] {2, 4, 5}, y.shape());
        double[] expected = new double[2 * 4 * 5];
        for (int n = 0; n < 2; n++)
            for (int o = 0; o < 4; o++)
                for (int t = 0; t < 5; t++) {
                    double acc = b.get(o);
                    for (int c = 0; c < 3; c++)
                        for (int k = 0; k < 3; k++) {
                            int i = t * 2 - 1 + k;
                            if (i >= 0 && i < 9) acc += w.get(o, c, k) * x.get(n, c, i);
                        }
                    expected[(n * 4 + o) * 5 + t] = acc;
                }
        assertArrayEquals(expected, y.toDoubleArray(), 1e-12);
        assertArrayEquals(new int[] {4, 9}, Convolutions.conv1d(x.select(0, 0), w, null, 1, 1).shape());
        Tensor xs = randn(33, 2, 2, 6).requiresGrad(true), ws = randn(34, 3, 2, 3).requiresGrad(true), bs = randn(35, 3).requiresGrad(true);
        assertTrue(GradCheck.check(in -> Convolutions.conv1d(in.get(0), in.get(1), in.get(2), 1, 1), List.of(xs, ws, bs)));
        assertTrue(GradCheck.check(in -> Convolutions.conv1d(in.get(0), in.get(1), null, 2, 0), List.of(xs, ws)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Convolutions.conv1d(x, randn(1, 4, 3, 3, 3), null, 1, 0));
        assertTrue(e.getMessage().startsWith("conv1d:"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------- pooling

    @Test
    void maxPool2dFunctional() {
        Tensor x = Tensor.arange(0, 16, 1).reshape(1, 1, 4, 4);
        assertArrayEquals(new float[] {5, 7, 13, 15}, Convolutions.maxPool2d(x, 2, 2, 0).toFloatArray(), 0f);
        // kernel 3, stride 2, padding 1 on 4x4: windows at rows/cols {-1..1, 1..3}.
        assertArrayEquals(new float[] {5, 7, 13, 15}, Convolutions.maxPool2d(x, 3, 2, 1).toFloatArray(), 0f);
        Tensor neg = x.neg();
        // −∞ padding: the maximum of the top-left window is -0 (the real element), not a zero pad.
        assertArrayEquals(new float[] {0, -1, -4, -5}, Convolutions.maxPool2d(neg, 3, 2, 1).toFloatArray(), 0f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Convolutions.maxPool2d(Tensor.zeros(4, 4), 2, 2, 0));
        assertTrue(e.getMessage().startsWith("maxPool2d:"), e.getMessage());
    }

    @Test
    void avgPool2dCountsPaddingLikePyTorch() {
        Tensor x = Tensor.arange(0, 16, 1).reshape(1, 1, 4, 4);
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, Convolutions.avgPool2d(x, 2, 2, 0).toFloatArray(), 1e-6f);
        // F.avg_pool2d(x, 3, 2, 1): top-left window holds 0,1,4,5 and five zeros, divided by 9 (count_include_pad).
        Tensor y = Convolutions.avgPool2d(x, 3, 2, 1);
        assertArrayEquals(new float[] {10 / 9f, 24 / 9f, 51 / 9f, 90 / 9f}, y.toFloatArray(), 1e-5f);
        Tensor xs = randn(40, 2, 2, 5, 5).requiresGrad(true);
        assertTrue(GradCheck.check(in -> Convolutions.avgPool2d(in.get(0), 3, 2, 1), List.of(xs)));
        assertTrue(GradCheck.check(in -> Convolutions.avgPool2d(in.get(0), 2, 1, 0), List.of(xs)));
        assertArrayEquals(new int[] {2, 2, 2}, Convolutions.avgPool2d(xs.select(0, 0), 2, 2, 0).shape());
        assertThrows(IllegalArgumentException.class, () -> Convolutions.avgPool2d(x, 2, 2, 2));
    }

    @Test
    void adaptiveAvgPool2dUsesPyTorchWindows() {
        // H = 5 → 3 rows: windows [0, 2), [1, 4), [3, 5); W = 7 → 3 columns: [0, 3), [2, 5), [4, 7).
        Tensor x = randn(50, 2, 3, 5, 7);
        Tensor y = Convolutions.adaptiveAvgPool2d(x, 3, 3);
        assertArrayEquals(new int[] {2, 3, 3, 3}, y.shape());
        int[][] rows = {{0, 2}, {1, 4}, {3, 5}}, cols = {{0, 3}, {2, 5}, {4, 7}};
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                for (int i = 0; i < 3; i++)
                    for (int j = 0; j < 3; j++) {
                        double s = 0;
                        for (int r = rows[i][0]; r < rows[i][1]; r++) for (int q = cols[j][0]; q < cols[j][1]; q++) s += x.get(n, c, r, q);
                        double mean = s / ((rows[i][1] - rows[i][0]) * (cols[j][1] - cols[j][0]));
                        assertEquals(mean, y.get(n, c, i, j), 1e-12);
                    }
        // Global pooling and upsampling-by-repeat (out > in) follow the same rule.
        assertEquals(x.select(0, 1).select(0, 2).mean().item(), Convolutions.adaptiveAvgPool2d(x, 1, 1).get(1, 2, 0, 0), 1e-12);
        Tensor up = Convolutions.adaptiveAvgPool2d(Tensor.of(new double[] {1, 2}, 1, 1, 1, 2), 1, 3);
        assertArrayEquals(new double[] {1, 1.5, 2}, up.toDoubleArray(), 1e-12);
        Tensor xs = randn(51, 1, 2, 5, 4).requiresGrad(true);
        assertTrue(GradCheck.check(in -> Convolutions.adaptiveAvgPool2d(in.get(0), 3, 3), List.of(xs)));
        assertTrue(GradCheck.gradGradCheck(in -> Convolutions.adaptiveAvgPool2d(in.get(0), 2, 3).square(), List.of(xs)));
        assertThrows(IllegalArgumentException.class, () -> Convolutions.adaptiveAvgPool2d(x, 0, 2));
    }

    @Test
    void padFunctional() {
        Tensor x = randn(60, 1, 2, 3).requiresGrad(true);
        Tensor p = Convolutions.pad(x, 1, 1, 2, 0);
        assertArrayEquals(new int[] {1, 4, 5}, p.shape());
        assertEquals(x.get(0, 1, 2), p.get(0, 3, 3), 0);
        assertEquals(0.0, p.sum().sub(x.sum()).item(), 1e-12);
    }

    // ----------------------------------------------------------------------------------------------- embedding

    @Test
    void embeddingPicksRowsAndTouchesOnlyUsedOnes() {
        Tensor weight = randn(70, 6, 3).requiresGrad(true);
        Tensor idx = Tensor.of(new long[] {4, 1, 4, 0}, 2, 2);
        Tensor e = Convolutions.embedding(idx, weight);
        assertArrayEquals(new int[] {2, 2, 3}, e.shape());
        for (int j = 0; j < 3; j++) {
            assertEquals(weight.get(4, j), e.get(0, 0, j), 0);
            assertEquals(weight.get(1, j), e.get(0, 1, j), 0);
            assertEquals(weight.get(0, j), e.get(1, 1, j), 0);
        }
        Tensor upstream = randn(71, 2, 2, 3);
        e.backward(upstream);
        Tensor g = weight.grad();
        for (int j = 0; j < 3; j++) {
            assertEquals(upstream.get(0, 0, j) + upstream.get(1, 0, j), g.get(4, j), 1e-15); // used twice: summed
            assertEquals(upstream.get(0, 1, j), g.get(1, j), 0);
            for (int unused : new int[] {2, 3, 5}) assertEquals(0.0, g.get(unused, j), 0); // exactly zero
        }
        assertTrue(GradCheck.check(in -> Convolutions.embedding(idx, in.get(0)), List.of(weight)));
    }

    @Test
    void embeddingRejectsBadIndices() {
        Tensor w = Tensor.zeros(5, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Convolutions.embedding(Tensor.of(new long[] {1, 5}), w));
        assertTrue(e.getMessage().startsWith("embedding:") && e.getMessage().contains("5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Convolutions.embedding(Tensor.of(new long[] {-1}), w));
        assertThrows(IllegalArgumentException.class, () -> Convolutions.embedding(Tensor.of(new float[] {1}), w));
        assertThrows(IllegalArgumentException.class, () -> Convolutions.embedding(Tensor.of(new long[] {1}), Tensor.zeros(5)));
        // A scalar index gives one row.
        assertArrayEquals(new int[] {2}, Convolutions.embedding(Tensor.scalar(3, DType.INT64), w).shape());
    }
}
