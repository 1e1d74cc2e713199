package io.chainrule.tensor;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The kernels against element-by-element references written with {@link Tensor#get}, over random shapes with
 * size-0 and size-1 dimensions and strided operands (transposed, narrowed, expanded): this is where dimension
 * merging and broadcast strides can go wrong.
 */
class KernelReferenceTest {
    private final Generator g = new Generator(20240607);

    /** A random shape of rank 0..4 with sizes 0..4 (mostly non-zero). */
    private int[] shape() {
        int[] s = new int[g.nextInt(5)];
        for (int i = 0; i < s.length; i++) s[i] = g.nextInt(10) == 0 ? 0 : 1 + g.nextInt(4);
        return s;
    }

    /** A float64 tensor of {@code shape}, made as a strided view when the dice say so. */
    private Tensor operand(int[] shape) {
        int r = shape.length;
        switch (r == 0 ? 0 : g.nextInt(4)) {
            case 1: { // a transposed copy's transpose: same shape, non-contiguous
                if (r < 2) break;
                int[] t = shape.clone();
                t[0] = shape[r - 1];
                t[r - 1] = shape[0];
                return Tensor.randn(g, t).to(DType.FLOAT64).transpose(0, r - 1);
            }
            case 2: { // narrowed out of a larger tensor: an offset and gaps
                int[] big = shape.clone();
                big[r - 1] += 2;
                return Tensor.randn(g, big).to(DType.FLOAT64).narrow(r - 1, 1, shape[r - 1]);
            }
            case 3: { // expanded from size 1 where possible
                int[] small = shape.clone();
                int d = g.nextInt(r);
                small[d] = Math.min(1, shape[d]);
                return Tensor.randn(g, small).to(DType.FLOAT64).expand(shape);
            }
            default:
                break;
        }
        return Tensor.randn(g, shape).to(DType.FLOAT64);
    }

    /** A shape that broadcasts with {@code s}: some dims set to 1, some leading dims dropped. */
    private int[] broadcastPartner(int[] s) {
        int drop = s.length == 0 ? 0 : g.nextInt(s.length + 1);
        int[] p = Arrays.copyOfRange(s, drop, s.length);
        for (int i = 0; i < p.length; i++) if (g.nextInt(3) == 0) p[i] = 1;
        return p;
    }

    private static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** The element of {@code t} that broadcasting maps output index {@code idx} to. */
    private static double at(Tensor t, int[] idx) {
        int[] s = t.shape();
        int[] own = new int[s.length];
        for (int i = 0; i < s.length; i++) own[i] = s[i] == 1 ? 0 : idx[idx.length - s.length + i];
        return t.get(own);
    }

    /** Calls body for every index of shape, row-major. */
    private static void forEach(int[] shape, java.util.function.Consumer<int[]> body) {
        int n = 1;
        for (int s : shape) n *= s;
        int[] idx = new int[shape.length];
        for (int k = 0; k < n; k++) {
            body.accept(idx.clone());
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) break;
                idx[d] = 0;
            }
        }
    }

    @Test
    void binaryOpsAndComparisonsMatchTheReference() {
        for (int trial = 0; trial < 300; trial++) {
            int[] sa = shape();
            int[] sb = broadcastPartner(sa);
            if (g.nextInt(2) == 0) { int[] t = sa; sa = sb; sb = t; }
            Tensor a = operand(sa), b = operand(sb);
            int[] out = broadcast(sa, sb);
            check("add", a, b, out, a.add(b), Double::sum);
            check("mul", a, b, out, a.mul(b), (x, y) -> x * y);
            check("sub", a, b, out, b.sub(a), (x, y) -> y - x);
            check("maximum", a, b, out, a.maximum(b), Math::max);
            check("gt", a, b, out, a.gt(b).to(DType.FLOAT64), (x, y) -> x > y ? 1 : 0);
            check("where", a, b, out, Tensor.where(a.gt(0.0), a, b), (x, y) -> x > 0 ? x : y);
            Tensor af = a.to(DType.FLOAT32);
            check("mul f32", a, b, out, af.mul(b.to(DType.FLOAT32)).to(DType.FLOAT64), (x, y) -> (float) x * (float) y);
        }
    }

    private static void check(String op, Tensor a, Tensor b, int[] outShape, Tensor got, DoubleBinaryOperator f) {
        String where = op + " " + Arrays.toString(a.shape()) + " strides " + Arrays.toString(a.strides()) + " with "
                + Arrays.toString(b.shape()) + " strides " + Arrays.toString(b.strides());
        assertArrayEquals(outShape, got.shape(), where);
        double[] expected = new double[got.numel()];
        int[] k = {0};
        forEach(outShape, idx -> expected[k[0]++] = f.applyAsDouble(at(a, idx), at(b, idx)));
        assertArrayEquals(expected, got.toDoubleArray(), 0.0, where);
    }

    @Test
    void inPlaceOpsMatchTheReference() {
        for (int trial = 0; trial < 200; trial++) {
            int[] s = shape();
            Tensor target = operand(s);
            boolean expanded = false;
            for (int d = 0; d < s.length; d++) expanded |= target.strides()[d] == 0 && s[d] > 1;
            if (expanded) target = target.contiguous();
            Tensor other = operand(broadcastPartner(s));
            double[] before = target.toDoubleArray();
            int[] k = {0};
            double[] expected = new double[before.length];
            Tensor o = other;
            forEach(s, idx -> expected[k[0]] = before[k[0]++] * at(o, idx));
            target.muli(other);
            assertArrayEquals(expected, target.toDoubleArray(), 0.0, Arrays.toString(s) + " " + Arrays.toString(target.strides()));
        }
    }

    @Test
    void reductionsAndSoftmaxMatchTheReference() {
        for (int trial = 0; trial < 200; trial++) {
            int[] s = shape();
            if (s.length == 0) continue;
            Tensor x = operand(s);
            int d = g.nextInt(s.length);
            boolean keep = g.nextInt(2) == 0;
            int[] reduced = s.clone();
            reduced[d] = 1;
            double[] sum = new double[numel(reduced)], max = new double[numel(reduced)], lse = new double[numel(reduced)];
            Arrays.fill(max, Double.NEGATIVE_INFINITY);
            int[] strides = contiguousStrides(reduced);
            forEach(s, idx -> {
                int[] r = idx.clone();
                r[d] = 0;
                int p = offset(r, strides);
                double v = x.get(idx);
                sum[p] += v;
                max[p] = Math.max(max[p], v);
            });
            forEach(s, idx -> {
                int[] r = idx.clone();
                r[d] = 0;
                int p = offset(r, strides);
                lse[p] += Math.exp(x.get(idx) - max[p]);
            });
            String where = "shape " + Arrays.toString(s) + " strides " + Arrays.toString(x.strides()) + " dim " + d;
            assertArrayEquals(sum, x.sum(d, keep).toDoubleArray(), 1e-12, where);
            assertEquals(keep ? s.length : s.length - 1, x.sum(d, keep).dim(), where);
            if (s[d] > 0) {
                assertArrayEquals(max, x.max(d, keep).toDoubleArray(), 0.0, where);
                double[] softmax = new double[x.numel()];
                int[] k = {0};
                forEach(s, idx -> {
                    int[] r = idx.clone();
                    r[d] = 0;
                    int p = offset(r, strides);
                    softmax[k[0]++] = Math.exp(x.get(idx) - max[p]) / lse[p];
                });
                assertArrayEquals(softmax, x.softmax(d).toDoubleArray(), 1e-12, where);
            }
            double total = 0;
            for (double v : sum) total += v;
            assertEquals(total, x.sum().item(), 1e-9, where);
        }
    }

    @Test
    void matmulMatchesTheReference() {
        for (int trial = 0; trial < 150; trial++) {
            int m = g.nextInt(4), k = g.nextInt(4), n = g.nextInt(4);
            int[] batchA = broadcastPartner(new int[] {2, 3}), batchB = broadcastPartner(new int[] {2, 3});
            int[] sa = concat(batchA, m, k), sb = concat(batchB, k, n);
            Tensor a = operand(sa), b = operand(sb);
            Tensor c = a.matmul(b);
            int[] batch = broadcast(batchA, batchB);
            assertArrayEquals(concat(batch, m, n), c.shape());
            double[] expected = new double[c.numel()];
            int[] p = {0};
            forEach(concat(batch, m, n), idx -> {
                double acc = 0;
                for (int q = 0; q < k; q++) {
                    int[] ia = idx.clone(), ib = idx.clone();
                    ia[ia.length - 1] = q;
                    ib[ib.length - 2] = q;
                    acc += at(a, ia) * at(b, ib);
                }
                expected[p[0]++] = acc;
            });
            assertArrayEquals(expected, c.toDoubleArray(), 1e-12,
                    Arrays.toString(sa) + Arrays.toString(a.strides()) + " x " + Arrays.toString(sb) + Arrays.toString(b.strides()));
        }
    }

    @Test
    void copiesAndCastsMatchTheReference() {
        for (int trial = 0; trial < 200; trial++) {
            int[] s = shape();
            Tensor x = operand(s);
            double[] expected = new double[x.numel()];
            int[] k = {0};
            forEach(s, idx -> expected[k[0]++] = x.get(idx));
            assertArrayEquals(expected, x.toDoubleArray(), 0.0);
            assertArrayEquals(expected, x.contiguous().toDoubleArray(), 0.0);
            float[] f = new float[expected.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) expected[i];
            assertArrayEquals(f, x.to(DType.FLOAT32).toFloatArray(), 0f);
            assertArrayEquals(expected, x.reshape(-1).toDoubleArray(), 0.0);
            assertArrayEquals(expected, x.clone().toDoubleArray(), 0.0);
        }
    }

    private static int[] concat(int[] batch, int r, int c) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        s[batch.length] = r;
        s[batch.length + 1] = c;
        return s;
    }

    private static int numel(int[] s) {
        int n = 1;
        for (int v : s) n *= v;
        return n;
    }

    private static int[] contiguousStrides(int[] s) {
        int[] st = new int[s.length];
        int acc = 1;
        for (int i = s.length - 1; i >= 0; i--) {
            st[i] = acc;
            acc *= s[i];
        }
        return st;
    }

    private static int offset(int[] idx, int[] strides) {
        int o = 0;
        for (int i = 0; i < idx.length; i++) o += idx[i] * strides[i];
        return o;
    }
}
