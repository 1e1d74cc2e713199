package io.chainrule.tensor;

import java.util.Arrays;

/** Shape arithmetic: sizes, strides, broadcasting and dimension checks. Every error names the op. */
public final class Shapes {
    private Shapes() {}

    /** The most dimensions a tensor may have (PyTorch's limit too). */
    public static final int MAX_RANK = 64;
    /**
     * The most elements a tensor may have: its storage is one Java array, indexed by {@code int}, and JVMs refuse
     * arrays within a few elements of {@link Integer#MAX_VALUE}.
     */
    public static final int MAX_NUMEL = Integer.MAX_VALUE - 8;
    /** Error messages show at most this many sizes of a shape. */
    private static final int SHOWN_DIMS = 12;

    /**
     * The number of elements of a valid {@code shape} (one {@link #check} accepts): the product of its sizes, 0 when
     * any size is 0 whatever the order. A shape breaking the rule fails as {@link #check} does, naming "numel".
     */
    public static int numel(int[] shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
            if (n > MAX_NUMEL || n < 0) return check("numel", shape); // a later 0, or an error
        }
        return (int) n;
    }

    /**
     * The one rule for shapes, wherever a tensor's shape is made (creation, views, broadcasting, readers): at most
     * {@link #MAX_RANK} dimensions, no negative size, and at most {@link #MAX_NUMEL} elements, counted without
     * overflow and independently of the order of the sizes (any size 0 makes 0 elements). Returns the element count.
     *
     * @throws IllegalArgumentException naming {@code op} and the shape, with the text {@link #problem(long[])} gives
     */
    public static int check(String op, int[] shape) {
        if (shape == null) throw new IllegalArgumentException(op + ": the shape is null");
        if (shape.length <= MAX_RANK) { // the common case, without allocating
            long n = 1;
            boolean ok = true;
            for (int s : shape) {
                n *= s;
                if (s < 0 || n > MAX_NUMEL) {
                    ok = false;
                    break;
                }
            }
            if (ok) return (int) n;
        }
        long[] wide = new long[shape.length];
        for (int i = 0; i < shape.length; i++) wide[i] = shape[i];
        String problem = problem(wide);
        if (problem != null) throw new IllegalArgumentException(op + ": " + problem);
        return (int) count(wide);
    }

    /**
     * What is wrong with {@code shape} under the rule of {@link #check}, or null when it is a valid shape: for
     * readers, which report the same text with the file and byte offset instead of an op.
     */
    public static String problem(long[] shape) {
        if (shape.length > MAX_RANK) {
            return "shape " + describe(shape) + " has too many dimensions: " + shape.length + ", more than the " + MAX_RANK
                    + " a tensor can have";
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) return "shape " + describe(shape) + " has a negative size " + shape[i] + " at dimension " + i;
            if (shape[i] > Integer.MAX_VALUE) {
                return "shape " + describe(shape) + " is too large: size " + shape[i] + " at dimension " + i
                        + " is more than the " + Integer.MAX_VALUE + " a dimension can have";
            }
        }
        long n = count(shape);
        if (n > MAX_NUMEL) {
            java.math.BigInteger exact = java.math.BigInteger.ONE;
            for (long s : shape) exact = exact.multiply(java.math.BigInteger.valueOf(s));
            return "shape " + describe(shape) + " is too large: " + exact + " elements, more than the " + MAX_NUMEL
                    + " a tensor can hold";
        }
        return null;
    }

    /** The element count of non-negative sizes: 0 if any is 0, else the product, capped just above MAX_NUMEL. */
    private static long count(long[] shape) {
        for (long s : shape) if (s == 0) return 0;
        long n = 1;
        for (long s : shape) {
            if (s > MAX_NUMEL) return (long) MAX_NUMEL + 1;
            n *= s; // n <= MAX_NUMEL and s <= MAX_NUMEL: no overflow
            if (n > MAX_NUMEL) return (long) MAX_NUMEL + 1;
        }
        return n;
    }

    /** A shape for a message: every size when there are few, else the first ones and the count. */
    private static String describe(long[] shape) {
        if (shape.length <= SHOWN_DIMS) return Arrays.toString(shape);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < SHOWN_DIMS; i++) sb.append(shape[i]).append(", ");
        return sb.append("... (").append(shape.length).append(" sizes)]").toString();
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

    /** Validates a shape given by a user with {@link #check}; returns a copy. */
    public static int[] checkShape(String op, int[] shape) {
        check(op, shape);
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

    /** True when NumPy broadcasting can combine the two shapes (sizes equal or 1, aligned from the right). */
    public static boolean canBroadcast(int[] a, int[] b) {
        for (int i = 1; i <= Math.min(a.length, b.length); i++) {
            int da = a[a.length - i], db = b[b.length - i];
            if (da != db && da != 1 && db != 1) return false;
        }
        return true;
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
        check(op, out); // broadcasting multiplies sizes: [n, 1] with [1, n] holds n² elements
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
