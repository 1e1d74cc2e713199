package io.chainrule.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chainrule.Threads;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private final int savedThreads = Parallel.threads();

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(savedThreads);
    }

    @Test
    void everyIndexCoveredOnceWithFixedChunkBoundaries() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            for (int n : new int[] {0, 1, 2, 7, 64, 1000, 4099}) {
                for (int grain : new int[] {-1, 1, 3, 64, 5000}) {
                    AtomicIntegerArray hits = new AtomicIntegerArray(n);
                    int g = Math.max(1, grain);
                    Parallel.forChunks(n, grain, (s, e) -> {
                        assertEquals(0, s % g, "chunk start");
                        assertEquals(Math.min(n, s + g), e, "chunk end");
                        for (int i = s; i < e; i++) hits.incrementAndGet(i);
                    });
                    for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " n=" + n + " grain=" + grain);
                }
            }
        }
    }

    @Test
    void manyCallsInARowAllComplete() {
        Parallel.setThreads(2);
        AtomicInteger sum = new AtomicInteger();
        for (int rep = 0; rep < 20_000; rep++) Parallel.forChunks(8, 1, (s, e) -> sum.addAndGet(e - s));
        assertEquals(160_000, sum.get());
    }

    @Test
    void exceptionInABodyReachesTheCaller() {
        for (int threads : new int[] {1, 2, 3}) {
            Parallel.setThreads(threads);
            IllegalStateException boom = new IllegalStateException("boom");
            IllegalStateException got = assertThrows(IllegalStateException.class,
                    () -> Parallel.forChunks(100, 1, (s, e) -> {
                        if (s == 37) throw boom;
                    }));
            assertSame(boom, got);
            assertThrows(AssertionError.class, () -> Parallel.forChunks(10, 1, (s, e) -> {
                throw new AssertionError("error " + s);
            }));
            // The pool is still usable afterwards.
            AtomicInteger count = new AtomicInteger();
            Parallel.forChunks(100, 1, (s, e) -> count.incrementAndGet());
            assertEquals(100, count.get());
        }
    }

    @Test
    void nestedCallsRunWithoutDeadlock() {
        Parallel.setThreads(2);
        AtomicIntegerArray hits = new AtomicIntegerArray(64 * 64);
        Parallel.forChunks(64, 1, (s, e) -> Parallel.forChunks(64, 4, (s2, e2) -> {
            for (int j = s2; j < e2; j++) hits.incrementAndGet(s * 64 + j);
        }));
        for (int i = 0; i < hits.length(); i++) assertEquals(1, hits.get(i));
    }

    @Test
    void oneThreadRunsOnTheCaller() {
        Threads.set(1);
        assertEquals(1, Threads.get());
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.forChunks(100, 1, (s, e) -> seen.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), seen);
    }

    @Test
    void singleChunkRunsOnTheCaller() {
        Parallel.setThreads(4);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        Parallel.forChunks(10, 10, (s, e) -> seen.add(Thread.currentThread()));
        assertEquals(Set.of(Thread.currentThread()), seen);
    }

    @Test
    void workersTakePartWhenThreadsAllowIt() {
        Parallel.setThreads(2);
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        // Each chunk waits until a second thread has shown up (or 10 ms), so the worker gets to claim some even on
        // a loaded machine where it is scheduled late; an idle worker makes this take 2 s and fail.
        Parallel.forChunks(200, 1, (s, e) -> {
            seen.add(Thread.currentThread());
            long until = System.nanoTime() + 10_000_000;
            while (seen.size() < 2 && System.nanoTime() < until) Thread.onSpinWait();
        });
        assertTrue(seen.size() >= 2, "expected a worker thread to take part, saw " + seen);
    }

    @Test
    void rejectsNonPositiveThreadCounts() {
        assertThrows(IllegalArgumentException.class, () -> Threads.set(0));
    }
}
