package io.chainrule.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A tiny fork-join pool tuned for kernel work: daemon workers spin briefly after each job (so back-to-back
 * jobs hand off in well under a microsecond) and then park. The calling thread takes chunks too, and chunks are
 * claimed from a shared counter so uneven chunks balance themselves.
 *
 * <p>One job runs at a time. A call that finds the pool busy (a nested call from inside a body, or a second
 * caller thread) runs its chunks serially on its own thread instead of waiting, so nesting cannot deadlock.
 */
final class WorkerPool {
    /**
     * How long an idle worker polls for the next job before parking. Kernels in a training step come back to
     * back, and waking a parked thread costs tens of microseconds, so a short poll keeps hand-offs sub-µs.
     * Measured in time, not iterations: one {@code onSpinWait} (PAUSE) ranges from ~10 to ~150 ns by CPU.
     */
    private static final long WORKER_SPIN_NANOS = 200_000;
    /** How long the caller polls for stragglers before parking. */
    private static final long CALLER_SPIN_NANOS = 50_000;

    /** One forChunks call: chunks are claimed from {@code next}; {@code pending} counts chunks not yet done. */
    private static final class Job {
        final Parallel.RangeBody body;
        final int n, grain, chunks, helpers;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger pending;
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final Thread caller = Thread.currentThread();
        volatile boolean callerParked;

        Job(Parallel.RangeBody body, int n, int grain, int chunks, int helpers) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
            this.helpers = helpers;
            this.pending = new AtomicInteger(chunks);
        }

        /** Claims and runs chunks until none are left. After a failure, chunks are claimed but skipped. */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                if (error.get() == null) {
                    int start = c * grain;
                    try {
                        body.run(start, (int) Math.min(n, (long) start + grain));
                    } catch (Throwable t) {
                        error.compareAndSet(null, t);
                    }
                }
                if (pending.decrementAndGet() == 0 && callerParked) LockSupport.unpark(caller);
            }
        }
    }

    private final class Worker extends Thread {
        final int index;
        volatile boolean parked;

        Worker(int index) {
            super("chainrule-worker-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (true) {
                long e;
                long spinStart = System.nanoTime();
                while ((e = epoch) == seen) {
                    if (System.nanoTime() - spinStart < WORKER_SPIN_NANOS) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (epoch == seen) LockSupport.park(this);
                        parked = false;
                    }
                }
                seen = e;
                Job j = job;
                // A worker that woke late may see a newer job than its epoch: harmless, chunks are claimed atomically.
                if (j != null && index < j.helpers) j.work();
            }
        }
    }

    private final AtomicBoolean busy = new AtomicBoolean();
    private final List<Worker> workers = new ArrayList<>();
    private volatile Job job;
    private volatile long epoch;

    /**
     * Runs {@code chunks} chunks of {@code body} using up to {@code threads} threads including the caller.
     * Returns false, having run nothing, when the pool is busy; the caller then runs serially.
     */
    boolean tryRun(Parallel.RangeBody body, int n, int grain, int chunks, int threads) {
        if (!busy.compareAndSet(false, true)) return false;
        Job j;
        try {
            int helpers = Math.min(threads, chunks) - 1;
            ensureWorkers(helpers);
            j = new Job(body, n, grain, chunks, helpers);
            job = j;
            epoch = epoch + 1; // only the busy-holder writes epoch
            for (int i = 0; i < helpers; i++) {
                Worker w = workers.get(i);
                if (w.parked) LockSupport.unpark(w);
            }
            j.work();
            awaitCompletion(j);
            job = null;
        } finally {
            busy.set(false);
        }
        Throwable t = j.error.get();
        if (t != null) rethrow(t);
        return true;
    }

    private void ensureWorkers(int count) {
        while (workers.size() < count) {
            Worker w = new Worker(workers.size());
            workers.add(w);
            w.start();
        }
    }

    private static void awaitCompletion(Job j) {
        long spinStart = System.nanoTime();
        while (j.pending.get() != 0) {
            if (System.nanoTime() - spinStart < CALLER_SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                j.callerParked = true;
                if (j.pending.get() != 0) LockSupport.park(j);
            }
        }
    }

    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException) throw (RuntimeException) t;
        if (t instanceof Error) throw (Error) t;
        throw new RuntimeException(t); // RangeBody cannot throw checked exceptions, but be safe
    }
}
