package io.chainrule;

import io.chainrule.tensor.Parallel;

/**
 * The number of threads chainrule's kernels (matrix multiply, element-wise ops, ...) may use.
 *
 * <p>Defaults to the number of available processors. Results do not depend on this setting: work is split
 * the same way whatever the thread count, so outputs are bit-identical on 1 or N threads.
 */
public final class Threads {
    private Threads() {}

    /**
     * Sets how many threads kernels may use, the calling thread included.
     *
     * @param n at least 1; 1 runs everything on the calling thread
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void set(int n) {
        Parallel.setThreads(n);
    }

    /** Returns how many threads kernels may use, the calling thread included. */
    public static int get() {
        return Parallel.threads();
    }
}
