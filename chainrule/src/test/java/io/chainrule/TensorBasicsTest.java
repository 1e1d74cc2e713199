package io.chainrule;

import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Creation, inspection, views, broadcasting, type promotion and reference values. */
class TensorBasicsTest {

    // ------------------------------------------------------------------------------------------------ creation

    @Test
    void ofWithAndWithoutShape() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6});
        assertArrayEquals(new int[] {6}, a.shape());
        assertEquals(DType.FLOAT32, a.dtype());
        Tensor b = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new int[] {2, 3}, b.shape());
        assertEquals(DType.FLOAT64, b.dtype());
        assertEquals(6.0, b.get(1, 2));
        Tensor c = Tensor.of(new long[] {7, 8}, 2, 1);
        assertEquals(DType.INT64, c.dtype());
        assertArrayEquals(new long[] {7, 8}, c.toLongArray());
        Tensor one = Tensor.of(new double[] {5}, 1, 1, 1);
        assertEquals(3, one.dim());
        assertEquals(5.0, one.item());
    }

    @Test
    void ofCopiesItsInput() {
        double[] data = {1, 2};
        Tensor t = Tensor.of(data);
        data[0] = 100;
        assertEquals(1.0, t.get(0));
        double[] out = t.toDoubleArray();
        out[1] = 100;
        assertEquals(2.0, t.get(1));
    }

    @Test
    void ofEmptyData() {
        assertArrayEquals(new int[] {0}, Tensor.of(new double[0]).shape());
        Tensor e = Tensor.of(new float[0], 0, 3);
        assertArrayEquals(new int[] {0, 3}, e.shape());
        assertEquals(0, e.numel());
        assertEquals(0.0, e.sum().item());
        assertArrayEquals(new int[] {3}, e.sum(0, false).shape());
        assertTrue(Double.isNaN(Tensor.zeros(DType.FLOAT64, 0).mean().item()));
        assertArrayEquals(new int[] {0, 2}, Tensor.of(new double[0][]).reshape(0, 2).shape());
    }

    @Test
    void ofWithAnEmptyShapeArrayIsOneDimensionalAndReshapeRoundTripsEveryShape() {
        // Java cannot tell of(data) from of(data, new int[0]): both mean "no shape", 1-D
        assertArrayEquals(new int[] {1}, Tensor.of(new double[] {5}, new int[0]).shape());
        for (Tensor t : List.of(Tensor.scalar(5, DType.FLOAT64), Tensor.zeros(DType.FLOAT64, 2, 0), Tensor.ones(DType.FLOAT64, 2, 3))) {
            Tensor back = Tensor.of(t.toDoubleArray()).reshape(t.shape());
            assertArrayEquals(t.shape(), back.shape());
            assertArrayEquals(t.toDoubleArray(), back.toDoubleArray());
        }
    }

    @Test
    void ofTwoDimensionalArrays() {
        Tensor f = Tensor.of(new float[][] {{1, 2, 3}, {4, 5, 6}});
        assertArrayEquals(new int[] {2, 3}, f.shape());
        assertEquals(DType.FLOAT32, f.dtype());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.toFloatArray());
        Tensor d = Tensor.of(new double[][] {{1.5}, {2.5}});
        assertArrayEquals(new int[] {2, 1}, d.shape());
        assertEquals(DType.FLOAT64, d.dtype());
        assertEquals(2.5, d.get(1, 0));
    }

    @Test
    void scalars() {
        Tensor s = Tensor.scalar(2.5);
        assertEquals(0, s.dim());
        assertArrayEquals(new int[0], s.shape());
        assertEquals(1, s.numel());
        assertEquals(DType.FLOAT32, s.dtype());
        assertEquals(2.5, s.item());
        assertEquals(2.5, s.get());
        Tensor l = Tensor.scalar(3, DType.INT64);
        assertEquals(DType.INT64, l.dtype());
        assertEquals(3.0, l.item());
        assertEquals(0, Tensor.of(new double[] {4}).reshape().dim());
    }

    @Test
    void filledTensorsAndRanges() {
        assertArrayEquals(new double[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(DType.FLOAT64, 2, 3).toDoubleArray());
        assertEquals(DType.FLOAT64, Tensor.zeros(DType.FLOAT64, 2, 3).dtype());
        assertEquals(DType.FLOAT32, Tensor.zeros(2).dtype());
        assertArrayEquals(new float[] {1, 1}, Tensor.ones(2).toFloatArray());
        assertEquals(DType.INT64, Tensor.ones(DType.INT64, 3).dtype());
        assertArrayEquals(new long[] {1, 1, 1}, Tensor.ones(DType.INT64, 3).toLongArray());
        assertArrayEquals(new float[] {7, 7, 7, 7}, Tensor.full(7, 2, 2).toFloatArray());
        assertArrayEquals(new boolean[] {true, true}, Tensor.full(DType.BOOL, 1, 2).toBooleanArray());
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3).toFloatArray());
        assertEquals(DType.FLOAT64, Tensor.eye(DType.FLOAT64, 2).dtype());
        assertArrayEquals(new float[] {0, 0.5f, 1, 1.5f}, Tensor.arange(0, 2, 0.5).toFloatArray());
        assertArrayEquals(new long[] {5, 3, 1}, Tensor.arange(DType.INT64, 5, 0, -2).toLongArray());
        assertEquals(0, Tensor.arange(1, 1, 1).numel());
        assertEquals(3, Tensor.arange(0, 1, 0.4).numel()); // 0, 0.4, 0.8 like torch.arange
        assertArrayEquals(new int[] {2, 3}, Tensor.ones(2, 3).zerosLike().shape());
        assertArrayEquals(new double[] {1, 1}, Tensor.zeros(DType.FLOAT64, 2).onesLike().toDoubleArray());
    }

    // -------------------------------------------------------------------------------------------------- random

    @Test
    void sameSeedGivesBitIdenticalTensors() {
        assertArrayEquals(Tensor.randn(new Generator(42), 100).toFloatArray(), Tensor.randn(new Generator(42), 100).toFloatArray());
        assertArrayEquals(Tensor.rand(new Generator(1), 50).toFloatArray(), Tensor.rand(new Generator(1), 50).toFloatArray());
        assertArrayEquals(Tensor.randint(new Generator(3), -5, 5, 50).toLongArray(),
                Tensor.randint(new Generator(3), -5, 5, 50).toLongArray());
        assertFalse(java.util.Arrays.equals(Tensor.randn(new Generator(42), 10).toFloatArray(),
                Tensor.randn(new Generator(43), 10).toFloatArray()));
    }

    @Test
    void generatorStreamsAreIndependent() {
        Generator a = new Generator(7);
        Tensor first = Tensor.randn(a, 5);
        Tensor second = Tensor.randn(a, 5);
        assertFalse(java.util.Arrays.equals(first.toFloatArray(), second.toFloatArray()));

        // drawing from another generator (or the default one) in between does not disturb a stream
        Generator b = new Generator(7);
        Tensor.randn(new Generator(99), 1000);
        Tensor.randn(1000);
        assertArrayEquals(first.toFloatArray(), Tensor.randn(b, 5).toFloatArray());
        assertArrayEquals(second.toFloatArray(), Tensor.randn(b, 5).toFloatArray());
        assertEquals(7, b.seed());
    }

    @Test
    void manualSeedResetsTheDefaultGenerator() {
        Tensor.manualSeed(123);
        float[] x = Tensor.randn(4, 4).toFloatArray();
        float[] u = Tensor.rand(3).toFloatArray();
        Tensor.manualSeed(123);
        assertArrayEquals(x, Tensor.randn(4, 4).toFloatArray());
        assertArrayEquals(u, Tensor.rand(3).toFloatArray());
        Tensor.manualSeed(124);
        assertFalse(java.util.Arrays.equals(x, Tensor.randn(4, 4).toFloatArray()));
    }

    @Test
    void theDefaultGeneratorIsSafeToShareBetweenThreads() throws InterruptedException {
        // Each call takes a consecutive block of the default stream: two threads together draw exactly the values
        // one thread would, in some order.
        Tensor.manualSeed(5);
        List<Float> sequential = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) for (float v : Tensor.randn(50).toFloatArray()) sequential.add(v);
        Tensor.manualSeed(5);
        List<Float> shared = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Runnable draw = () -> {
            for (int i = 0; i < 200; i++) for (float v : Tensor.randn(50).toFloatArray()) shared.add(v);
        };
        Thread a = new Thread(draw), b = new Thread(draw);
        a.start();
        b.start();
        a.join();
        b.join();
        java.util.Collections.sort(sequential);
        java.util.Collections.sort(shared);
        assertEquals(sequential, shared);
    }

    @Test
    void randomDistributionsHaveTheRightRangeAndMoments() {
        Generator g = new Generator(2024);
        double[] n = Tensor.randn(g, 20000).to(DType.FLOAT64).toDoubleArray();
        double mean = 0, sq = 0;
        for (double v : n) mean += v;
        mean /= n.length;
        for (double v : n) sq += (v - mean) * (v - mean);
        assertEquals(0.0, mean, 0.03);
        assertEquals(1.0, Math.sqrt(sq / (n.length - 1)), 0.03);
        float[] u = Tensor.rand(g, 20000).toFloatArray();
        double um = 0;
        for (float v : u) {
            assertTrue(v >= 0f && v < 1f);
            um += v;
        }
        assertEquals(0.5, um / u.length, 0.01);
        long[] r = Tensor.randint(g, -2, 3, 5000).toLongArray();
        int[] counts = new int[5];
        for (long v : r) counts[(int) v + 2]++;
        for (int c : counts) assertTrue(c > 850 && c < 1150, "randint counts " + java.util.Arrays.toString(counts));
        assertEquals(DType.INT64, Tensor.randint(g, 0, 2, 1).dtype());
    }

    // ---------------------------------------------------------------------------------------------- inspection

    @Test
    void inspection() {
        Tensor t = Tensor.arange(0, 24, 1).reshape(2, 3, 4);
        int[] shape = t.shape();
        shape[0] = 99;
        assertArrayEquals(new int[] {2, 3, 4}, t.shape(), "shape() must be a copy");
        assertEquals(3, t.dim());
        assertEquals(24, t.numel());
        assertEquals(4, t.size(-1));
        assertEquals(23.0, t.get(1, 2, 3));
        assertEquals(23.0, t.get(-1, -1, -1));
        assertTrue(t.isContiguous());
        Tensor v = t.transpose(0, 2);
        assertFalse(v.isContiguous());
        assertArrayEquals(new int[] {4, 3, 2}, v.shape());
        assertEquals(t.get(1, 2, 3), v.get(3, 2, 1));
        float[] flat = v.toFloatArray(); // row-major order of the view
        assertEquals(12f, flat[1]);
        assertEquals(4f, flat[2]);
        assertTrue(v.contiguous().isContiguous());
        assertArrayEquals(flat, v.contiguous().toFloatArray());
        assertArrayEquals(new long[] {0, 1, 2}, Tensor.of(new double[] {0.9, 1.5, 2.99}).toLongArray());
        assertArrayEquals(new boolean[] {false, true}, Tensor.of(new double[] {0, -0.5}).toBooleanArray());
    }

    @Test
    void toConvertsDtypes() {
        Tensor f = Tensor.of(new float[] {1.5f, -2.7f});
        Tensor d = f.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, d.dtype());
        assertArrayEquals(new double[] {1.5, (double) -2.7f}, d.toDoubleArray());
        assertArrayEquals(new long[] {1, -2}, f.to(DType.INT64).toLongArray());
        assertArrayEquals(new boolean[] {true, true}, f.to(DType.BOOL).toBooleanArray());
        assertEquals(DType.FLOAT32, Tensor.of(new long[] {3}).to(DType.FLOAT32).dtype());
        // differentiable between floats, the gradient comes back in the input's dtype
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        x.to(DType.FLOAT32).mul(3.0).sum().backward();
        assertEquals(DType.FLOAT64, x.grad().dtype());
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
        Tensor y = Tensor.of(new float[] {1, 2}).requiresGrad(true);
        y.to(DType.FLOAT64).square().sum().backward();
        assertEquals(DType.FLOAT32, y.grad().dtype());
        assertArrayEquals(new float[] {2, 4}, y.grad().toFloatArray());
    }

    // ------------------------------------------------------------------------------------------------ toString

    @Test
    void toStringShowsValuesShapeDtypeAndGradFn() {
        assertEquals("tensor([1., 2., 3.], shape=[3], dtype=float32)", Tensor.of(new float[] {1, 2, 3}).toString());
        assertEquals("tensor([ 0.5000, -1.2500], shape=[2], dtype=float64)", Tensor.of(new double[] {0.5, -1.25}).toString());
        assertEquals("tensor([[1, 2],\n        [3, 4]], shape=[2, 2], dtype=int64)", Tensor.of(new long[] {1, 2, 3, 4}, 2, 2).toString());
        assertEquals("tensor(3., shape=[], dtype=float32)", Tensor.scalar(3).toString());
        assertEquals("tensor([ true, false], shape=[2], dtype=bool)", Tensor.of(new double[] {1, -1}).gt(0.0).toString());
        Tensor x = Tensor.ones(2).requiresGrad(true);
        assertTrue(x.toString().endsWith("requires_grad=true)"), x.toString());
        String s = x.mul(2.0).toString();
        assertTrue(s.contains("[2., 2.]") && s.contains("grad_fn=<MulBackward0>"), s);
        assertEquals("tensor([1.0000e-05, 1.0000e+02], shape=[2], dtype=float64)", Tensor.of(new double[] {1e-5, 100}).toString());
    }

    @Test
    void toStringElidesLargeTensorsLikePyTorch() {
        String s = Tensor.arange(DType.INT64, 0, 2000, 1).toString();
        assertEquals("tensor([   0,    1,    2, ..., 1997, 1998, 1999], shape=[2000], dtype=int64)", s);
        String m = Tensor.zeros(40, 50).toString();
        assertTrue(m.contains("..."), m);
        assertTrue(m.contains("shape=[40, 50]"), m);
        assertTrue(m.length() < 2000, "an elided print stays short: " + m.length());
        assertFalse(Tensor.zeros(10, 100).toString().contains("..."), "1000 elements are printed in full");
    }

    // --------------------------------------------------------------------------------------------------- views

    @Test
    void viewsShareStorageWithTheirBase() {
        Tensor base = Tensor.zeros(DType.FLOAT64, 3, 4);
        Tensor tr = base.t();
        tr.narrow(0, 1, 1).fill(5.0); // column 1 of base
        assertEquals(5.0, base.get(2, 1));
        assertEquals(0.0, base.get(2, 2));
        base.select(0, 0).copyFrom(Tensor.of(new double[] {1, 2, 3, 4}));
        assertEquals(3.0, tr.get(2, 0));
        Tensor r = base.reshape(12);
        r.narrow(0, 11, 1).fill(-1.0);
        assertEquals(-1.0, base.get(2, 3));
        Tensor p = base.unsqueeze(0).permute(2, 0, 1);
        assertEquals(5.0, p.get(1, 0, 2));
        Tensor e = base.narrow(0, 0, 1).expand(5, 4);
        assertEquals(4.0, e.get(4, 3));
        base.select(0, 0).muli(2.0);
        assertEquals(8.0, e.get(2, 3), "an expanded view sees its base change");
        for (Tensor v : base.split(1, 0)) v.addi(1.0);
        assertEquals(9.0, base.get(0, 3));
    }

    @Test
    void viewOpsNeverReturnTheSameTensor() {
        // requiresGrad on what a view op returned must not switch the base on (PyTorch's views are new tensors)
        Tensor x = Tensor.ones(3, 1);
        Tensor same = x.expand(3, 1);
        assertNotSame(x, same);
        assertNotSame(x, x.squeeze(0));
        assertNotSame(x, x.squeeze(1).squeeze());
        assertNotSame(x, x.reshape(3, 1));
        Tensor v = Tensor.ones(3);
        assertNotSame(v, v.t());
        same.requiresGrad(true);
        assertFalse(x.requiresGrad());
        same.mul(2.0).sum().backward();
        assertArrayEquals(new float[] {2, 2, 2}, same.grad().toFloatArray());
    }

    @Test
    void inPlaceOpsOnNonContiguousTargets() {
        Tensor m = Tensor.of(new double[][] {{1, 2}, {3, 4}});
        m.t().addi(Tensor.of(new double[] {10, 20})); // adds along rows of the transpose: columns of m
        assertArrayEquals(new double[] {11, 12, 23, 24}, m.toDoubleArray());
        m.t().subi(m); // overlapping source: m[j][i] -= m[i][j], every value read before any is written
        assertArrayEquals(new double[] {0, -11, 11, 0}, m.toDoubleArray());
        Tensor n = Tensor.arange(DType.FLOAT64, 0, 6, 1).reshape(2, 3);
        n.narrow(1, 1, 2).muli(Tensor.of(new double[] {10, 100}));
        assertArrayEquals(new double[] {0, 10, 200, 3, 40, 500}, n.toDoubleArray());
        n.narrow(1, 0, 1).divi(2.0);
        assertArrayEquals(new double[] {0, 10, 200, 1.5, 40, 500}, n.toDoubleArray());
        n.t().copyFrom(Tensor.of(new double[] {7, 8}));
        assertArrayEquals(new double[] {7, 7, 7, 8, 8, 8}, n.toDoubleArray());
        Tensor ints = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
        ints.t().addi(Tensor.of(new long[] {10, 20}));
        assertArrayEquals(new long[] {11, 12, 23, 24}, ints.toLongArray());
        ints.muli(2.0);
        assertArrayEquals(new long[] {22, 24, 46, 48}, ints.toLongArray());
        Tensor f = Tensor.zeros(2, 3);
        f.t().fill(1.5);
        assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f, 1.5f, 1.5f, 1.5f}, f.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 1).expand(2, 3).addi(Tensor.ones(2, 3)));
    }

    @Test
    void inPlaceOpsReturnThisAndBumpNothingVisibleButValues() {
        Tensor x = Tensor.of(new float[] {1, 2});
        assertTrue(x.addi(1.0) == x && x.subi(0.5) == x && x.muli(2.0) == x && x.divi(3.0) == x);
        assertArrayEquals(new float[] {1, 5f / 3}, x.toFloatArray(), 1e-6f);
        assertTrue(x.zero() == x);
        assertArrayEquals(new float[] {0, 0}, x.toFloatArray());
        x.copyFrom(Tensor.of(new double[] {1.25, 2.5}));
        assertArrayEquals(new float[] {1.25f, 2.5f}, x.toFloatArray());
    }

    // ----------------------------------------------------------------------------- broadcasting, promotion

    @Test
    void broadcasting() {
        Tensor col = Tensor.of(new double[] {1, 2, 3}, 3, 1);
        Tensor row = Tensor.of(new double[] {10, 20}, 1, 2);
        Tensor sum = col.add(row);
        assertArrayEquals(new int[] {3, 2}, sum.shape());
        assertArrayEquals(new double[] {11, 21, 12, 22, 13, 23}, sum.toDoubleArray());
        Tensor r3 = Tensor.ones(DType.FLOAT64, 2, 1, 1).mul(row);
        assertArrayEquals(new int[] {2, 1, 2}, r3.shape());
        assertArrayEquals(new int[] {3, 1}, col.mul(Tensor.scalar(2, DType.FLOAT64)).shape());
        assertArrayEquals(new int[] {0, 3}, Tensor.zeros(0, 1).add(Tensor.zeros(3)).shape());
        assertArrayEquals(new int[] {2, 3}, Tensor.ones(3).broadcastTo(2, 3).shape());
    }

    @Test
    void typePromotion() {
        Tensor f32 = Tensor.ones(2), f64 = Tensor.ones(DType.FLOAT64, 2), i64 = Tensor.ones(DType.INT64, 2);
        Tensor b = Tensor.ones(2).gt(0.0);
        assertEquals(DType.FLOAT64, f32.add(f64).dtype());
        assertEquals(DType.FLOAT64, f64.mul(f32).dtype());
        assertEquals(DType.FLOAT32, i64.add(f32).dtype());
        assertEquals(DType.FLOAT64, i64.sub(f64).dtype());
        assertEquals(DType.FLOAT32, b.mul(f32).dtype());
        assertEquals(DType.INT64, b.add(i64).dtype());
        assertEquals(DType.INT64, i64.mul(i64).dtype());
        // a Java double keeps the tensor's dtype
        assertEquals(DType.FLOAT32, f32.add(2.0).dtype());
        assertEquals(DType.FLOAT64, f64.mul(0.1).dtype());
        assertEquals(DType.INT64, i64.add(2.0).dtype());
        // ... except that a fraction cannot be held by an integer tensor: it computes in float32 instead of truncating
        assertEquals(DType.FLOAT32, i64.add(0.5).dtype());
        assertArrayEquals(new float[] {1.5f, 1.5f}, i64.add(0.5).toFloatArray());
        // true division of integers gives float32, as in PyTorch
        Tensor q = Tensor.of(new long[] {7, -7}).div(Tensor.of(new long[] {2, 2}));
        assertEquals(DType.FLOAT32, q.dtype());
        assertArrayEquals(new float[] {3.5f, -3.5f}, q.toFloatArray());
        assertEquals(DType.FLOAT32, Tensor.of(new long[] {7}).div(2.0).dtype());
        assertEquals(DType.FLOAT64, Tensor.of(new long[] {7}).div(f64.narrow(0, 0, 1)).dtype());
        // clamp keeps integers unless a bound has a fraction
        Tensor ints = Tensor.of(new long[] {-5, 0, 5});
        assertEquals(DType.INT64, ints.clamp(-1, 2).dtype());
        assertArrayEquals(new long[] {-1, 0, 2}, ints.clamp(-1, 2).toLongArray());
        assertEquals(DType.FLOAT32, ints.clamp(-1.5, 2.5).dtype());
        assertArrayEquals(new float[] {-1.5f, 0, 2.5f}, ints.clamp(-1.5, 2.5).toFloatArray());
        // min > max: everything becomes max (torch.clamp's documented rule), NaN stays NaN
        assertArrayEquals(new float[] {1, 1, 1, Float.NaN},
                Tensor.of(new float[] {-5, 2, 9, Float.NaN}).clamp(3, 1).toFloatArray());
        // pow: integers stay integers for a whole exponent (torch.tensor([3]) ** 2 is tensor([9])), not a fraction
        assertEquals(DType.INT64, ints.pow(2).dtype());
        assertArrayEquals(new long[] {25, 0, 25}, ints.pow(2).toLongArray());
        assertArrayEquals(new long[] {-125, 0, 125}, ints.pow(3).toLongArray());
        assertArrayEquals(new long[] {1, 1, 1}, ints.pow(0).toLongArray());
        assertEquals(DType.FLOAT32, ints.pow(0.5).dtype());
    }

    @Test
    void comparisonsGiveBool() {
        Tensor a = Tensor.of(new double[] {1, 2, 3});
        Tensor b = Tensor.of(new float[] {3, 2, 1});
        assertEquals(DType.BOOL, a.eq(b).dtype());
        assertArrayEquals(new boolean[] {false, true, false}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, a.ge(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, a.gt(1.5).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, false}, Tensor.of(new long[] {2, 3, 4}).eq(2.0).toBooleanArray());
        Tensor nan = Tensor.of(new double[] {Double.NaN, 1});
        assertArrayEquals(new boolean[] {true, false}, nan.isNan().toBooleanArray());
        assertArrayEquals(new boolean[] {false, true}, nan.eq(nan).toBooleanArray());
        assertFalse(a.gt(b).requiresGrad());
        assertFalse(Tensor.ones(2).requiresGrad(true).gt(0.0).requiresGrad());
    }

    @Test
    void anyAndAll() {
        assertTrue(Tensor.of(new double[] {0, 0, 2}).any().item() != 0);
        assertFalse(Tensor.of(new double[] {0, 0, 2}).all().item() != 0);
        assertTrue(Tensor.of(new long[] {1, -1}).all().item() != 0);
        assertFalse(Tensor.zeros(3).any().item() != 0);
        assertEquals(DType.BOOL, Tensor.zeros(3).any().dtype());
        assertEquals(0, Tensor.zeros(3).all().dim());
        assertFalse(Tensor.zeros(0).any().item() != 0, "any of nothing is false");
        assertTrue(Tensor.zeros(0).all().item() != 0, "all of nothing is true");
        assertTrue(Tensor.of(new double[] {Double.NaN}).all().item() != 0, "NaN is non-zero, as in PyTorch");
        Tensor m = Tensor.of(new double[][] {{1, 0}, {1, 0}});
        assertTrue(m.t().narrow(0, 0, 1).all().item() != 0);
        assertFalse(m.t().narrow(0, 1, 1).any().item() != 0);
    }

    @Test
    void where() {
        Tensor cond = Tensor.of(new double[] {1, -1, 2}).gt(0.0);
        Tensor w = Tensor.where(cond, Tensor.of(new double[] {10, 20, 30}), Tensor.scalar(0.5, DType.FLOAT64));
        assertArrayEquals(new double[] {10, 0.5, 30}, w.toDoubleArray());
        Tensor col = Tensor.of(new double[] {1, 0}, 2, 1).gt(0.0);
        Tensor m = col.where(Tensor.ones(3), Tensor.zeros(DType.FLOAT64, 3));
        assertArrayEquals(new int[] {2, 3}, m.shape());
        assertEquals(DType.FLOAT64, m.dtype());
        assertArrayEquals(new double[] {1, 1, 1, 0, 0, 0}, m.toDoubleArray());
        assertArrayEquals(new long[] {1, 9}, Tensor.where(Tensor.of(new long[] {1, 0}).gt(0.0),
                Tensor.of(new long[] {1, 2}), Tensor.of(new long[] {8, 9})).toLongArray());
    }

    // ----------------------------------------------------------------------------------- cat, stack, split

    @Test
    void catStackSplitRoundTrips() {
        Tensor x = Tensor.arange(DType.FLOAT64, 0, 12, 1).reshape(3, 4);
        List<Tensor> cols = x.split(3, 1);
        assertEquals(2, cols.size());
        assertArrayEquals(new int[] {3, 3}, cols.get(0).shape());
        assertArrayEquals(new int[] {3, 1}, cols.get(1).shape());
        assertArrayEquals(x.toDoubleArray(), Tensor.cat(cols, 1).toDoubleArray());
        assertArrayEquals(x.toDoubleArray(), Tensor.cat(x.split(1, 0), 0).toDoubleArray());
        assertArrayEquals(x.toDoubleArray(), Tensor.cat(x.split(2, -1), -1).toDoubleArray());
        Tensor s = Tensor.stack(List.of(x, x.mul(2.0)), 0);
        assertArrayEquals(new int[] {2, 3, 4}, s.shape());
        assertArrayEquals(x.mul(2.0).toDoubleArray(), s.select(0, 1).toDoubleArray());
        Tensor s2 = Tensor.stack(List.of(x, x), 2);
        assertArrayEquals(new int[] {3, 4, 2}, s2.shape());
        assertArrayEquals(x.toDoubleArray(), s2.select(-1, 1).contiguous().toDoubleArray());
        Tensor mixed = Tensor.cat(List.of(Tensor.ones(1), Tensor.of(new double[] {2.5}), Tensor.of(new long[] {3})), 0);
        assertEquals(DType.FLOAT64, mixed.dtype());
        assertArrayEquals(new double[] {1, 2.5, 3}, mixed.toDoubleArray());
        assertArrayEquals(new int[] {2}, Tensor.stack(List.of(Tensor.scalar(1), Tensor.scalar(2)), 0).shape());
    }

    @Test
    void shapeOps() {
        Tensor x = Tensor.arange(0, 24, 1).reshape(2, 3, 4);
        assertArrayEquals(new int[] {6, 4}, x.reshape(-1, 4).shape());
        assertArrayEquals(new int[] {2, 12}, x.flatten(1, 2).shape());
        assertArrayEquals(new int[] {24}, x.flatten().shape());
        assertArrayEquals(new int[] {4, 2, 3}, x.permute(2, 0, 1).shape());
        assertEquals(x.get(1, 2, 3), x.permute(2, 0, 1).get(3, 1, 2));
        assertArrayEquals(new int[] {2, 1, 3, 4}, x.unsqueeze(1).shape());
        assertArrayEquals(new int[] {2, 3, 4, 1}, x.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {2, 3, 4}, x.unsqueeze(0).squeeze(0).shape());
        assertArrayEquals(new int[] {3}, Tensor.zeros(1, 3, 1).squeeze().shape());
        assertArrayEquals(new int[] {2, 3, 4}, x.squeeze(1).shape(), "squeezing a size-3 dim is a no-op");
        assertArrayEquals(new float[] {4, 5, 6, 7}, x.select(0, 0).select(0, 1).toFloatArray());
        assertArrayEquals(new float[] {1, 2, 5, 6, 9, 10}, x.select(0, 0).narrow(1, 1, 2).toFloatArray());
        assertArrayEquals(new float[] {3, 3, 0}, Tensor.arange(0, 4, 1).indexSelect(0, Tensor.of(new long[] {3, 3, 0})).toFloatArray());
        Tensor m = Tensor.of(new double[][] {{1, 2}, {3, 4}});
        assertArrayEquals(new double[] {1, 1, 4, 3}, m.gather(1, Tensor.of(new long[] {0, 0, 1, 0}, 2, 2)).toDoubleArray());
        assertArrayEquals(new double[] {1, 3, 7, 4}, m.indexAdd(0, Tensor.of(new long[] {1}), Tensor.of(new double[] {2, 1}, 1, 2))
                .add(Tensor.of(new double[] {0, 1, 2, -1}, 2, 2)).toDoubleArray());
        assertArrayEquals(new double[] {4, 2, 3, 6}, m.scatterAdd(1, Tensor.of(new long[] {0, 0, 1, 1}, 2, 2),
                Tensor.of(new double[] {1, 2, 0, 2}, 2, 2)).toDoubleArray());
        assertArrayEquals(new double[] {1, 2, 3, 4}, m.toDoubleArray(), "indexAdd and scatterAdd are out of place");
    }

    // --------------------------------------------------------------------------------- values of reductions

    @Test
    void argmaxArgmin() {
        Tensor x = Tensor.of(new double[][] {{1, 5, 5}, {7, 0, -2}});
        assertArrayEquals(new long[] {1, 0}, x.argmax(1, false).toLongArray());
        assertArrayEquals(new int[] {2, 1}, x.argmax(1, true).shape());
        assertArrayEquals(new long[] {0, 1, 1}, x.argmin(0, false).toLongArray());
        assertArrayEquals(new long[] {0, 2}, x.argmin(-1, false).toLongArray());
        assertEquals(DType.INT64, x.argmax(0, true).dtype());
        assertArrayEquals(new int[] {1, 3}, x.argmax(0, true).shape());
        assertArrayEquals(new double[] {5, 7}, x.max(1, false).toDoubleArray());
        assertArrayEquals(new double[] {1, 0, -2}, x.min(0, false).toDoubleArray());
        assertEquals(7.0, x.max().item());
        assertEquals(-2.0, x.min().item());
        assertTrue(Double.isNaN(Tensor.of(new double[] {1, Double.NaN, 3}).max().item()), "NaN propagates like PyTorch");
    }

    @Test
    void sumMeanProdVarStdByValue() {
        Tensor x = Tensor.of(new double[][] {{1, 2, 3, 4}, {2, 4, 6, 8}});
        assertEquals(30.0, x.sum().item());
        assertArrayEquals(new double[] {10, 20}, x.sum(1, false).toDoubleArray());
        assertArrayEquals(new int[] {2, 1}, x.sum(-1, true).shape());
        assertEquals(3.75, x.mean().item());
        assertArrayEquals(new double[] {1.5, 3, 4.5, 6}, x.mean(0, false).toDoubleArray());
        assertArrayEquals(new double[] {24, 384}, x.prod(1, false).toDoubleArray());
        // unbiased: var([1,2,3,4]) = 5/3, var([2,4,6,8]) = 20/3
        assertArrayEquals(new double[] {5.0 / 3, 20.0 / 3}, x.var(1, false).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {Math.sqrt(5.0 / 3), Math.sqrt(20.0 / 3)}, x.std(1, true).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.5, 2, 4.5, 8}, x.var(0, false).toDoubleArray(), 1e-12);
        // var of all 8 values: mean 3.75, Σ(x−m)² = 37.5, / 7
        assertEquals(37.5 / 7, x.var().item(), 1e-12);
        assertEquals(Math.sqrt(37.5 / 7), x.std().item(), 1e-12);
        assertEquals(Math.sqrt(1 + 4 + 9 + 16 + 4 + 16 + 36 + 64), x.norm().item(), 1e-12);
        assertEquals(2.5, Tensor.of(new float[] {1, 2, 3, 4}).mean().item(), 1e-6);
        assertEquals(DType.FLOAT32, Tensor.of(new float[] {1, 2}).var().dtype());
        assertEquals(10L, (long) Tensor.of(new long[] {1, 2, 3, 4}).sum().item());
        assertEquals(24L, (long) Tensor.of(new long[] {1, 2, 3, 4}).prod().item());
    }

    @Test
    void reductionsOnZeroDimensionalTensors() {
        Tensor s = Tensor.scalar(3.0, DType.FLOAT64);
        assertEquals(3.0, s.sum().item());
        assertEquals(0, s.sum(0, true).dim());
        assertEquals(3.0, s.mean(0, false).item());
        assertEquals(3.0, s.max().item());
        assertEquals(3.0, s.min(-1, true).item());
        assertEquals(3.0, s.prod(0, false).item());
        assertEquals(3.0, s.logSumExp(0, false).item(), 1e-15);
        assertEquals(3.0, s.logSumExp().item(), 1e-15);
        assertEquals(1.0, s.softmax(0).item());
        assertEquals(0.0, s.logSoftmax(-1).item());
        assertEquals(3.0, s.norm().item());
        assertTrue(Double.isNaN(s.var().item()), "unbiased variance of one value is NaN, as in PyTorch");
        assertArrayEquals(new int[] {1}, s.flatten().shape());
        assertArrayEquals(new int[] {1, 1}, s.reshape(1, 1).shape());
        Tensor g = Tensor.scalar(2.0, DType.FLOAT64).requiresGrad(true);
        g.square().sum(0, false).mean().backward();
        assertEquals(4.0, g.grad().item());
    }

    @Test
    void knownPyTorchValues() {
        // torch.tensor([1., 2., 3.]).softmax(0) -> [0.0900, 0.2447, 0.6652]
        assertArrayEquals(new double[] {0.09003057317038046, 0.24472847105479764, 0.6652409557748219},
                Tensor.of(new double[] {1, 2, 3}).softmax(0).toDoubleArray(), 1e-15);
        assertArrayEquals(new float[] {0.0900f, 0.2447f, 0.6652f}, Tensor.of(new float[] {1, 2, 3}).softmax(-1).toFloatArray(), 1e-4f);
        assertArrayEquals(new double[] {-2.4076059644443806, -1.4076059644443806, -0.4076059644443806},
                Tensor.of(new double[] {1, 2, 3}).logSoftmax(0).toDoubleArray(), 1e-15);
        assertEquals(3.4076059644443806, Tensor.of(new double[] {1, 2, 3}).logSumExp().item(), 1e-15);
        assertEquals(1000 + Math.log(2), Tensor.of(new double[] {1000, 1000}).logSumExp().item(), 1e-12, "no overflow");
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.of(new double[] {Double.NEGATIVE_INFINITY}).logSumExp().item());
        assertArrayEquals(new double[] {0.5, 0.5}, Tensor.of(new double[] {1000, 1000}).softmax(0).toDoubleArray(), 0);
        // gelu(1) = Φ(1) = 0.8413447460685429 (exact erf form), erf(0.5) = 0.5204998778130465
        assertEquals(0.8413447460685429, Tensor.of(new double[] {1}).gelu().item(), 1e-15);
        assertEquals(0.8413447f, Tensor.of(new float[] {1}).gelu().toFloatArray()[0], 1e-7f);
        assertEquals(-0.15865525393145707, Tensor.of(new double[] {-1}).gelu().item(), 1e-15);
        assertEquals(0.5204998778130465, Tensor.of(new double[] {0.5}).erf().item(), 1e-15);
        assertEquals(0.9999779095030014, Tensor.of(new double[] {3}).erf().item(), 1e-15);
        assertEquals(-0.9953222650189527, Tensor.of(new double[] {-2}).erf().item(), 1e-15);
        assertEquals(1.0, Tensor.of(new double[] {7}).erf().item());
        assertEquals(0.7310585786300049, Tensor.of(new double[] {1}).sigmoid().item(), 1e-15);
        assertEquals(0.0, Tensor.of(new double[] {-800}).sigmoid().item(), 1e-300);
        assertEquals(1.0, Tensor.of(new double[] {800}).sigmoid().item());
        assertArrayEquals(new double[] {-0.2, 0, 3}, Tensor.of(new double[] {-2, 0, 3}).leakyRelu(0.1).toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {-1, -0.5, 1}, Tensor.of(new double[] {-3, -0.5, 2}).clamp(-1, 1).toDoubleArray());
        assertArrayEquals(new double[] {8, 0.25}, Tensor.of(new double[] {2, 0.5}).pow(Tensor.of(new double[] {3, 2})).toDoubleArray());
        assertArrayEquals(new double[] {2, 3}, Tensor.of(new double[] {2, -1}).maximum(Tensor.of(new double[] {1, 3})).toDoubleArray());
    }

    @Test
    void matmulByValue() {
        Tensor a = Tensor.of(new double[][] {{1, 2, 3}, {4, 5, 6}});
        Tensor b = Tensor.of(new double[][] {{7, 8}, {9, 10}, {11, 12}});
        assertArrayEquals(new double[] {58, 64, 139, 154}, a.matmul(b).toDoubleArray());
        assertArrayEquals(new double[] {58, 139, 64, 154}, b.t().matmul(a.t()).toDoubleArray());
        assertEquals(32.0, Tensor.of(new double[] {1, 2, 3}).matmul(Tensor.of(new double[] {4, 5, 6})).item());
        assertEquals(0, Tensor.of(new double[] {1, 2, 3}).matmul(Tensor.of(new double[] {4, 5, 6})).dim());
        assertArrayEquals(new double[] {14, 32}, a.matmul(Tensor.of(new double[] {1, 2, 3})).toDoubleArray());
        assertArrayEquals(new double[] {9, 12, 15}, Tensor.of(new double[] {1, 2}).matmul(a).toDoubleArray());
        Tensor batch = Tensor.stack(List.of(a, a.mul(2.0)), 0);
        Tensor out = batch.matmul(b);
        assertArrayEquals(new int[] {2, 2, 2}, out.shape());
        assertArrayEquals(new double[] {58, 64, 139, 154, 116, 128, 278, 308}, out.toDoubleArray());
        Tensor bb = Tensor.stack(List.of(b, b), 0).unsqueeze(1); // [2,1,3,2] x [2,3] -> [2,1,2,2]
        assertArrayEquals(new int[] {2, 1, 2, 2}, a.matmul(bb).shape());
        assertEquals(DType.FLOAT64, a.to(DType.FLOAT32).matmul(b).dtype());
        assertArrayEquals(new long[] {58, 64, 139, 154}, a.to(DType.INT64).matmul(b.to(DType.INT64)).toLongArray());
        assertArrayEquals(new int[] {2, 0}, Tensor.zeros(2, 3).matmul(Tensor.zeros(3, 0)).shape());
        assertArrayEquals(new double[] {0, 0, 0, 0}, Tensor.zeros(DType.FLOAT64, 2, 0).matmul(Tensor.zeros(DType.FLOAT64, 0, 2)).toDoubleArray());
    }

    @Test
    void noGradInPlaceUpdateLikeAnOptimizerStep() {
        Tensor w = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        w.square().sum().backward();
        try (var g = Autograd.noGrad()) {
            w.subi(w.grad().mul(0.25));
        }
        assertArrayEquals(new double[] {0.5, 1}, w.toDoubleArray());
        assertTrue(w.isLeaf() && w.requiresGrad());
    }
}
