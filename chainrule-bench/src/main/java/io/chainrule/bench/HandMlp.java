package io.chainrule.bench;

import io.chainrule.tensor.Gemm;
import java.util.Arrays;
import java.util.List;

/**
 * An MLP SGD step written by hand on float arrays: the floor that chainrule's autograd overhead is measured against.
 * Same math as {@code nn.Sequential(Linear, ReLU, ..., Linear)} + cross-entropy (mean over the batch) + plain SGD,
 * with weights {@code [out, in]} as in PyTorch. Every matmul is one {@link Gemm#sgemm} call on the arrays as they
 * lie (transposes are flags, never copies); bias, ReLU, softmax and the update are fused loops; nothing is allocated
 * after construction.
 *
 * <p>Per step, with L layers: L forward matmuls, L weight-gradient matmuls {@code dW = dZᵀ·A} and L-1 input-gradient
 * matmuls {@code dA = dZ·W} (the input's gradient is never needed, so it is not computed).
 */
final class HandMlp {
    private final int[] sizes;
    private final int batch;
    private final float lr;
    private final float[][] w, b, dw, db;
    /** act[0] is the input; act[l] is layer l's output (after ReLU for hidden layers, logits for the last). */
    private final float[][] act;
    /** Gradient w.r.t. layer l's pre-activation, [batch, sizes[l + 1]]. */
    private final float[][] dz;

    /** A model with the given parameters (W1, b1, W2, b2, ... as from {@link Workloads#params}), copied. */
    HandMlp(int[] sizes, int batch, List<Workloads.Param> params, float lr) {
        int layers = sizes.length - 1;
        this.sizes = sizes.clone();
        this.batch = batch;
        this.lr = lr;
        w = new float[layers][];
        b = new float[layers][];
        dw = new float[layers][];
        db = new float[layers][];
        act = new float[layers + 1][];
        dz = new float[layers][];
        for (int l = 0; l < layers; l++) {
            w[l] = params.get(2 * l).data().clone();
            b[l] = params.get(2 * l + 1).data().clone();
            dw[l] = new float[w[l].length];
            db[l] = new float[b[l].length];
            act[l + 1] = new float[batch * sizes[l + 1]];
            dz[l] = new float[batch * sizes[l + 1]];
        }
    }

    /** One SGD step on {@code x [batch, sizes[0]]} and class labels {@code y}; returns the loss before the update. */
    float step(float[] x, long[] y) {
        int layers = sizes.length - 1;
        act[0] = x;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l], out = sizes[l + 1];
            float[] z = act[l + 1];
            // Z = A·Wᵀ, then bias (+ ReLU on hidden layers) in place.
            Gemm.sgemm(false, true, batch, out, in, act[l], 0, in, w[l], 0, in, z, 0, out, false);
            boolean relu = l + 1 < layers;
            float[] bias = b[l];
            for (int i = 0; i < batch; i++) {
                int row = i * out;
                for (int j = 0; j < out; j++) {
                    float v = z[row + j] + bias[j];
                    z[row + j] = relu && v < 0 ? 0 : v;
                }
            }
        }
        double loss = softmaxCrossEntropy(act[layers], y, dz[layers - 1], db[layers - 1], sizes[layers]);
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l], out = sizes[l + 1];
            // dW = dZᵀ·A  ([out, batch]·[batch, in]).
            Gemm.sgemm(true, false, out, in, batch, dz[l], 0, out, act[l], 0, in, dw[l], 0, in, false);
            if (l > 0) {
                // dA = dZ·W, written straight into the previous layer's dZ, then masked by its ReLU and summed for db.
                float[] prev = dz[l - 1], h = act[l], dbPrev = db[l - 1];
                Gemm.sgemm(false, false, batch, in, out, dz[l], 0, out, w[l], 0, in, prev, 0, in, false);
                Arrays.fill(dbPrev, 0);
                for (int i = 0; i < batch; i++) {
                    int row = i * in;
                    for (int j = 0; j < in; j++) {
                        float g = h[row + j] > 0 ? prev[row + j] : 0;
                        prev[row + j] = g;
                        dbPrev[j] += g;
                    }
                }
            }
        }
        for (int l = 0; l < layers; l++) {
            sgd(w[l], dw[l]);
            sgd(b[l], db[l]);
        }
        return (float) loss;
    }

    /**
     * Mean cross-entropy of {@code logits [batch, classes]}; writes its gradient {@code (softmax - onehot) / batch}
     * into {@code grad} and the gradient's column sums (the last bias's gradient) into {@code biasGrad}.
     */
    private double softmaxCrossEntropy(float[] logits, long[] y, float[] grad, float[] biasGrad, int classes) {
        Arrays.fill(biasGrad, 0);
        double loss = 0;
        float scale = 1f / batch;
        for (int i = 0; i < batch; i++) {
            int row = i * classes;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < classes; j++) max = Math.max(max, logits[row + j]);
            float sum = 0;
            for (int j = 0; j < classes; j++) {
                float e = (float) Math.exp(logits[row + j] - max);
                grad[row + j] = e;
                sum += e;
            }
            int target = (int) y[i];
            loss += Math.log(sum) - (logits[row + target] - max);
            float inv = scale / sum;
            for (int j = 0; j < classes; j++) {
                float g = grad[row + j] * inv - (j == target ? scale : 0);
                grad[row + j] = g;
                biasGrad[j] += g;
            }
        }
        return loss / batch;
    }

    private void sgd(float[] p, float[] g) {
        for (int i = 0; i < p.length; i++) p[i] -= lr * g[i];
    }
}
