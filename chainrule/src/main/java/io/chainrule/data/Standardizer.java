package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * Per-feature standardization, scikit-learn's StandardScaler: {@link #fit} learns each feature's mean and standard
 * deviation over dimension 0 (the examples) of the training data, {@link #apply} maps any data with the same
 * features to {@code (x − mean) / std}. Fit on the training set, apply to both, so the test set sees the training
 * statistics.
 *
 * <pre>{@code
 * Standardizer st = Standardizer.fit(trainX);
 * Tensor train = st.apply(trainX), test = st.apply(testX);
 * }</pre>
 *
 * <p>The standard deviation is the population one (dividing by n, as StandardScaler; the result has variance
 * exactly 1 on the training data), accumulated in double precision. A constant feature (std 0) gets std 1, so it
 * maps to 0 instead of NaN.
 */
public final class Standardizer {
    private final Tensor mean;
    private final Tensor std;
    private final int[] featureShape;

    private Standardizer(Tensor mean, Tensor std, int[] featureShape) {
        this.mean = mean;
        this.std = std;
        this.featureShape = featureShape;
    }

    /**
     * Learns the per-feature statistics of {@code x}, examples along dimension 0 (features: the remaining
     * dimensions). Statistics are FLOAT64 for a FLOAT64 input, FLOAT32 otherwise.
     */
    public static Standardizer fit(Tensor x) {
        if (x == null || x.dim() == 0 || x.size(0) == 0) {
            throw new IllegalArgumentException("Standardizer.fit: needs at least one example along dimension 0, got "
                    + (x == null ? "null" : "shape " + Arrays.toString(x.shape())));
        }
        if (x.dtype() == DType.BOOL) {
            throw new IllegalArgumentException("Standardizer.fit: expects numbers, got a BOOL tensor of shape "
                    + Arrays.toString(x.shape()));
        }
        int[] shape = x.shape();
        int n = shape[0];
        int[] features = Arrays.copyOfRange(shape, 1, shape.length);
        int f = x.numel() / n;
        double[] v = x.toDoubleArray();
        double[] mean = new double[f];
        for (int i = 0; i < n; i++) for (int j = 0; j < f; j++) mean[j] += v[i * f + j];
        for (int j = 0; j < f; j++) mean[j] /= n;
        // Two passes (mean, then squared deviations): no cancellation for features with a large offset.
        double[] std = new double[f];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                double d = v[i * f + j] - mean[j];
                std[j] += d * d;
            }
        }
        for (int j = 0; j < f; j++) {
            std[j] = Math.sqrt(std[j] / n);
            if (std[j] == 0) std[j] = 1;
        }
        DType type = x.dtype() == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
        return new Standardizer(Tensor.of(mean, features).to(type), Tensor.of(std, features).to(type), features);
    }

    /** The per-feature means (shape: x's shape without dimension 0). */
    public Tensor mean() {
        return mean;
    }

    /** The per-feature standard deviations, constant features reported as 1. */
    public Tensor std() {
        return std;
    }

    /**
     * {@code (x − mean) / std}, broadcasting over the leading dimensions: {@code x}'s trailing dimensions must be
     * the features' shape. Differentiable in {@code x}.
     */
    public Tensor apply(Tensor x) {
        checkFeatures("apply", x);
        return x.sub(mean).div(std);
    }

    /** The inverse of {@link #apply}: {@code x · std + mean}. */
    public Tensor inverse(Tensor x) {
        checkFeatures("inverse", x);
        return x.mul(std).add(mean);
    }

    private void checkFeatures(String op, Tensor x) {
        if (x == null) throw new IllegalArgumentException("Standardizer." + op + ": x must not be null");
        int[] s = x.shape();
        boolean ok = s.length >= featureShape.length
                && Arrays.equals(Arrays.copyOfRange(s, s.length - featureShape.length, s.length), featureShape);
        if (!ok) {
            throw new IllegalArgumentException("Standardizer." + op + ": x of shape " + Arrays.toString(s)
                    + " does not end with the fitted features' shape " + Arrays.toString(featureShape));
        }
    }
}
