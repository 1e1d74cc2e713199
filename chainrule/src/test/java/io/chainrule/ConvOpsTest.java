package io.chainrule;

import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The primitives behind convolution and pooling: unfold/fold, pad, maxPool2d — values, adjointness, gradients. */
class ConvOpsTest {
    private static int[] a(int... v) {
        return v;
    }

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64);
    }

    /** Direct im2col by definition: cols[n][(c·kH + i)·kW + j][y·oW + x] = xpad[n][c][y·s + i·d][x·s + j·d]. */
    private static double[] naiveUnfold(Tensor t, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int n = t.size(0), c = t.size(1), h = t.size(2), w = t.size(3);
        int oh = (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1, ow = (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        double[] out = new double[n * c * kh * kw * oh * ow];
        int at = 0;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                        for (int y = 0; y < oh; y++)
                            for (int x = 0; x < ow; x++) {
                                int r = y * sh - ph + i * dh, q = x * sw - pw + j * dw;
                                out[at++] = r >= 0 && r < h && q >= 0 && q < w ? t.get(b, ch, r, q) : 0;
                            }
        return out;
    }

    @Test
    void unfoldMatchesTheDefinition() {
        Tensor x = randn(1, 2, 3, 6, 7);
        int[][] configs = {{3, 3, 1, 1, 1, 1, 1, 1}, {2, 3, 2, 1, 0, 1, 1, 2}, {3, 2, 2, 3, 1, 0, 2, 1}, {1, 1, 1, 1, 0, 0, 1, 1}};
        for (int[] k : configs) {
            Tensor cols = LayerPrimitives.unfold(x, a(k[0], k[1]), a(k[2], k[3]), a(k[4], k[5]), a(k[6], k[7]));
            assertArrayEquals(naiveUnfold(x, k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7]), cols.toDoubleArray(), 0.0);
            assertEquals(3, cols.dim());
            assertEquals(3 * k[0] * k[1], cols.size(1));
        }
        // float32 runs the same loops on floats
        Tensor xf = x.to(DType.FLOAT32);
        assertArrayEquals(LayerPrimitives.unfold(x, a(3), a(2), a(1), a(1)).to(DType.FLOAT32).toFloatArray(),
                LayerPrimitives.unfold(xf, a(3), a(2), a(1), a(1)).toFloatArray(), 0f);
    }

    @Test
    void unfoldKnownValues() {
        // torch.nn.functional.unfold(torch.arange(9.).reshape(1, 1, 3, 3), 2) is [[0,1,3,4],[1,2,4,5],[3,4,6,7],[4,5,7,8]]
        Tensor x = Tensor.arange(0, 9, 1).reshape(1, 1, 3, 3);
        Tensor cols = LayerPrimitives.unfold(x, a(2), a(1), a(0), a(1));
        assertArrayEquals(new int[] {1, 4, 4}, cols.shape());
        assertArrayEquals(new float[] {0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8}, cols.toFloatArray(), 0f);
        // fold of those columns counts each pixel once per window covering it: torch gives [[0,2,2],[6,16,10],[6,14,8]]
        Tensor back = LayerPrimitives.fold(cols, a(3, 3), a(2), a(1), a(0), a(1));
        assertArrayEquals(new float[] {0, 2, 2, 6, 16, 10, 6, 14, 8}, back.toFloatArray(), 0f);
    }

    @Test
    void foldIsTheAdjointOfUnfold() {
        // <unfold(x), y> = <x, fold(y)> for every x, y: the defining property of the adjoint.
        int[] k = {2, 3}, s = {2, 1}, p = {1, 1}, d = {1, 2};
        Tensor x = randn(2, 2, 3, 5, 6);
        Tensor cols = LayerPrimitives.unfold(x, k, s, p, d);
        Tensor y = randn(3, cols.shape());
        double left = cols.mul(y).sum().item();
        double right = x.mul(LayerPrimitives.fold(y, a(5, 6), k, s, p, d)).sum().item();
        assertEquals(left, right, 1e-10);
    }

    @Test
    void unbatchedInputsWork() {
        Tensor x = randn(4, 2, 4, 4);
        Tensor cols = LayerPrimitives.unfold(x, a(2), a(2), a(0), a(1));
        assertArrayEquals(new int[] {8, 4}, cols.shape());
        assertArrayEquals(LayerPrimitives.unfold(x.unsqueeze(0), a(2), a(2), a(0), a(1)).toDoubleArray(), cols.toDoubleArray(), 0.0);
        assertArrayEquals(new int[] {2, 4, 4}, LayerPrimitives.fold(cols, a(4, 4), a(2), a(2), a(0), a(1)).shape());
    }

    @Test
    void unfoldAndFoldGradients() {
        Tensor x = randn(5, 1, 2, 4, 5).requiresGrad(true);
        assertTrue(GradCheck.check(in -> LayerPrimitives.unfold(in.get(0), a(2, 3), a(1, 2), a(1, 0), a(2, 1)), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> LayerPrimitives.unfold(in.get(0), a(2), a(1), a(1), a(1)).square(), List.of(x)));
        Tensor cols = randn(6, 1, 8, 6).requiresGrad(true); // C=2, k=2x2, output 3x4 with stride 1, padding 0 → 2x3=6 windows
        assertTrue(GradCheck.check(in -> LayerPrimitives.fold(in.get(0), a(3, 4), a(2), a(1), a(0), a(1)), List.of(cols)));
        assertTrue(GradCheck.gradGradCheck(in -> LayerPrimitives.fold(in.get(0), a(3, 4), a(2), a(1), a(0), a(1)).square(), List.of(cols)));
        assertEquals("Im2ColBackward0", LayerPrimitives.unfold(x, a(2), a(1), a(0), a(1)).gradFn());
        assertEquals("Col2ImBackward0", LayerPrimitives.fold(cols, a(3, 4), a(2), a(1), a(0), a(1)).gradFn());
    }

    @Test
    void unfoldAndFoldRejectBadShapes() {
        Tensor x = Tensor.zeros(1, 1, 3, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerPrimitives.unfold(x, a(4), a(1), a(0), a(1)));
        assertTrue(e.getMessage().startsWith("unfold:") && e.getMessage().contains("[1, 1, 3, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.unfold(x, a(2), a(0), a(0), a(1)));
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.unfold(x, a(2, 2, 2), a(1), a(0), a(1)));
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.unfold(Tensor.zeros(3, 3), a(2), a(1), a(0), a(1)));
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.unfold(Tensor.zeros(DType.INT64, 1, 1, 3, 3), a(2), a(1), a(0), a(1)));
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.fold(Tensor.zeros(1, 5, 4), a(3, 3), a(2), a(1), a(0), a(1)));
        assertTrue(e.getMessage().startsWith("fold:") && e.getMessage().contains("[1, 5, 4]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.fold(Tensor.zeros(1, 4, 5), a(3, 3), a(2), a(1), a(0), a(1)));
    }

    // ------------------------------------------------------------------------------------------------------ pad

    @Test
    void padFollowsPyTorchOrder() {
        Tensor x = Tensor.arange(1, 7, 1).reshape(2, 3);
        // F.pad(x, (1, 2)) pads the last dimension: one zero left, two right.
        Tensor p = LayerPrimitives.pad(x, 1, 2);
        assertArrayEquals(new int[] {2, 6}, p.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 0, 0, 0, 4, 5, 6, 0, 0}, p.toFloatArray(), 0f);
        // F.pad(x, (0, 0, 1, 0)) adds one row on top.
        Tensor q = LayerPrimitives.pad(x, 0, 0, 1, 0);
        assertArrayEquals(new float[] {0, 0, 0, 1, 2, 3, 4, 5, 6}, q.toFloatArray(), 0f);
        // Negative widths crop: F.pad(x, (-1, 1, 0, -1)) → [[2, 3, 0]].
        Tensor r = LayerPrimitives.pad(x, -1, 1, 0, -1);
        assertArrayEquals(new int[] {1, 3}, r.shape());
        assertArrayEquals(new float[] {2, 3, 0}, r.toFloatArray(), 0f);
        // Integer tensors and views pad too.
        Tensor ints = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2).t();
        assertArrayEquals(new long[] {0, 1, 3, 0, 0, 2, 4, 0}, LayerPrimitives.pad(ints, 1, 1).toLongArray());
        // Everything cropped away leaves an empty tensor of the right shape.
        assertArrayEquals(new int[] {2, 0}, LayerPrimitives.pad(x, -2, -1).shape());
    }

    @Test
    void padGradients() {
        Tensor x = randn(7, 2, 3, 4).requiresGrad(true);
        assertTrue(GradCheck.check(in -> LayerPrimitives.pad(in.get(0), 1, 2, 0, 1), List.of(x)));
        assertTrue(GradCheck.check(in -> LayerPrimitives.pad(in.get(0), -1, 2, 1, -1, 0, 1), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> LayerPrimitives.pad(in.get(0), -1, 1, 2, 0).square(), List.of(x)));
        Tensor y = LayerPrimitives.pad(x, 1, -1);
        y.backward(Tensor.ones(DType.FLOAT64, y.shape()));
        // The leftmost column of x is kept, the rightmost cropped: its gradient is zero.
        Tensor g = x.grad();
        assertEquals(1.0, g.get(0, 0, 0), 0);
        assertEquals(0.0, g.get(0, 0, 3), 0);
        assertEquals("ConstantPadNdBackward0", y.gradFn());
    }

    @Test
    void padRejectsBadWidths() {
        Tensor x = Tensor.zeros(2, 3);
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.pad(x, 1));
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.pad(x, 1, 1, 1, 1, 1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.pad(x, -2, -2));
        assertTrue(e.getMessage().startsWith("pad:") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------------ maxPool2d

    private static double[] naiveMaxPool(Tensor t, int k, int s, int p) {
        int n = t.size(0), c = t.size(1), h = t.size(2), w = t.size(3);
        int oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1;
        double[] out = new double[n * c * oh * ow];
        int at = 0;
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < oh; y++)
                    for (int x = 0; x < ow; x++) {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int i = 0; i < k; i++)
                            for (int j = 0; j < k; j++) {
                                int r = y * s - p + i, q = x * s - p + j;
                                if (r >= 0 && r < h && q >= 0 && q < w) m = Math.max(m, t.get(b, ch, r, q));
                            }
                        out[at++] = m;
                    }
        return out;
    }

    @Test
    void maxPoolMatchesTheDefinition() {
        // All-negative inputs: zero padding would win, −∞ padding must not.
        Tensor x = randn(8, 2, 3, 7, 6).abs().neg().sub(0.1);
        int[][] configs = {{2, 2, 0}, {3, 2, 1}, {3, 1, 1}, {2, 1, 1}};
        for (int[] k : configs) {
            Tensor y = LayerPrimitives.maxPool2d(x, a(k[0]), a(k[1]), a(k[2]), a(1));
            assertArrayEquals(naiveMaxPool(x, k[0], k[1], k[2]), y.toDoubleArray(), 0.0);
            assertTrue(y.max().item() < 0);
        }
    }

    @Test
    void maxPoolTiesSendTheGradientToTheFirstMaximum() {
        // A 2x2 window of equal values: PyTorch gives the whole gradient to index 0 (row-major first).
        Tensor x = Tensor.of(new double[] {5, 5, 5, 5, 1, 2, 3, 3}, 1, 2, 2, 2).requiresGrad(true);
        Tensor y = LayerPrimitives.maxPool2d(x, a(2), a(2), a(0), a(1));
        assertArrayEquals(new double[] {5, 3}, y.toDoubleArray(), 0);
        y.sum().backward();
        assertArrayEquals(new double[] {1, 0, 0, 0, 0, 0, 1, 0}, x.grad().toDoubleArray(), 0);
        assertEquals("MaxPool2DWithIndicesBackward0", y.gradFn());
    }

    @Test
    void maxPoolNanWinsAndTheLastNanTakesTheGradient() {
        // PyTorch's CPU rule, val > max || isnan(val): a NaN beats every number, and a later NaN beats an earlier
        // one; float32 and float64 run separate loops, so both are checked.
        for (DType type : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Tensor x = Tensor.of(new double[] {1, Double.NaN, Double.NaN, 3, -0.0, 0.0, -1, -2}, 1, 2, 2, 2).to(type)
                    .requiresGrad(true);
            Tensor y = LayerPrimitives.maxPool2d(x, a(2), a(2), a(0), a(1));
            assertTrue(Double.isNaN(y.toDoubleArray()[0]), type.toString());
            // a tie of -0 and +0 keeps the first, sign included
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(y.toDoubleArray()[1]), type.toString());
            y.sum().backward();
            assertArrayEquals(new double[] {0, 0, 1, 0, 1, 0, 0, 0}, x.grad().toDoubleArray(), 0, type.toString());
        }
    }

    @Test
    void maxPoolOverlappingWindowsAccumulate() {
        // Stride 1: the central 9 is the maximum of all four 2x2 windows, so it collects gradient 4.
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 9, 5, 6, 7, 8}, 1, 1, 3, 3).requiresGrad(true);
        LayerPrimitives.maxPool2d(x, a(2), a(1), a(0), a(1)).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0, 0, 4, 0, 0, 0, 0}, x.grad().toDoubleArray(), 0);
    }

    @Test
    void maxPoolGradients() {
        // Distinct values, so no window is near a tie and finite differences are exact.
        double[] v = new double[2 * 2 * 5 * 5];
        for (int i = 0; i < v.length; i++) v[i] = ((i * 37) % v.length) * 0.1;
        Tensor x = Tensor.of(v, 2, 2, 5, 5).requiresGrad(true);
        assertTrue(GradCheck.check(in -> LayerPrimitives.maxPool2d(in.get(0), a(3), a(2), a(1), a(1)), List.of(x)));
        assertTrue(GradCheck.check(in -> LayerPrimitives.maxPool2d(in.get(0), a(2, 3), a(1, 2), a(1, 0), a(2, 1)), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> LayerPrimitives.maxPool2d(in.get(0), a(2), a(2), a(0), a(1)).square(), List.of(x)));
    }

    @Test
    void maxPoolRejectsBadArguments() {
        Tensor x = Tensor.zeros(1, 1, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LayerPrimitives.maxPool2d(x, a(2), a(2), a(2), a(1)));
        assertTrue(e.getMessage().startsWith("maxPool2d:") && e.getMessage().contains("half"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.maxPool2d(x, a(5), a(1), a(0), a(1)));
        // A dilation so large that a window holds only padding.
        e = assertThrows(IllegalArgumentException.class, () -> LayerPrimitives.maxPool2d(Tensor.zeros(1, 1, 3, 3), a(2), a(1), a(1), a(4)));
        assertTrue(e.getMessage().contains("only padding"), e.getMessage());
    }
}
