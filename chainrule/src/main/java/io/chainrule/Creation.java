package io.chainrule;

import io.chainrule.tensor.Shapes;

import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/** Factories behind Tensor's static creation methods: shape checks, ranges and random tensors. */
final class Creation {
    /** PyTorch's default seed, so an unseeded program is still reproducible run to run. */
    private static final long DEFAULT_SEED = 67280421310721L;
    private static Generator defaultGenerator = new Generator(DEFAULT_SEED);

    private Creation() {}

    /** Set by {@link Generator#asThreadDefault()}: overrides the process-wide generator on one thread. */
    private static final ThreadLocal<Generator> THREAD_DEFAULT = new ThreadLocal<>();

    static Generator defaultGenerator() {
        Generator scoped = THREAD_DEFAULT.get();
        return scoped != null ? scoped : processDefault();
    }

    private static synchronized Generator processDefault() {
        return defaultGenerator;
    }

    static Generator.Scope pushThreadDefault(Generator g) {
        Generator previous = THREAD_DEFAULT.get();
        THREAD_DEFAULT.set(g);
        return new Generator.Scope(previous);
    }

    static void restoreThreadDefault(Generator previous) {
        if (previous == null) THREAD_DEFAULT.remove();
        else THREAD_DEFAULT.set(previous);
    }

    static synchronized void manualSeed(long seed) {
        defaultGenerator = new Generator(seed);
    }

    /** Refuses a null array of values (Java would throw a bare NullPointerException further on). */
    static void requireData(String op, Object data) {
        if (data == null) throw new IllegalArgumentException(op + ": the data array is null");
    }

    /** Refuses a null dtype, naming the op. */
    static void requireDtype(String op, DType dtype) {
        if (dtype == null) throw new IllegalArgumentException(op + ": the dtype is null");
    }

    /** Refuses a null generator, naming the op. */
    private static void requireGenerator(String op, Generator g) {
        if (g == null) throw new IllegalArgumentException(op + ": the generator is null");
    }

    /** The shape for {@code n} values: 1-D when none is given, else it must hold exactly n elements. */
    static int[] shapeFor(String op, int n, int[] shape) {
        if (shape == null || shape.length == 0) return new int[] {n};
        int[] s = Shapes.checkShape(op, shape);
        if (Shapes.numel(s) != n) {
            throw new IllegalArgumentException(op + ": " + n + " values do not fit shape " + Arrays.toString(shape)
                    + " (" + Shapes.numel(s) + " elements)");
        }
        return s;
    }

    /** Checks that rows are non-null and of equal length; returns that length. */
    static int checkRows(String op, int rows, IntUnaryOperator lengthOf) {
        if (rows == 0) return 0;
        int cols = lengthOf.applyAsInt(0);
        for (int i = 0; i < rows; i++) {
            int len = lengthOf.applyAsInt(i);
            if (len < 0) throw new IllegalArgumentException(op + ": row " + i + " is null");
            if (len != cols) {
                throw new IllegalArgumentException(op + ": rows must have equal lengths, row 0 has " + cols
                        + " and row " + i + " has " + len);
            }
        }
        return cols;
    }

    static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0 || Double.isNaN(step) || Double.isNaN(start) || Double.isNaN(end)) {
            throw new IllegalArgumentException("arange: step must be non-zero and bounds finite, got start=" + start
                    + " end=" + end + " step=" + step);
        }
        if ((end - start) / step < 0) {
            throw new IllegalArgumentException("arange: upper bound and step are inconsistent (start=" + start
                    + ", end=" + end + ", step=" + step + ")");
        }
        double count = Math.ceil((end - start) / step);
        if (count > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("arange: " + count + " elements is too many");
        int n = (int) count;
        Tensor t = Tensor.allocate(dtype, new int[] {n});
        for (int i = 0; i < n; i++) io.chainrule.tensor.Loops.write(t.data(), i, start + i * step);
        return t;
    }

    static Tensor randn(Generator g, int... shape) {
        requireGenerator("randn", g);
        int[] s = Shapes.checkShape("randn", shape);
        double[] values = new double[Shapes.numel(s)];
        synchronized (g) { // the default generator is shared by every thread
            g.fillNormal(values);
        }
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
        return Tensor.wrap(f, DType.FLOAT32, s);
    }

    static Tensor rand(Generator g, int... shape) {
        requireGenerator("rand", g);
        int[] s = Shapes.checkShape("rand", shape);
        float[] f = new float[Shapes.numel(s)];
        synchronized (g) {
            for (int i = 0; i < f.length; i++) {
                float v = (float) g.nextDouble();
                f[i] = v < 1f ? v : Math.nextDown(1f); // rounding to float must not reach 1
            }
        }
        return Tensor.wrap(f, DType.FLOAT32, s);
    }

    static Tensor randint(Generator g, long low, long high, int... shape) {
        requireGenerator("randint", g);
        if (high <= low || high - low <= 0) { // the second: a range wider than a long holds
            throw new IllegalArgumentException("randint: high must be greater than low by at most Long.MAX_VALUE, got low="
                    + low + " high=" + high);
        }
        int[] s = Shapes.checkShape("randint", shape);
        long[] l = new long[Shapes.numel(s)];
        synchronized (g) {
            for (int i = 0; i < l.length; i++) l[i] = low + g.nextLong(high - low);
        }
        return Tensor.wrap(l, DType.INT64, s);
    }
}
