package io.chainrule.tensor;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded cache of {@code float[]} and {@code double[]} tensor buffers, keyed by element type and length, so a
 * training step reuses the buffers of the previous one's dead intermediates instead of allocating (and the JVM
 * zeroing) new ones. Only the autograd engine hands buffers back, and only buffers it made itself and can prove
 * nobody else reaches (see {@code io.chainrule.GradientRecycler}); a tensor a user holds never has its buffer reused.
 *
 * <p>The cache holds at most {@link #limit()} bytes (least recently refilled sizes go first); {@code 0} turns it off.
 * The default is an eighth of the maximum heap, at most 256 MiB; the system property
 * {@code chainrule.bufferCacheBytes} sets it at start-up. Thread-safe: one lock, held for a map look-up.
 */
public final class BufferCache {
    /** Smaller buffers are cheaper to allocate than to look up. */
    static final int MIN_LENGTH = 1024;

    private static final Map<Long, ArrayDeque<Object>> FREE = new LinkedHashMap<>(16, 0.75f, true);
    private static long limit = initialLimit();
    private static long held;
    /** Tests set this: returned buffers are filled with NaN, so a kernel that relies on zeros shows up. */
    static volatile boolean poison;
    private static final ThreadLocal<List<Storage>> RECORDING = new ThreadLocal<>();

    private BufferCache() {}

    private static long initialLimit() {
        String s = System.getProperty("chainrule.bufferCacheBytes");
        if (s != null) {
            try {
                long v = Long.parseLong(s.trim());
                if (v >= 0) return v;
            } catch (NumberFormatException ignored) {
                // fall through to the error below
            }
            throw new IllegalArgumentException("chainrule.bufferCacheBytes: expected a number of bytes >= 0, got '" + s + "'");
        }
        return Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /** The most bytes the cache holds. */
    public static synchronized long limit() {
        return limit;
    }

    /** Sets the most bytes the cache holds ({@code 0}: off), dropping buffers beyond it. */
    public static synchronized void setLimit(long bytes) {
        if (bytes < 0) throw new IllegalArgumentException("BufferCache.setLimit: bytes must be >= 0, got " + bytes);
        limit = bytes;
        evictDownTo(limit);
    }

    /** The bytes of the buffers the cache holds now. */
    public static synchronized long heldBytes() {
        return held;
    }

    /** Drops every cached buffer. */
    public static synchronized void clear() {
        evictDownTo(0);
    }

    /**
     * A {@code float[]} ({@code dbl} false) or {@code double[]} of {@code n} elements: a cached one when there is
     * one, else a new (zeroed) one. A cached buffer holds old values unless {@code zeroed} asks for zeros; pass
     * false only when the caller writes every element.
     */
    public static Object take(boolean dbl, int n, boolean zeroed) {
        Object buf = n >= MIN_LENGTH ? poll(key(dbl, n)) : null;
        if (buf == null) return dbl ? new double[n] : new float[n];
        if (zeroed) {
            if (dbl) Arrays.fill((double[]) buf, 0);
            else Arrays.fill((float[]) buf, 0);
        }
        return buf;
    }

    private static synchronized Object poll(long key) {
        if (limit == 0 || FREE.isEmpty()) return null;
        ArrayDeque<Object> q = FREE.get(key);
        if (q == null || q.isEmpty()) return null;
        Object buf = q.pop();
        held -= bytes(buf);
        return buf;
    }

    /** Takes {@code buf} (a float[] or double[] nobody else can reach any more) into the cache, if it fits. */
    static void give(Object buf) {
        int n = buf instanceof float[] f ? f.length : buf instanceof double[] d ? d.length : -1;
        if (n < MIN_LENGTH) return;
        if (poison) {
            if (buf instanceof float[] f) Arrays.fill(f, Float.NaN);
            else Arrays.fill((double[]) buf, Double.NaN);
        }
        synchronized (BufferCache.class) {
            long size = bytes(buf);
            if (size > limit) return;
            long key = key(buf instanceof double[], n);
            ArrayDeque<Object> q = FREE.get(key); // also marks this size as recently used
            if (held + size > limit) {
                evictDownTo(limit - size);
                q = FREE.get(key);
            }
            if (q == null) FREE.put(key, q = new ArrayDeque<>());
            q.push(buf);
            held += size;
        }
    }

    /** Drops whole sizes, least recently refilled first, until at most {@code target} bytes are held. */
    private static void evictDownTo(long target) {
        for (Iterator<ArrayDeque<Object>> it = FREE.values().iterator(); it.hasNext() && held > target; ) {
            ArrayDeque<Object> q = it.next();
            while (!q.isEmpty() && held > target) held -= bytes(q.pop());
            if (q.isEmpty()) it.remove();
        }
    }

    private static long key(boolean dbl, int n) {
        return ((long) n << 1) | (dbl ? 1 : 0);
    }

    private static long bytes(Object buf) {
        return buf instanceof double[] d ? 8L * d.length : 4L * ((float[]) buf).length;
    }

    // ----------------------------------------------------------------------------------- recording (per thread)

    /**
     * Starts recording the cacheable storages this thread allocates through {@link #record}, into {@code into};
     * returns the list this thread recorded into before (null if none), for {@link #stopRecording}.
     */
    public static List<Storage> startRecording(List<Storage> into) {
        List<Storage> previous = RECORDING.get();
        RECORDING.set(into);
        return previous;
    }

    /** Restores the recording {@link #startRecording} replaced. */
    public static void stopRecording(List<Storage> previous) {
        if (previous == null) RECORDING.remove();
        else RECORDING.set(previous);
    }

    /** Notes a storage just made around a buffer from {@link #take}, when this thread records. */
    public static Storage record(Storage s) {
        List<Storage> r = RECORDING.get();
        if (r != null && s.length() >= MIN_LENGTH) r.add(s);
        return s;
    }

    /** Gives a dead storage's buffer back to the cache; the storage must never be read again (nobody can reach it). */
    public static void recycle(Storage s) {
        give(s.data);
    }
}
