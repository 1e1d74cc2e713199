package io.chainrule.tensor;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.F;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Results are bit-identical on 1 and 2 threads: the work split depends on sizes only. */
class ThreadDeterminismTest {
    private int saved;

    @BeforeEach
    void remember() {
        saved = Parallel.threads();
    }

    @AfterEach
    void restore() {
        Parallel.setThreads(saved);
    }

    /** Bits of the result computed with 1 thread and with 2. */
    private static void sameOnOneAndTwoThreads(Supplier<Tensor> op) {
        Parallel.setThreads(1);
        float[] one = op.get().toFloatArray();
        Parallel.setThreads(2);
        float[] two = op.get().toFloatArray();
        assertArrayEquals(one, two); // exact: JUnit compares float bits
    }

    private static final int N = 3 * Loops.GRAIN + 17; // several chunks and a ragged end

    private static Tensor big(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape);
    }

    @Test
    void elementwise() {
        Tensor a = big(1, 4, N), b = big(2, N);
        sameOnOneAndTwoThreads(() -> a.mul(b).add(1.0).exp().div(a.abs().add(1.0)));
        sameOnOneAndTwoThreads(() -> a.t().contiguous().gelu());
    }

    @Test
    void fullSum() {
        Tensor a = big(3, 8 * N);
        sameOnOneAndTwoThreads(a::sum);
        sameOnOneAndTwoThreads(() -> a.to(DType.FLOAT64).sum().to(DType.FLOAT32));
        sameOnOneAndTwoThreads(a::mean);
    }

    @Test
    void sumAlongADimension() {
        Tensor a = big(4, 700, 300);
        sameOnOneAndTwoThreads(() -> a.sum(0, false));
        sameOnOneAndTwoThreads(() -> a.sum(1, true));
        sameOnOneAndTwoThreads(() -> a.max(0, false));
    }

    @Test
    void softmax() {
        Tensor a = big(5, 300, 700);
        sameOnOneAndTwoThreads(() -> a.softmax(1));
        sameOnOneAndTwoThreads(() -> a.softmax(0));
        sameOnOneAndTwoThreads(() -> a.logSoftmax(-1));
    }

    @Test
    void matmul() {
        Tensor a = big(6, 200, 150), b = big(7, 150, 180);
        sameOnOneAndTwoThreads(() -> a.matmul(b));
    }

    /** A Linear layer's three products at batch 32, each on its own GEMM path (transposed, skinny, small-k). */
    @Test
    void linearLayerProducts() {
        Tensor x = big(10, 32, 784), w = big(11, 256, 784), dy = big(12, 32, 256);
        sameOnOneAndTwoThreads(() -> x.matmul(w.t()));
        sameOnOneAndTwoThreads(() -> dy.matmul(w));
        sameOnOneAndTwoThreads(() -> dy.t().matmul(x));
        Tensor x64 = x.to(DType.FLOAT64), w64 = w.to(DType.FLOAT64);
        Parallel.setThreads(1);
        double[] one = x64.matmul(w64.t()).toDoubleArray();
        Parallel.setThreads(2);
        assertArrayEquals(one, x64.matmul(w64.t()).toDoubleArray()); // exact: JUnit compares double bits
    }

    /**
     * Output, input, weight and bias gradients of a convolution: samples are split over threads, and the weight
     * gradient sums per-chunk partials, so this fails if the chunking or the partial order followed the thread count.
     */
    @Test
    void convolutionForwardAndBackward() {
        Tensor x = big(10, 6, 8, 20, 20), w = big(11, 16, 8, 3, 3), b = big(12, 16), up = big(13, 6, 16, 20, 20);
        sameOnOneAndTwoThreads(() -> convAndGrads(x, w, b, up, 1, 1, 1));
        Tensor wg = big(14, 16, 4, 3, 3), upg = big(15, 6, 16, 10, 10);
        sameOnOneAndTwoThreads(() -> convAndGrads(x, wg, b, upg, 2, 1, 2)); // strided, grouped
    }

    /** conv2d and its three gradients against {@code up}, flattened into one tensor. */
    private static Tensor convAndGrads(Tensor x, Tensor w, Tensor b, Tensor up, int stride, int padding, int groups) {
        Tensor xs = x.detach().requiresGrad(true), ws = w.detach().requiresGrad(true), bs = b.detach().requiresGrad(true);
        Tensor y = F.conv2d(xs, ws, bs, new int[] {stride}, new int[] {padding}, new int[] {1}, groups);
        List<Tensor> g = Autograd.grad(List.of(y), List.of(xs, ws, bs), List.of(up), false, false);
        return Tensor.cat(List.of(y.detach().reshape(-1), g.get(0).reshape(-1), g.get(1).reshape(-1), g.get(2).reshape(-1)), 0);
    }

    @Test
    void lstmForwardAndBackward() {
        // batch · 4·hidden large enough that each step's elementwise pass and GEMMs are split between threads
        int seq = 5, batch = 48, in = 20, hidden = 64;
        sameOnOneAndTwoThreads(() -> {
            Generator g = new Generator(10);
            int[][] shapes = {{seq, batch, in}, {batch, hidden}, {batch, hidden}, {4 * hidden, in}, {4 * hidden, hidden},
                    {4 * hidden}, {4 * hidden}};
            List<Tensor> xs = new ArrayList<>();
            for (int[] s : shapes) xs.add(Tensor.randn(g, s).mul(0.5).requiresGrad(true));
            Tensor y = LayerPrimitives.lstm(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5), xs.get(6));
            y.square().sum().backward();
            return gradientsAndOutput(y, xs);
        });
    }

    @Test
    void gruForwardAndBackward() {
        int seq = 5, batch = 48, in = 20, hidden = 64;
        sameOnOneAndTwoThreads(() -> {
            Generator g = new Generator(11);
            int[][] shapes = {{seq, batch, in}, {batch, hidden}, {3 * hidden, in}, {3 * hidden, hidden}, {3 * hidden},
                    {3 * hidden}};
            List<Tensor> xs = new ArrayList<>();
            for (int[] s : shapes) xs.add(Tensor.randn(g, s).mul(0.5).requiresGrad(true));
            Tensor y = LayerPrimitives.gru(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5));
            y.square().sum().backward();
            return gradientsAndOutput(y, xs);
        });
    }

    private static Tensor gradientsAndOutput(Tensor y, List<Tensor> xs) {
        List<Tensor> parts = new ArrayList<>(List.of(y.detach().reshape(-1)));
        for (Tensor x : xs) parts.add(x.grad().reshape(-1));
        return Tensor.cat(parts, 0);
    }

    @Test
    void randomNumbers() {
        sameOnOneAndTwoThreads(() -> Tensor.randn(new Generator(8), 2 * N));
        Parallel.setThreads(1);
        double one = Tensor.rand(new Generator(9), N).sum().item();
        Parallel.setThreads(2);
        assertEquals(one, Tensor.rand(new Generator(9), N).sum().item(), 0.0);
    }
}
