package io.chainrule.parallel;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A tensor's values as plain arrays, for shipping between processes with Java serialization (Spark's broadcasts
 * and task results). Exactly one of the arrays is set, by dtype: FLOAT32 {@code floats}, FLOAT64 {@code doubles},
 * INT64 {@code longs}.
 */
public record TensorData(DType dtype, int[] shape, float[] floats, double[] doubles, long[] longs) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A copy of {@code t}'s values (row-major). */
    public static TensorData of(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> new TensorData(DType.FLOAT32, t.shape(), t.toFloatArray(), null, null);
            case FLOAT64 -> new TensorData(DType.FLOAT64, t.shape(), null, t.toDoubleArray(), null);
            case INT64 -> new TensorData(DType.INT64, t.shape(), null, null, t.toLongArray());
            default -> throw new IllegalArgumentException("TensorData: cannot ship a " + t.dtype() + " tensor of shape "
                    + Arrays.toString(t.shape()) + " (FLOAT32, FLOAT64 and INT64 only)");
        };
    }

    /** Zeros of {@code t}'s shape and dtype. */
    public static TensorData zerosLike(Tensor t) {
        return switch (t.dtype()) {
            case FLOAT32 -> new TensorData(DType.FLOAT32, t.shape(), new float[t.numel()], null, null);
            case FLOAT64 -> new TensorData(DType.FLOAT64, t.shape(), null, new double[t.numel()], null);
            case INT64 -> new TensorData(DType.INT64, t.shape(), null, null, new long[t.numel()]);
            default -> throw new IllegalArgumentException("TensorData: no zeros for " + t.dtype());
        };
    }

    /** A new tensor holding these values. */
    public Tensor toTensor() {
        if (shape.length == 0) { // Tensor.of without a shape makes a 1-D tensor; a 0-d one is a scalar
            double v = dtype == DType.FLOAT32 ? floats[0] : dtype == DType.FLOAT64 ? doubles[0] : longs[0];
            return Tensor.scalar(v, dtype);
        }
        return switch (dtype) {
            case FLOAT32 -> Tensor.of(floats, shape);
            case FLOAT64 -> Tensor.of(doubles, shape);
            case INT64 -> Tensor.of(longs, shape);
            default -> throw new IllegalStateException("TensorData: unexpected dtype " + dtype);
        };
    }

    /** The number of elements. */
    public int numel() {
        return switch (dtype) {
            case FLOAT32 -> floats.length;
            case FLOAT64 -> doubles.length;
            default -> longs.length;
        };
    }

    /** Payload bytes (what the values take on the wire). */
    public long bytes() {
        return (long) numel() * (dtype == DType.FLOAT32 ? 4 : 8);
    }

    /** {@code this += other}, element by element (floats in their own precision; the order is the caller's). */
    public void addInPlace(TensorData other) {
        requireSameShape(other);
        switch (dtype) {
            case FLOAT32 -> { for (int i = 0; i < floats.length; i++) floats[i] += other.floats[i]; }
            case FLOAT64 -> { for (int i = 0; i < doubles.length; i++) doubles[i] += other.doubles[i]; }
            default -> { for (int i = 0; i < longs.length; i++) longs[i] += other.longs[i]; }
        }
    }

    /** {@code this /= divisor} (floats only: integers are left as they are). */
    public void divideInPlace(double divisor) {
        switch (dtype) {
            case FLOAT32 -> { float d = (float) divisor; for (int i = 0; i < floats.length; i++) floats[i] /= d; }
            case FLOAT64 -> { for (int i = 0; i < doubles.length; i++) doubles[i] /= divisor; }
            default -> { }
        }
    }

    /** A deep copy. */
    public TensorData copy() {
        return new TensorData(dtype, shape.clone(), floats == null ? null : floats.clone(),
                doubles == null ? null : doubles.clone(), longs == null ? null : longs.clone());
    }

    /**
     * Serialized as one byte array: Java serialization writes a float[] element by element (and that dominated a
     * Spark step's overhead), a byte[] in one copy.
     */
    @Serial
    private Object writeReplace() {
        ByteBuffer b = ByteBuffer.allocate((int) bytes()).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32 -> b.asFloatBuffer().put(floats);
            case FLOAT64 -> b.asDoubleBuffer().put(doubles);
            default -> b.asLongBuffer().put(longs);
        }
        return new Wire(dtype, shape, b.array());
    }

    /** The serialized form of a {@link TensorData}: its values as little-endian bytes. */
    private record Wire(DType dtype, int[] shape, byte[] values) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private Object readResolve() {
            ByteBuffer b = ByteBuffer.wrap(values).order(ByteOrder.LITTLE_ENDIAN);
            return switch (dtype) {
                case FLOAT32 -> {
                    float[] f = new float[values.length / 4];
                    b.asFloatBuffer().get(f);
                    yield new TensorData(dtype, shape, f, null, null);
                }
                case FLOAT64 -> {
                    double[] d = new double[values.length / 8];
                    b.asDoubleBuffer().get(d);
                    yield new TensorData(dtype, shape, null, d, null);
                }
                default -> {
                    long[] l = new long[values.length / 8];
                    b.asLongBuffer().get(l);
                    yield new TensorData(dtype, shape, null, null, l);
                }
            };
        }
    }

    void requireSameShape(TensorData other) {
        if (other.dtype != dtype || !Arrays.equals(other.shape, shape)) {
            throw new IllegalArgumentException("TensorData: " + dtype + Arrays.toString(shape) + " and " + other.dtype
                    + Arrays.toString(other.shape) + " do not match");
        }
    }
}
