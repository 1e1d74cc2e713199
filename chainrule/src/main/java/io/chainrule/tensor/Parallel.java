package io.chainrule.tensor;

/**
 * Runs kernel work over index ranges. The partition into chunks depends only on the problem size and
 * the grain, never on the number of threads, so every result is bit-identical on 1 or N threads.
 *
 * <p>Chunks run on a small pool of daemon worker threads plus the calling thread. A single chunk, a thread
 * count of 1, or a call made from inside a running body (nesting) runs serially on the calling thread.
 */
public final class Parallel {
    /** A kernel body over the half-open range {@code [start, end)}. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final WorkerPool POOL = new WorkerPool();

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
     * concurrently; each index is covered exactly once. An exception thrown by a body is rethrown here once all
     * chunks already started have finished.
     */
    public static void forChunks(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        if (grain < 1) grain = 1;
        int chunks = (int) ((n + (long) grain - 1) / grain);
        int t = threads;
        if (chunks > 1 && t > 1 && POOL.tryRun(body, n, grain, chunks, t)) return;
        for (int c = 0; c < chunks; c++) {
            int start = c * grain;
            body.run(start, (int) Math.min(n, (long) start + grain));
        }
    }
}
