package io.chainrule.cli.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Test hooks that let a test kill or pause a real {@code chainrule train} process at a named point of its
 * checkpoint and chart writes. Off unless a system property asks for them, so a normal run only pays one property
 * lookup per point. The crash tests set them on a child JVM:
 * <ul>
 *   <li>{@code -Dchainrule.test.crashAt=PHASE:N} halts the JVM (as {@code kill -9} would: no shutdown hooks, no
 *       flushing) the N-th time the run reaches PHASE, with exit status {@link #CRASH_EXIT};</li>
 *   <li>{@code -Dchainrule.test.pauseAt=PHASE:N:FILE} creates FILE the N-th time the run reaches PHASE, then waits
 *       (at most 30 s) until the run is asked to stop, so that a test can send a signal at exactly that moment.</li>
 * </ul>
 */
final class FaultInjection {
    static final String CRASH_PROPERTY = "chainrule.test.crashAt";
    static final String PAUSE_PROPERTY = "chainrule.test.pauseAt";
    /** The exit status of a halt at a crash point, distinct from the program's own codes (0, 1, 2, 130). */
    static final int CRASH_EXIT = 86;

    private static final Map<String, AtomicInteger> REACHED = new ConcurrentHashMap<>();

    private FaultInjection() {}

    /** Marks that the run reached {@code phase}; halts here if the crash property names this moment. */
    static void reach(String phase) {
        String spec = System.getProperty(CRASH_PROPERTY);
        if (spec == null) return;
        String[] parts = spec.split(":");
        if (parts.length == 2 && parts[0].equals(phase) && count(phase) == Integer.parseInt(parts[1])) {
            Runtime.getRuntime().halt(CRASH_EXIT);
        }
    }

    /** Pauses at {@code phase} if the pause property names this moment, until {@code stopRequested} holds. */
    static void pause(String phase, BooleanSupplier stopRequested) {
        String spec = System.getProperty(PAUSE_PROPERTY);
        if (spec == null) return;
        String[] parts = spec.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(phase) || count("pause:" + phase) != Integer.parseInt(parts[1])) return;
        try {
            Files.writeString(Path.of(parts[2]), phase + "\n");
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!stopRequested.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(5);
        } catch (IOException e) {
            throw new IllegalStateException("test hook " + PAUSE_PROPERTY + ": cannot write " + parts[2], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int count(String phase) {
        return REACHED.computeIfAbsent(phase, k -> new AtomicInteger()).incrementAndGet();
    }
}
