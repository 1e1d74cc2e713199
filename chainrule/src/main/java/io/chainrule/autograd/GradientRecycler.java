package io.chainrule.autograd;

import io.chainrule.tensor.BufferCache;
import io.chainrule.tensor.Storage;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hands the buffers of one backward pass's dead gradients to the {@link BufferCache}, for the {@link Engine}. Only buffers the pass itself allocated, on its own thread, are candidates, and
 * one goes back only when the engine can prove nobody reaches it any more:
 *
 * <ul>
 * <li>a temporary a backward rule made while computing its input gradients (the rules are the library's own ops,
 *     run with grad mode off, so they save nothing), unless an input gradient shares its storage;</li>
 * <li>a gradient the engine passed between nodes, once every tensor in flight on that storage has been consumed
 *     (by the next rule, or summed with another gradient of the same input).</li>
 * </ul>
 *
 * Whatever leaves the engine's hands is pinned and never reused: what a hook saw, what a leaf keeps as its
 * {@code grad()}, what {@code Autograd.grad} returns. Buffers the caller made (the seed, forward results, saved
 * tensors) are never candidates. The engine opens none when the backward records a graph or an op tracer listens.
 */
final class GradientRecycler<T extends Differentiable<T>> implements AutoCloseable {
    private final List<Storage> recorded = new ArrayList<>();
    private final List<Storage> previous;
    /** Storages this pass made that gradients in flight use, with how many such gradients hold each (made lazily). */
    private Map<Storage, int[]> inFlight;

    private GradientRecycler() {
        previous = BufferCache.startRecording(recorded);
    }

    /** A recycler for a pass on this thread, or null when the cache is off. Close it when the pass ends. */
    static <T extends Differentiable<T>> GradientRecycler<T> open() {
        return BufferCache.limit() == 0 ? null : new GradientRecycler<>();
    }

    /** Starts a stretch of library code (a rule, summing gradients) whose allocations {@link #endTemporaries} sorts. */
    void beginTemporaries() {
        recorded.clear(); // made outside such stretches (hooks, the caller): never candidates
    }

    /**
     * Ends the stretch begun by {@link #beginTemporaries}: storages made in it that none of {@code results} uses are
     * dead and go back to the cache; those that some result uses become this pass's own, recycled once consumed.
     */
    @SafeVarargs
    final void endTemporaries(T... results) {
        for (Storage s : recorded) {
            if (!usedBy(s, results)) {
                BufferCache.recycle(s);
            } else {
                if (inFlight == null) inFlight = new IdentityHashMap<>();
                inFlight.putIfAbsent(s, new int[1]);
            }
        }
        recorded.clear();
    }

    private static <T extends Differentiable<T>> boolean usedBy(Storage s, T[] results) {
        for (T t : results) if (t != null && t.storage() == s) return true;
        return false;
    }

    /** {@code g} is handed to the next node (pending). */
    void handedOn(T g) {
        int[] count = inFlight == null ? null : inFlight.get(g.storage());
        if (count != null) count[0]++;
    }

    /** {@code g} leaves the engine (a hook, a leaf's grad, a returned gradient): its buffer is never reused. */
    void pin(T g) {
        if (inFlight != null) inFlight.remove(g.storage()); // consumed() then skips it; it cannot be recorded again
    }

    /** The engine is done with {@code g} (handed on earlier); its buffer goes back once no gradient uses it. */
    void consumed(T g) {
        int[] count = inFlight == null ? null : inFlight.get(g.storage());
        if (count != null && --count[0] <= 0) {
            inFlight.remove(g.storage());
            BufferCache.recycle(g.storage());
        }
    }

    @Override
    public void close() {
        BufferCache.stopRecording(previous);
    }
}
