package io.chainrule.parallel;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The examples of one shard, in data order, packed into flat arrays: what a worker keeps cached for the whole
 * run. Features are FLOAT32, {@code featureSize} per example; labels are class indices ({@code classLabels},
 * INT64 on the way out) or values ({@code valueLabels}, FLOAT32), one per example.
 */
public record ShardData(int shard, int count, int featureSize, float[] features, long[] classLabels,
                        float[] valueLabels) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Checks that the arrays hold {@code count} examples. */
    public ShardData {
        if (features.length != (long) count * featureSize) {
            throw new IllegalArgumentException("ShardData: " + features.length + " feature values are not " + count
                    + " examples of " + featureSize);
        }
        if ((classLabels == null) == (valueLabels == null)) {
            throw new IllegalArgumentException("ShardData: exactly one of class labels and value labels must be given");
        }
        int labels = classLabels != null ? classLabels.length : valueLabels.length;
        if (labels != count) throw new IllegalArgumentException("ShardData: " + labels + " labels for " + count + " examples");
    }

    /** Cuts {@code data} into the plan's shards (example i to shard i mod shards); x keeps its values as FLOAT32. */
    public static List<ShardData> split(TensorDataset data, ShardPlan plan) {
        Tensor x = data.x();
        Tensor y = data.y();
        int n = x.shape()[0];
        if (n != plan.examples()) {
            throw new IllegalArgumentException("ShardData.split: the plan is for " + plan.examples() + " examples, the data has " + n);
        }
        if (y == null || y.dim() != 1) {
            throw new IllegalArgumentException("ShardData.split: labels must be one per example (shape [" + n + "]), got "
                    + (y == null ? "none" : Arrays.toString(y.shape())));
        }
        int d = n == 0 ? 0 : x.numel() / n;
        float[] xs = x.to(DType.FLOAT32).contiguous().toFloatArray();
        boolean classes = y.dtype() == DType.INT64;
        if (!classes && y.dtype() != DType.FLOAT32 && y.dtype() != DType.FLOAT64) {
            throw new IllegalArgumentException("ShardData.split: labels must be INT64 class indices or float values, got " + y.dtype());
        }
        long[] cl = classes ? y.toLongArray() : null;
        float[] vl = classes ? null : y.to(DType.FLOAT32).contiguous().toFloatArray();
        List<ShardData> out = new ArrayList<>();
        for (int s = 0; s < plan.shards(); s++) {
            int m = plan.shardSize(s);
            float[] f = new float[m * d];
            long[] c = classes ? new long[m] : null;
            float[] v = classes ? null : new float[m];
            for (int p = 0; p < m; p++) {
                int i = (int) plan.indexOf(s, p);
                System.arraycopy(xs, i * d, f, p * d, d);
                if (classes) c[p] = cl[i];
                else v[p] = vl[i];
            }
            out.add(new ShardData(s, m, d, f, c, v));
        }
        return out;
    }

    /** The features of the examples at {@code positions}, shaped {@code [positions.length, inputShape...]}. */
    public Tensor features(int[] positions, int[] inputShape) {
        float[] f = new float[positions.length * featureSize];
        for (int k = 0; k < positions.length; k++) {
            System.arraycopy(features, checked(positions[k]) * featureSize, f, k * featureSize, featureSize);
        }
        int[] shape = new int[inputShape.length + 1];
        shape[0] = positions.length;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        return Tensor.of(f, shape);
    }

    /** The labels of the examples at {@code positions}: INT64 class indices or FLOAT32 values, shape [m]. */
    public Tensor labels(int[] positions) {
        if (classLabels != null) {
            long[] c = new long[positions.length];
            for (int k = 0; k < positions.length; k++) c[k] = classLabels[checked(positions[k])];
            return Tensor.of(c, positions.length);
        }
        float[] v = new float[positions.length];
        for (int k = 0; k < positions.length; k++) v[k] = valueLabels[checked(positions[k])];
        return Tensor.of(v, positions.length);
    }

    private int checked(int position) {
        if (position < 0 || position >= count) {
            throw new IllegalArgumentException("ShardData: position " + position + " is outside shard " + shard
                    + " of " + count + " examples");
        }
        return position;
    }
}
