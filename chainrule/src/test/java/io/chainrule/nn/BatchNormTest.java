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

/** BatchNorm1d/2d: PyTorch's buffers, batch statistics in training, running statistics in eval. */
class BatchNormTest {
    private static Tensor randn(long seed, int... shape) {
        return Tensor.randn(new Generator(seed), shape).to(DType.FLOAT64);
    }

    /** Per-channel mean and biased variance of x [N, C, rest...] computed by plain loops. */
    private static double[][] channelStats(Tensor x) {
        int c = x.size(1);
        double[] v = x.contiguous().toDoubleArray();
        int inner = x.numel() / (x.size(0) * c);
        double[] mean = new double[c], var = new double[c];
        int count = x.size(0) * inner;
        for (int n = 0; n < x.size(0); n++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < inner; i++) mean[ch] += v[(n * c + ch) * inner + i] / count;
        for (int n = 0; n < x.size(0); n++)
            for (int ch = 0; ch < c; ch++)
                for (int i = 0; i < inner; i++) var[ch] += Math.pow(v[(n * c + ch) * inner + i] - mean[ch], 2) / count;
        return new double[][] {mean, var, {count}};
    }

    @Test
    void buffersAndParametersAreNamedAsInPyTorch() {
        BatchNorm2d bn = new BatchNorm2d(3);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
        assertEquals(List.of("weight", "bias"), List.copyOf(bn.namedParameters().keySet()));
        assertArrayEquals(new float[] {1, 1, 1}, bn.stateDict().get("weight").toFloatArray(), 0f);
        assertArrayEquals(new float[] {0, 0, 0}, bn.stateDict().get("bias").toFloatArray(), 0f);
        assertArrayEquals(new float[] {0, 0, 0}, bn.stateDict().get("running_mean").toFloatArray(), 0f);
        assertArrayEquals(new float[] {1, 1, 1}, bn.stateDict().get("running_var").toFloatArray(), 0f);
        Tensor tracked = bn.stateDict().get("num_batches_tracked");
        assertEquals(DType.INT64, tracked.dtype());
        assertEquals(0, tracked.dim());
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                List.copyOf(new BatchNorm1d(4).stateDict().keySet()));
    }

    @Test
    void knownPyTorchValues() {
        // torch.nn.BatchNorm1d(1)(torch.tensor([[1.], [2.], [3.]])) → [-1.2247, 0, 1.2247];
        // afterwards running_mean = 0.2 and running_var = 0.9 + 0.1·1 (unbiased variance 1) = 1.0.
        BatchNorm1d bn = new BatchNorm1d(1);
        Tensor y = bn.forward(Tensor.of(new float[] {1, 2, 3}, 3, 1));
        assertArrayEquals(new float[] {-1.2247357f, 0f, 1.2247357f}, y.toFloatArray(), 1e-6f);
        assertEquals(0.2, bn.stateDict().get("running_mean").item(), 1e-7);
        assertEquals(1.0, bn.stateDict().get("running_var").item(), 1e-7);
        assertEquals(1, bn.stateDict().get("num_batches_tracked").item());
    }

    @Test
    void runningStatsAfterTwoStepsFollowTheFormula() {
        BatchNorm2d bn = new BatchNorm2d(3);
        bn.to(DType.FLOAT64);
        double[] runMean = {0, 0, 0}, runVar = {1, 1, 1};
        for (int step = 0; step < 2; step++) {
            Tensor x = randn(100 + step, 4, 3, 5, 2).mul(step + 1.5).add(step - 0.5);
            Tensor y = bn.forward(x);
            double[][] s = channelStats(x);
            double count = s[2][0];
            for (int c = 0; c < 3; c++) {
                runMean[c] = 0.9 * runMean[c] + 0.1 * s[0][c];
                runVar[c] = 0.9 * runVar[c] + 0.1 * s[1][c] * count / (count - 1);
                // The output is normalised with the biased batch variance.
                for (int n = 0; n < 4; n++) {
                    assertEquals((x.get(n, c, 2, 1) - s[0][c]) / Math.sqrt(s[1][c] + 1e-5), y.get(n, c, 2, 1), 1e-12);
                }
            }
        }
        assertArrayEquals(runMean, bn.stateDict().get("running_mean").toDoubleArray(), 1e-12);
        assertArrayEquals(runVar, bn.stateDict().get("running_var").toDoubleArray(), 1e-12);
        assertEquals(2, bn.stateDict().get("num_batches_tracked").item());

        // Eval mode uses the running statistics and leaves them alone.
        double[] before = bn.stateDict().get("running_mean").toDoubleArray();
        bn.eval();
        Tensor x = randn(200, 2, 3, 2, 2);
        Tensor y = bn.forward(x);
        for (int c = 0; c < 3; c++) {
            assertEquals((x.get(1, c, 0, 1) - runMean[c]) / Math.sqrt(runVar[c] + 1e-5), y.get(1, c, 0, 1), 1e-12);
        }
        assertArrayEquals(before, bn.stateDict().get("running_mean").toDoubleArray(), 0);
        assertEquals(2, bn.stateDict().get("num_batches_tracked").item());
    }

    @Test
    void batchNorm1dOnSequencesAndAffineParameters() {
        BatchNorm1d bn = new BatchNorm1d(2);
        bn.to(DType.FLOAT64);
        bn.loadStateDict(java.util.Map.of(
                "weight", Tensor.of(new double[] {2, -1}), "bias", Tensor.of(new double[] {0.5, 3}),
                "running_mean", Tensor.zeros(DType.FLOAT64, 2), "running_var", Tensor.ones(DType.FLOAT64, 2),
                "num_batches_tracked", Tensor.scalar(0, DType.INT64)));
        Tensor x = randn(300, 3, 2, 4); // [N, C, L]: statistics over N and L
        Tensor y = bn.forward(x);
        double[][] s = channelStats(x);
        assertEquals(2 * (x.get(2, 0, 3) - s[0][0]) / Math.sqrt(s[1][0] + 1e-5) + 0.5, y.get(2, 0, 3), 1e-12);
        assertEquals(-(x.get(1, 1, 0) - s[0][1]) / Math.sqrt(s[1][1] + 1e-5) + 3, y.get(1, 1, 0), 1e-12);
    }

    @Test
    void trainingModeGradients() {
        BatchNorm2d bn = new BatchNorm2d(2);
        bn.to(DType.FLOAT64);
        Tensor x = randn(400, 3, 2, 2, 2).requiresGrad(true);
        Tensor u = randn(401, 3, 2, 2, 2);
        // Through the batch mean and variance: every output depends on every input of its channel.
        assertTrue(GradCheck.check(in -> bn.forward(in.get(0)).mul(u), List.of(x)));
        BatchNorm1d bn1 = new BatchNorm1d(3);
        bn1.to(DType.FLOAT64);
        assertTrue(GradCheck.check(in -> bn1.forward(in.get(0)), List.of(randn(402, 4, 3).requiresGrad(true))));
        // d/dbias Σ u·y = Σ u over N, H, W; d/dweight = Σ u·x̂.
        Tensor y = bn.forward(x);
        y.mul(u).sum().backward();
        Tensor xhat = y.detach(); // weight 1, bias 0
        Tensor gb = bn.namedParameters().get("bias").grad(), gw = bn.namedParameters().get("weight").grad();
        for (int c = 0; c < 2; c++) {
            assertEquals(u.select(1, c).sum().item(), gb.get(c), 1e-12);
            assertEquals(u.select(1, c).mul(xhat.select(1, c)).sum().item(), gw.get(c), 1e-12);
        }
    }

    @Test
    void rejectsBadInputs() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(3).forward(Tensor.zeros(2, 3, 4)));
        assertTrue(e.getMessage().startsWith("BatchNorm2d:") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(2, 4)));
        assertTrue(e.getMessage().contains("3 channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(3).forward(Tensor.zeros(1, 3)));
        assertTrue(e.getMessage().contains("more than 1 value per channel"), e.getMessage());
        // ...but a single sample is fine in eval mode.
        BatchNorm1d bn = new BatchNorm1d(3);
        bn.eval();
        assertArrayEquals(new int[] {1, 3}, bn.forward(Tensor.ones(1, 3)).shape());
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm1d(2, 1e-5, 1.5));
    }
}
