package io.chainrule;

import io.chainrule.autograd.Autograd;
import io.chainrule.autograd.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The conv2d op and its gradient ops against the composition they replace (unfold, then one matmul per group), on
 * every kernel path: the pointwise 1×1 case, the channels-last window copy (groups 1, unit width dilation) and the
 * general one, the transposed weight-gradient product for narrow windows, and output-row bands for samples too wide
 * for one column buffer.
 */
class ConvolutionOpTest {
    private static int[] a(int... v) {
        return v;
    }

    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64);
    }

    record Case(String name, int n, int c, int h, int w, int o, int kh, int kw, int[] s, int[] p, int[] d, int groups,
                boolean bias) {
        Tensor conv(Tensor x, Tensor wt, Tensor b) {
            return LayerPrimitives.conv2d(x, wt, b, s, p, d, groups);
        }

        /** The unfold + matmul composition conv2d used to be. */
        Tensor reference(Tensor x, Tensor wt, Tensor b) {
            Tensor cols = LayerPrimitives.unfold(x, a(kh, kw), s, p, d);
            int l = cols.size(2);
            Tensor out = groups == 1 ? wt.reshape(o, -1).matmul(cols)
                    : wt.reshape(groups, o / groups, -1).matmul(cols.reshape(n, groups, -1, l));
            int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1;
            out = out.reshape(n, o, oh, l / oh);
            return b == null ? out : out.add(b.reshape(1, o, 1, 1));
        }
    }

    private static final List<Case> CASES = List.of(
            new Case("3x3 same", 2, 3, 6, 5, 4, 3, 3, a(1, 1), a(1, 1), a(1, 1), 1, true),
            new Case("1x1 pointwise grouped", 2, 4, 5, 3, 6, 1, 1, a(1, 1), a(0, 0), a(1, 1), 2, true),
            new Case("1x1 strided", 3, 3, 5, 6, 2, 1, 1, a(2, 2), a(0, 0), a(1, 1), 1, false),
            new Case("2x3 height dilation", 2, 2, 7, 6, 3, 2, 3, a(2, 1), a(0, 1), a(2, 1), 1, true),
            new Case("3x2 width dilation grouped", 1, 4, 6, 7, 6, 3, 2, a(1, 2), a(2, 1), a(1, 2), 2, false),
            new Case("depthwise strided", 2, 4, 7, 7, 4, 3, 3, a(2, 2), a(1, 1), a(1, 1), 4, true),
            new Case("kernel over the padded edge", 2, 2, 2, 2, 3, 3, 3, a(1, 1), a(1, 1), a(1, 1), 1, true),
            // windows of 16+ values: the weight gradient takes the transposed-columns product
            new Case("1x1 pointwise grouped wide", 2, 32, 3, 4, 4, 1, 1, a(1, 1), a(0, 0), a(1, 1), 2, true),
            new Case("3x3 width dilation wide", 2, 2, 6, 7, 3, 3, 3, a(1, 1), a(1, 2), a(1, 2), 1, false),
            new Case("3x3 grouped strided wide", 2, 4, 6, 6, 4, 3, 3, a(2, 1), a(1, 0), a(1, 1), 2, true),
            // 18 column rows × 60,000 columns exceeds one band: three bands of one output row each
            new Case("banded wide image", 1, 2, 3, 60_000, 3, 3, 3, a(1, 1), a(1, 1), a(1, 1), 1, true));

    @Test
    void forwardAndGradientsMatchUnfoldMatmul() {
        long seed = 100;
        for (Case k : CASES) {
            Tensor x = randn(seed++, k.n, k.c, k.h, k.w).requiresGrad(true);
            Tensor wt = randn(seed++, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
            Tensor b = k.bias ? randn(seed++, k.o).requiresGrad(true) : null;
            List<Tensor> params = b == null ? List.of(x, wt) : List.of(x, wt, b);
            Tensor y = k.conv(x, wt, b), ref = k.reference(x, wt, b);
            assertArrayEquals(ref.shape(), y.shape(), k.name);
            assertArrayEquals(ref.toDoubleArray(), y.toDoubleArray(), 1e-12, k.name);
            Tensor up = randn(seed++, y.shape());
            List<Tensor> got = Autograd.grad(List.of(y), params, List.of(up), false, false);
            List<Tensor> want = Autograd.grad(List.of(ref), params, List.of(up), false, false);
            for (int i = 0; i < params.size(); i++) {
                assertArrayEquals(want.get(i).toDoubleArray(), got.get(i).toDoubleArray(), 1e-11, k.name + " gradient " + i);
            }
        }
    }

    @Test
    void float32MatchesFloat64() {
        Case k = CASES.get(0);
        Tensor x = randn(1, 4, 3, 9, 8), wt = randn(2, 5, 3, 3, 3), b = randn(3, 5);
        Tensor y64 = k.conv(x, wt, b);
        Tensor y32 = k.conv(x.to(DType.FLOAT32), wt.to(DType.FLOAT32), b.to(DType.FLOAT32));
        assertEquals(DType.FLOAT32, y32.dtype());
        assertArrayEquals(y64.to(DType.FLOAT32).toFloatArray(), y32.toFloatArray(), 1e-4f);
        // A float64 weight promotes a float32 input, as matmul would.
        assertEquals(DType.FLOAT64, k.conv(x.to(DType.FLOAT32), wt, null).dtype());
    }

    @Test
    void oneNodePerPassAndNamedGradients() {
        Tensor x = randn(4, 1, 2, 5, 5).requiresGrad(true), wt = randn(5, 3, 2, 3, 3).requiresGrad(true);
        Tensor y = LayerPrimitives.conv2d(x, wt, null, a(1), a(1), a(1), 1);
        assertEquals("ConvolutionBackward0", y.gradFn());
        Tensor up = randn(6, y.shape()).requiresGrad(true);
        List<Tensor> g = Autograd.grad(List.of(y), List.of(x, wt), List.of(up), true, true);
        assertEquals("ConvolutionBackwardInput", g.get(0).gradFn());
        assertEquals("ConvolutionBackwardWeight", g.get(1).gradFn());
    }

    @Test
    void gradientsPassFiniteDifferences() {
        for (Case k : CASES.subList(0, CASES.size() - 1)) { // the wide image would take 10⁵ evaluations
            Tensor x = randn(10, Math.min(k.n, 2), k.c, k.h, k.w).requiresGrad(true);
            Tensor wt = randn(11, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
            Tensor b = randn(12, k.o).requiresGrad(true);
            assertTrue(GradCheck.check(in -> k.conv(in.get(0), in.get(1), in.get(2)), List.of(x, wt, b)), k.name);
        }
    }

    /**
     * Second derivatives: after a nonlinearity the upstream gradient depends on x and W, so this also runs the
     * gradients of the input- and weight-gradient ops with respect to that upstream gradient.
     */
    @Test
    void secondDerivativesPassFiniteDifferences() {
        for (Case k : List.of(CASES.get(0), CASES.get(1), CASES.get(4), CASES.get(5), CASES.get(8), CASES.get(9))) {
            Tensor x = randn(20, 1, k.c, Math.min(k.h, 5), Math.min(k.w, 5)).requiresGrad(true);
            Tensor wt = randn(21, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
            Tensor b = randn(22, k.o).requiresGrad(true);
            assertTrue(GradCheck.gradGradCheck(in -> k.conv(in.get(0), in.get(1), in.get(2)).square(), List.of(x, wt, b)), k.name);
            assertTrue(GradCheck.gradGradCheck(in -> k.conv(in.get(0), in.get(1), null).tanh(), List.of(x, wt)), k.name);
        }
    }

    /** The gradient ops as functions of what they depend on, checked to first and second order. */
    @Test
    void gradientOpsAreDifferentiable() {
        Case k = CASES.get(3);
        Tensor x = randn(30, 1, k.c, k.h, k.w).requiresGrad(true);
        Tensor wt = randn(31, k.o, k.c / k.groups, k.kh, k.kw).requiresGrad(true);
        Tensor b = randn(32, k.o).requiresGrad(true);
        Tensor up = randn(33, k.conv(x, wt, b).shape()).requiresGrad(true);
        // dx = convᵀ(up, W), dW = Σ up · cols(x)ᵀ, db = Σ up
        Function<List<Tensor>, Tensor> dx = in -> gradOf(k.conv(x, in.get(0), b), x, in.get(1));
        Function<List<Tensor>, Tensor> dw = in -> gradOf(k.conv(in.get(0), wt, b), wt, in.get(1));
        Function<List<Tensor>, Tensor> db = in -> gradOf(k.conv(x, wt, b), b, in.get(0));
        assertTrue(GradCheck.check(dx, List.of(wt, up)));
        assertTrue(GradCheck.gradGradCheck(in -> dx.apply(in).square(), List.of(wt, up)));
        assertTrue(GradCheck.check(dw, List.of(x, up)));
        assertTrue(GradCheck.gradGradCheck(in -> dw.apply(in).square(), List.of(x, up)));
        assertTrue(GradCheck.check(db, List.of(up)));
        assertTrue(GradCheck.gradGradCheck(in -> db.apply(in).square(), List.of(up)));
    }

    private static Tensor gradOf(Tensor y, Tensor input, Tensor up) {
        return Autograd.grad(List.of(y), List.of(input), List.of(up), true, true).get(0);
    }

    @Test
    void unbatchedInput() {
        Tensor x = randn(40, 3, 6, 6), wt = randn(41, 2, 3, 3, 3), b = randn(42, 2);
        Tensor single = LayerPrimitives.conv2d(x, wt, b, a(2), a(1), a(1), 1);
        assertArrayEquals(new int[] {2, 3, 3}, single.shape());
        assertArrayEquals(LayerPrimitives.conv2d(x.unsqueeze(0), wt, b, a(2), a(1), a(1), 1).toDoubleArray(), single.toDoubleArray(), 0.0);
    }
}
