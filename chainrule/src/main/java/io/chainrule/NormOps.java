package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.NormKernels;
import io.chainrule.tensor.Parallel;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;

/**
 * Batch normalisation in training mode as one op: statistics, normalisation, scale and shift in one pass per channel
 * over memory that stays in cache, and a backward of two passes (instead of the dozen ops and passes the composed
 * formula takes each way). Channels split over threads in a partition that depends only on the sizes, each channel
 * summed in a fixed order: bit-identical on any thread count.
 *
 * <p>The fused backward serves first derivatives. When the backward itself is recorded (create-graph), the gradient
 * is written in differentiable ops instead, so derivatives of every order remain.
 */
final class NormOps {
    private NormOps() {}

    /**
     * y = (x − mean) / √(var + eps) · weight + bias over [N, C, ...] with the batch's per-channel mean and biased
     * variance, written into {@code batchMean} and {@code batchVar} (length C) for the caller's running statistics.
     */
    static Tensor batchNorm(Tensor input, Tensor weight, Tensor bias, double eps, double[] batchMean, double[] batchVar) {
        check(input, weight, bias, eps, batchMean, batchVar);
        DType type = DType.promote(DType.promote(input.dtype, weight.dtype), bias.dtype);
        Tensor x = input.to(type), w = weight.to(type), b = bias.to(type);
        int n = x.shape[0], c = x.shape[1], s = (int) (x.numel() / ((long) n * c));
        Tensor xc = x.contiguousRaw();
        Tensor out = Tensor.allocate(type, x.shape);
        double[] wv = w.contiguousRaw().toDoubleArray(), bv = b.contiguousRaw().toDoubleArray();
        double[] invStd = new double[c];
        Object xd = xc.data(), od = out.data();
        int xo = xc.offset;
        Parallel.forChunks(c, channelGrain(n, s), (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                NormKernels.stats(xd, xo, n, c, s, ch, batchMean, batchVar);
                invStd[ch] = 1 / Math.sqrt(batchVar[ch] + eps);
                double scale = wv[ch] * invStd[ch];
                NormKernels.affine(xd, xo, od, 0, n, c, s, ch, scale, bv[ch] - batchMean[ch] * scale);
            }
        });
        double[] mean = batchMean.clone(); // the caller may reuse its arrays; the backward needs these
        return record(out, "NativeBatchNormBackward0", (g, need) -> GradMode.isEnabled()
                ? composedGrad(x, w, g, eps, need)
                : fusedGrad(xc, wv, g, mean, invStd, need), inputs(x, w, b), x, w);
    }

    private static void check(Tensor x, Tensor weight, Tensor bias, double eps, double[] batchMean, double[] batchVar) {
        if (x == null || weight == null || bias == null) {
            throw new IllegalArgumentException("batchNorm: input, weight and bias must not be null");
        }
        if (x.shape.length < 2 || !x.dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("batchNorm: expects a floating-point input of rank ≥ 2 [N, C, ...], got "
                    + x.dtype + " of shape " + Arrays.toString(x.shape));
        }
        int c = x.shape[1];
        if (!Arrays.equals(weight.shape, new int[] {c}) || !Arrays.equals(bias.shape, new int[] {c})) {
            throw new IllegalArgumentException("batchNorm: weight and bias must have shape [" + c + "] for input of shape "
                    + Arrays.toString(x.shape) + ", got " + Arrays.toString(weight.shape) + " and "
                    + Arrays.toString(bias.shape));
        }
        if (batchMean == null || batchVar == null || batchMean.length != c || batchVar.length != c) {
            throw new IllegalArgumentException("batchNorm: batchMean and batchVar must be arrays of length " + c);
        }
        if (x.numel() / c <= 1) {
            throw new IllegalArgumentException("batchNorm: expected more than 1 value per channel, got input shape "
                    + Arrays.toString(x.shape));
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("batchNorm: eps must be non-negative, got " + eps);
    }

    /** Whole channels per chunk, about {@link Loops#GRAIN} elements of work each. */
    private static int channelGrain(int n, int s) {
        return (int) Math.max(1, Loops.GRAIN / Math.max(1, (long) n * s));
    }

    /**
     * dx = w·invStd·(dy − Σdy/M − x̂·Σ(dy·x̂)/M), dw = Σ dy·x̂, db = Σ dy (M values per channel), as dx = a·dy + b·x + k
     * per channel: one pass for the two sums, one to write dx.
     */
    private static Tensor[] fusedGrad(Tensor x, double[] w, Tensor grad, double[] mean, double[] invStd, boolean[] need) {
        Tensor g = grad.to(x.dtype).contiguousRaw();
        int n = x.shape[0], c = x.shape[1], s = (int) (x.numel() / ((long) n * c));
        double count = (double) n * s;
        Tensor dx = need[0] ? Tensor.allocate(x.dtype, x.shape) : null;
        double[] dw = new double[c], db = new double[c];
        Object gd = g.data(), xd = x.data(), dxd = dx == null ? null : dx.data();
        int go = g.offset, xo = x.offset;
        Parallel.forChunks(c, channelGrain(n, s), (from, to) -> {
            double[] sums = new double[2];
            for (int ch = from; ch < to; ch++) {
                NormKernels.gradSums(gd, go, xd, xo, n, c, s, ch, mean[ch], sums);
                db[ch] = sums[0];
                dw[ch] = sums[1] * invStd[ch];
                if (dxd == null) continue;
                double a = w[ch] * invStd[ch];
                double b = -a * invStd[ch] * invStd[ch] * sums[1] / count;
                double k = -a * sums[0] / count - b * mean[ch];
                NormKernels.affine2(gd, go, xd, xo, dxd, 0, n, c, s, ch, a, b, k);
            }
        });
        return new Tensor[] {dx,
                need[1] ? Tensor.of(dw).to(x.dtype) : null,
                need[2] ? Tensor.of(db).to(x.dtype) : null};
    }

    /** The same gradient in differentiable ops, for a recorded backward (derivatives of higher order). */
    private static Tensor[] composedGrad(Tensor x, Tensor w, Tensor g, double eps, boolean[] need) {
        int[] statShape = new int[x.shape.length];
        Arrays.fill(statShape, 1);
        statShape[1] = x.shape[1];
        Tensor centered = x.sub(meanOverChannels(x));
        Tensor invStd = meanOverChannels(centered.square()).add(eps).sqrt().reciprocal();
        Tensor xHat = centered.mul(invStd);
        Tensor dxHat = g.mul(w.reshape(statShape));
        Tensor dx = need[0] ? invStd.mul(dxHat.sub(meanOverChannels(dxHat))
                .sub(xHat.mul(meanOverChannels(dxHat.mul(xHat))))) : null;
        Tensor dw = need[1] ? sumOverChannels(g.mul(xHat)).reshape(x.shape[1]) : null;
        Tensor db = need[2] ? sumOverChannels(g).reshape(x.shape[1]) : null;
        return new Tensor[] {dx, dw, db};
    }

    private static Tensor meanOverChannels(Tensor t) {
        Tensor m = t.mean(0, true);
        for (int d = 2; d < t.shape.length; d++) m = m.mean(d, true);
        return m;
    }

    private static Tensor sumOverChannels(Tensor t) {
        Tensor m = t.sum(0, true);
        for (int d = 2; d < t.shape.length; d++) m = m.sum(d, true);
        return m;
    }
}
