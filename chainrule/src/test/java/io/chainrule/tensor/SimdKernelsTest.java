package io.chainrule.tensor;

import io.chainrule.DType;
import io.chainrule.FusedUpdates;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The vector kernels (elementwise rows, fused optimizer updates) against plain scalar arithmetic, bit for bit, on
 * lengths that exercise the vector body, the scalar tail and the parallel chunking (70,001 > one chunk).
 */
class SimdKernelsTest {
    private static final int[] LENGTHS = {1, 31, 33, 100, 1003, 70_001};

    private static float[] floats(Generator g, int n) {
        return Tensor.randn(g, n).toFloatArray();
    }

    private static double[] doubles(Generator g, int n) {
        return Tensor.randn(g, n).to(DType.FLOAT64).toDoubleArray();
    }

    @Test
    void binaryRowsMatchScalarArithmeticForEveryLayout() {
        Generator g = new Generator(7);
        for (int n : LENGTHS) {
            float[] a = floats(g, n), b = floats(g, n);
            b[0] = 0; // relu mask boundary: 0 is off
            b[n - 1] = Float.NaN; // and a NaN output lets the gradient through
            double[] ad = doubles(g, n), bd = doubles(g, n);
            bd[0] = 0;
            bd[n - 1] = Double.NaN;
            for (Pointwise.Binary op : new Pointwise.Binary[] {Pointwise.Binary.ADD, Pointwise.Binary.SUB,
                    Pointwise.Binary.MUL, Pointwise.Binary.DIV, Pointwise.Binary.RELU_GRAD}) {
                for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                    float[] o = new float[n + 2];
                    Pointwise.binaryRow(op, a, 0, st[0], b, 0, st[1], o, 2, n);
                    double[] od = new double[n];
                    Pointwise.binaryRow(op, ad, 0, st[0], bd, 0, st[1], od, 0, n);
                    for (int i = 0; i < n; i++) {
                        float x = a[i * st[0]], y = b[i * st[1]];
                        double xd = ad[i * st[0]], yd = bd[i * st[1]];
                        String where = op + " strides " + st[0] + "," + st[1] + " n=" + n + " i=" + i;
                        assertEquals(apply(op, x, y), o[i + 2], 0f, where);
                        assertEquals(apply(op, xd, yd), od[i], 0d, where);
                    }
                }
            }
        }
    }

    @Test
    void accumulateRowsMatchScalarAdds() {
        Generator g = new Generator(9);
        for (int n : new int[] {0, 1, 7, 8, 9, 26, 33, 1003}) {
            float[] src = floats(g, n + 3), dst = floats(g, n + 5), expected = dst.clone();
            double[] srcD = doubles(g, n + 3), dstD = doubles(g, n + 5), expectedD = dstD.clone();
            for (int i = 0; i < n; i++) {
                expected[i + 5] += src[i + 3];
                expectedD[i + 5] += srcD[i + 3];
            }
            Pointwise.accumulateRow(dst, 5, src, 3, n);
            Pointwise.accumulateRow(dstD, 5, srcD, 3, n);
            assertArrayEquals(expected, dst, "n=" + n);
            assertArrayEquals(expectedD, dstD, "n=" + n);
        }
    }

    @Test
    void unaryRowsMatchScalarArithmetic() {
        Generator g = new Generator(8);
        for (int n : LENGTHS) {
            float[] x = floats(g, n);
            x[0] = -0f;
            x[n - 1] = Float.NaN;
            double[] xd = doubles(g, n);
            xd[n - 1] = Double.NaN;
            for (Pointwise.Unary op : new Pointwise.Unary[] {Pointwise.Unary.NEG, Pointwise.Unary.ABS,
                    Pointwise.Unary.SQUARE, Pointwise.Unary.RELU}) {
                float[] y = new float[n + 1];
                Pointwise.unary(op, 0, 0, x, 0, y, 1, n);
                double[] yd = new double[n];
                Pointwise.unary(op, 0, 0, xd, 0, yd, 0, n);
                for (int i = 0; i < n; i++) {
                    float e = switch (op) {
                        case NEG -> -x[i];
                        case ABS -> Math.abs(x[i]);
                        case SQUARE -> x[i] * x[i];
                        default -> x[i] <= 0 ? 0f : x[i]; // relu: NaN stays NaN, as in PyTorch
                    };
                    double ed = switch (op) {
                        case NEG -> -xd[i];
                        case ABS -> Math.abs(xd[i]);
                        case SQUARE -> xd[i] * xd[i];
                        default -> xd[i] <= 0 ? 0d : xd[i];
                    };
                    assertEquals(Float.floatToRawIntBits(e), Float.floatToRawIntBits(y[i + 1]), op + " n=" + n + " i=" + i);
                    assertEquals(Double.doubleToRawLongBits(ed), Double.doubleToRawLongBits(yd[i]), op + " n=" + n + " i=" + i);
                }
            }
        }
    }

    private static float apply(Pointwise.Binary op, float x, float y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case RELU_GRAD -> y <= 0 ? 0f : x;
            default -> throw new AssertionError(op);
        };
    }

    private static double apply(Pointwise.Binary op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case RELU_GRAD -> y <= 0 ? 0d : x;
            default -> throw new AssertionError(op);
        };
    }

    @Test
    void reluBackwardZeroesEvenNonFiniteGradientsWhereTheUnitIsOff() {
        Tensor x = Tensor.of(new float[] {-1, 0, 2}, 3).requiresGrad(true);
        x.relu().backward(Tensor.of(new float[] {Float.NaN, Float.POSITIVE_INFINITY, 5}, 3));
        assertArrayEquals(new float[] {0, 0, 5}, x.grad().toFloatArray());
    }

    /** The unfused formula, term by term in tensor ops of the parameter's dtype: what torch.optim.Adam computes. */
    private static void adamUnfused(Tensor p, Tensor grad, Tensor m, Tensor v, Tensor vmax, Updates.Adam s) {
        DType t = p.dtype();
        if (s.decay() != 1) p.muli(Tensor.scalar(s.decay(), t));
        Tensor gr = s.weightDecay() != 0 ? p.mul(Tensor.scalar(s.weightDecay(), t)).add(grad) : grad;
        m.addi(gr.sub(m).mul(Tensor.scalar(s.oneMinusBeta1(), t)));
        v.muli(Tensor.scalar(s.beta2(), t)).addi(gr.mul(gr).mul(Tensor.scalar(s.oneMinusBeta2(), t)));
        Tensor vv = v;
        if (vmax != null) vv = vmax.copyFrom(vmax.maximum(v));
        Tensor denom = vv.sqrt().div(Tensor.scalar(s.biasCorrection2Sqrt(), t)).add(Tensor.scalar(s.eps(), t));
        p.subi(m.div(denom).mul(Tensor.scalar(s.stepSize(), t)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void fusedAdamEqualsTheTermByTermFormulaBitForBit(String dtype) {
        DType t = dtype.equals("float32") ? DType.FLOAT32 : DType.FLOAT64;
        Generator g = new Generator(11);
        Updates.Adam[] settings = {
                new Updates.Adam(1, 0, 0.1, 0.999, 0.001, Math.sqrt(1 - Math.pow(0.999, 3)), 1e-8, 1e-3 / (1 - Math.pow(0.9, 3))),
                new Updates.Adam(1, 0.1, 0.2, 0.99, 0.01, 0.3, 1e-6, 0.05),
                new Updates.Adam(1 - 1e-3 * 0.01, 0, 0.1, 0.999, 0.001, 0.5, 1e-8, 0.002)};
        try (var ng = Autograd.noGrad()) {
            for (int n : LENGTHS) {
                for (Updates.Adam s : settings) {
                    for (boolean ams : new boolean[] {false, true}) {
                        Tensor p = Tensor.randn(g, n).to(t), grad = Tensor.randn(g, n).to(t);
                        Tensor m = Tensor.randn(g, n).to(t), v = Tensor.rand(g, n).to(t);
                        Tensor vmax = ams ? v.add(Tensor.rand(g, n).to(t).sub(Tensor.scalar(0.5, t))).clamp(0, 10) : null;
                        Tensor p2 = p.clone(), m2 = m.clone(), v2 = v.clone(), vmax2 = ams ? vmax.clone() : null;
                        FusedUpdates.adam(p, grad, m, v, vmax, s);
                        adamUnfused(p2, grad, m2, v2, vmax2, s);
                        String where = t + " n=" + n + " " + s + " amsgrad=" + ams;
                        assertArrayEquals(p2.toDoubleArray(), p.toDoubleArray(), 0, where);
                        assertArrayEquals(m2.toDoubleArray(), m.toDoubleArray(), 0, where);
                        assertArrayEquals(v2.toDoubleArray(), v.toDoubleArray(), 0, where);
                        if (ams) assertArrayEquals(vmax2.toDoubleArray(), vmax.toDoubleArray(), 0, where);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"float32", "float64"})
    void fusedSgdEqualsTheTermByTermFormulaBitForBit(String dtype) {
        DType t = dtype.equals("float32") ? DType.FLOAT32 : DType.FLOAT64;
        Generator g = new Generator(12);
        try (var ng = Autograd.noGrad()) {
            for (int n : LENGTHS) {
                for (double wd : new double[] {0, 0.1}) {
                    for (double mom : new double[] {0, 0.9}) {
                        for (boolean first : new boolean[] {false, true}) {
                            for (boolean nesterov : new boolean[] {false, true}) {
                                var s = new Updates.Sgd(0.01, wd, mom, nesterov ? 1 : 0.7, nesterov, first);
                                Tensor p = Tensor.randn(g, n).to(t), grad = Tensor.randn(g, n).to(t);
                                Tensor buf = mom != 0 ? Tensor.randn(g, n).to(t) : null;
                                Tensor p2 = p.clone(), buf2 = buf == null ? null : buf.clone();
                                FusedUpdates.sgd(p, grad, buf, s);
                                // the formula, term by term
                                Tensor d = wd != 0 ? p2.mul(Tensor.scalar(wd, t)).add(grad) : grad;
                                if (buf2 != null) {
                                    if (first) buf2.copyFrom(d);
                                    else buf2.muli(Tensor.scalar(mom, t)).addi(d.mul(Tensor.scalar(s.dampened(), t)));
                                    d = nesterov ? buf2.mul(Tensor.scalar(mom, t)).add(d) : buf2;
                                }
                                p2.subi(d.mul(Tensor.scalar(0.01, t)));
                                String where = t + " n=" + n + " " + s;
                                assertArrayEquals(p2.toDoubleArray(), p.toDoubleArray(), 0, where);
                                if (buf != null) assertArrayEquals(buf2.toDoubleArray(), buf.toDoubleArray(), 0, where);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void fusedUpdatesRejectMismatchedOperands() {
        Tensor p = Tensor.zeros(3), g = Tensor.zeros(4);
        var s = new Updates.Sgd(0.1, 0, 0, 1, false, false);
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> FusedUpdates.sgd(p, g, null, s));
        assertEquals("sgd: the gradient of shape [4] does not match the parameter of shape [3]", e.getMessage());
        Tensor wide = Tensor.zeros(3, 2).t();
        var e2 = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> FusedUpdates.sgd(wide, Tensor.zeros(2, 3), null, s));
        assertEquals("sgd: the parameter of shape [2, 3] must be contiguous", e2.getMessage());
    }
}
