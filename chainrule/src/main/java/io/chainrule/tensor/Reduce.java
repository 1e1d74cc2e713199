package io.chainrule.tensor;

/**
 * Reductions and softmax over one dimension of a contiguous array viewed as {@code [outer, n, inner]}: element
 * (o, k, i) sits at {@code xo + (o*n + k)*inner + i}. Work is split over independent outputs, and a full sum over a
 * long run uses fixed-size partial sums combined in order, so results never depend on the thread count. Float
 * inputs are accumulated in double.
 */
public final class Reduce {
    /** What to reduce with. MAX and MIN propagate NaN and report the first index of the extreme, as PyTorch does. */
    public enum Kind { SUM, PROD, MAX, MIN }

    private Reduce() {}

    /**
     * Reduces along n. {@code out} has {@code outer*inner} elements (float[] or double[] like {@code x});
     * {@code indices}, if not null, receives the position k of each max or min.
     */
    public static void reduce(Kind kind, Object x, int xo, int outer, int n, int inner, Object out, long[] indices) {
        if (kind == Kind.SUM && outer == 1 && inner == 1 && n > Loops.GRAIN) {
            double s = chunkedSum(x, xo, n);
            Loops.write(out, 0, s);
            return;
        }
        int innerGrain = Math.max(1, Math.min(inner, Loops.GRAIN / Math.max(n, 1)));
        int innerChunks = (inner + innerGrain - 1) / innerGrain;
        int tasks = outer * innerChunks;
        long work = (long) outer * n * inner;
        int grain = work <= Loops.GRAIN ? Math.max(tasks, 1) : Math.max(1, (int) (Loops.GRAIN / Math.max(1L, (long) n * innerGrain)));
        Parallel.forChunks(tasks, grain, (start, end) -> {
            double[] acc = new double[innerGrain];
            long[] arg = indices == null ? null : new long[innerGrain];
            for (int t = start; t < end; t++) {
                int o = t / innerChunks;
                int i0 = (t % innerChunks) * innerGrain;
                int len = Math.min(innerGrain, inner - i0);
                reduceBlock(kind, x, xo + o * n * inner + i0, n, inner, len, acc, arg);
                for (int i = 0; i < len; i++) {
                    Loops.write(out, o * inner + i0 + i, acc[i]);
                    if (indices != null) indices[o * inner + i0 + i] = arg[i];
                }
            }
        });
    }

    /** Reduces {@code len} adjacent columns starting at {@code base} (row stride {@code inner}) into acc. */
    private static void reduceBlock(Kind kind, Object x, int base, int n, int inner, int len, double[] acc, long[] arg) {
        double init = switch (kind) {
            case SUM -> 0.0;
            case PROD -> 1.0;
            case MAX -> Double.NEGATIVE_INFINITY;
            case MIN -> Double.POSITIVE_INFINITY;
        };
        java.util.Arrays.fill(acc, 0, len, init);
        if (arg != null) java.util.Arrays.fill(arg, 0, len, 0L);
        if (x instanceof float[] f) FloatReduceRows.reduceRows(kind, f, base, n, inner, len, acc, arg);
        else DoubleReduceRows.reduceRows(kind, (double[]) x, base, n, inner, len, acc, arg);
    }

    /** Sum of x[xo..xo+n) as fixed chunks of {@link Loops#GRAIN} summed in parallel, then added in order. */
    private static double chunkedSum(Object x, int xo, int n) {
        int chunks = (n + Loops.GRAIN - 1) / Loops.GRAIN;
        double[] partial = new double[chunks];
        Parallel.forChunks(chunks, 1, (start, end) -> {
            for (int c = start; c < end; c++) {
                int s = xo + c * Loops.GRAIN, e = xo + Math.min(n, (c + 1) * Loops.GRAIN);
                partial[c] = x instanceof float[] f ? FloatReduceRows.sumRange(f, s, e) : DoubleReduceRows.sumRange((double[]) x, s, e);
            }
        });
        double total = 0;
        for (double p : partial) total += p;
        return total;
    }

    /**
     * Softmax (or log-softmax) along n, max-shifted so large logits never overflow. {@code y} is a contiguous
     * array of the same layout and type as {@code x}.
     */
    public static void softmax(Object x, int xo, int outer, int n, int inner, Object y, boolean log) {
        int rows = outer * inner;
        int grain = (long) rows * n <= Loops.GRAIN ? Math.max(rows, 1) : Math.max(1, Loops.GRAIN / Math.max(n, 1));
        Parallel.forChunks(rows, grain, (start, end) -> {
            for (int r = start; r < end; r++) {
                int o = r / inner, i = r % inner;
                int base = o * n * inner + i;
                if (x instanceof float[] f) FloatReduceRows.softmaxRow(f, xo + base, (float[]) y, base, n, inner, log);
                else DoubleReduceRows.softmaxRow((double[]) x, xo + base, (double[]) y, base, n, inner, log);
            }
        });
    }
}
