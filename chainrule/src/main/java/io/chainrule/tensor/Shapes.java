package io.chainrule.tensor;

import java.util.Arrays;

/** Shape arithmetic: sizes, strides, broadcasting and dimension checks. Every error names the op. */
public final class Shapes {
    private Shapes() {}

    /** The number of elements of {@code shape}; an error if it exceeds what one array can hold. */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
            if (n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape)
                        + " has more elements than one array can hold (" + Integer.MAX_VALUE + ")");
            }
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous tensor of {@code shape}. */
    public static int[] contiguousStrides(int[] shape) {
        int[] strides = new int[shape.length];
        int s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(shape[i], 1);
        }
        return strides;
    }

    /** Validates a shape given by a user: no negative sizes. */
    public static int[] checkShape(String op, int[] shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException(op + ": negative size in shape " + Arrays.toString(shape));
            n = Math.min(n * s, Integer.MAX_VALUE);
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape)
                    + " has more elements than one array can hold (" + (Integer.MAX_VALUE - 8) + ")");
        }
        return shape.clone();
    }

    /** Turns a possibly negative dim into an index in [0, rank), or throws naming the op. */
    public static int normalizeDim(String op, int dim, int rank) {
        int r = Math.max(rank, 1);
        if (dim < -r || dim >= r) {
            throw new IllegalArgumentException(op + ": dimension " + dim + " out of range for a tensor of rank "
                    + rank + " (expected to be in [" + (-r) + ", " + (r - 1) + "])");
        }
        return dim < 0 ? dim + r : dim;
    }

    /** NumPy broadcasting of two shapes, or an error naming the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together (size " + da + " vs " + db + " at dimension " + i + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /**
     * Strides that read a tensor of ({@code shape}, {@code strides}) as if it had the larger {@code target} shape:
     * stride 0 on broadcast dimensions. The caller has checked that the shapes broadcast.
     */
    public static int[] broadcastStrides(int[] shape, int[] strides, int[] target) {
        int[] out = new int[target.length];
        int lead = target.length - shape.length;
        for (int i = 0; i < target.length; i++) {
            int j = i - lead;
            out[i] = j < 0 || shape[j] == 1 ? 0 : strides[j];
        }
        return out;
    }

    /** True when a tensor of ({@code shape}, {@code strides}) is laid out row-major without gaps. */
    public static boolean isContiguous(int[] shape, int[] strides) {
        int expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] == 1) continue;
            if (strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** Product of {@code shape[from..to)}. */
    public static int prod(int[] shape, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) p *= shape[i];
        return p;
    }

    public static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
