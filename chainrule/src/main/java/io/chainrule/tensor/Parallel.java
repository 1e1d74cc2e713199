package io.chainrule.tensor;

/**
 * Runs kernel work over index ranges. The partition into chunks depends only on the problem size and
 * the grain, never on the number of threads, so every result is bit-identical on 1 or N threads.
 */
public final class Parallel {
    /** A kernel body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    /** The number of threads kernels may use. */
    public static int threads() {
        return threads;
    }

    /** Sets the number of threads kernels may use (at least 1). */
    public static void setThreads(int n) {
        if (n < 1) throw new IllegalArgumentException("Parallel.setThreads: threads must be >= 1, got " + n);
        threads = n;
    }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of {@code grain} (the last may be shorter). Chunks may run
     * concurrently; each index is covered exactly once.
     */
    public static void forChunks(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        if (grain < 1) grain = 1;
        for (int start = 0; start < n; start += grain) {
            body.run(start, Math.min(n, start + grain));
        }
    }
}
