package io.chainrule.autograd;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reverse sweep. Builds the topological order iteratively (Kahn's algorithm over an explicit stack, so a
 * 100,000-op chain cannot overflow the Java stack), then visits each node once, after every consumer of its
 * output has delivered its gradient. Pending gradients live in an identity-keyed map and are summed where a tensor
 * feeds several ops (the branch rule).
 */
final class Engine {
    private Engine() {}

    /**
     * Runs backward from {@code roots} seeded with {@code rootGrads}. With {@code targets} null, gradients
     * accumulate into leaves; otherwise the total gradient reaching each target node is returned (in order) and no
     * leaf is touched.
     */
    static <T extends Differentiable<T>> List<T> run(List<Node<T>> roots, List<T> rootGrads, boolean retainGraph,
                                                     boolean createGraph, List<Node<T>> targets) {
        List<Node<T>> order = topologicalOrder(roots);
        Map<Node<T>, Boolean> needed = targets == null ? null : neededFor(order, targets);
        Map<Node<T>, T> pending = new IdentityHashMap<>();
        for (int i = 0; i < roots.size(); i++) pending.merge(roots.get(i), rootGrads.get(i), T::add);
        Map<Node<T>, T> captured = targets == null ? null : new IdentityHashMap<>();
        // How many nodes each gradient tensor was handed to; a root seed is the caller's, never exclusive.
        Map<T, Integer> handedOut = new IdentityHashMap<>();
        for (T g : rootGrads) handedOut.put(g, 2);
        Map<Node<T>, Boolean> isTarget = new IdentityHashMap<>();
        if (targets != null) for (Node<T> t : targets) isTarget.put(t, Boolean.TRUE);

        boolean previous = GradMode.set(createGraph);
        // Without a recorded backward graph, the pass's dead gradients and temporaries feed the next allocations.
        GradientRecycler<T> recycler = createGraph || rootGrads.isEmpty() || !rootGrads.get(0).buffersReusable()
                ? null : GradientRecycler.open();
        try {
            for (Node<T> node : order) {
                T grad = pending.remove(node);
                if (grad == null) {
                    if (!retainGraph) node.release();
                    continue;
                }
                if (node.hasGradHooks()) {
                    handedOut.put(grad, 2); // a hook may keep it
                    if (recycler != null) recycler.pin(grad);
                    node.runGradHooks(grad);
                }
                if (targets != null) {
                    if (isTarget.containsKey(node)) {
                        captured.put(node, grad);
                        if (recycler != null) recycler.pin(grad);
                    }
                    if (node.isLeafAccumulator() || !needed.containsKey(node)) {
                        if (!retainGraph) node.release();
                        continue;
                    }
                } else if (node.isLeafAccumulator()) {
                    if (recycler != null) recycler.pin(grad); // it may become the leaf's grad()
                    node.accumulate(grad, createGraph, handedOut.getOrDefault(grad, 1) == 1);
                    continue;
                }
                if (recycler != null) recycler.beginTemporaries();
                T[] inputGrads = node.apply(grad);
                if (!retainGraph) node.release();
                T[] fitted = emptyLike(inputGrads, node.inputCount());
                for (int i = 0; i < fitted.length; i++) {
                    if (node.next(i) == null || i >= inputGrads.length || inputGrads[i] == null) continue;
                    fitted[i] = fitToInput(node, i, inputGrads[i]);
                    if (Autograd.isDetectAnomaly()) checkFinite(node, i, fitted[i]);
                }
                if (recycler != null) recycler.endTemporaries(fitted);
                T[] sent = node.hasInputGradHooks() ? emptyLike(inputGrads, node.inputCount()) : null;
                for (int i = 0; i < fitted.length; i++) {
                    T g = fitted[i];
                    if (g == null) continue;
                    handedOut.merge(g, sent == null ? 1 : 2, Integer::sum); // a hook may keep it
                    if (recycler == null) {
                        pending.merge(node.next(i), g, T::add);
                    } else {
                        recycler.handedOn(g);
                        if (sent != null) recycler.pin(g);
                        pending.merge(node.next(i), g, (old, add) -> sum(recycler, old, add));
                    }
                    if (sent != null) sent[i] = g;
                }
                if (recycler != null) recycler.consumed(grad);
                if (sent != null) node.runInputGradHooks(sent);
            }
        } finally {
            if (recycler != null) recycler.close();
            GradMode.set(previous);
        }
        if (targets == null) return null;
        List<T> result = new ArrayList<>(targets.size());
        for (Node<T> t : targets) result.add(captured.get(t));
        return result;
    }

    /** Two gradients of one input summed (the branch rule); both are consumed, the sum is in flight. */
    private static <T extends Differentiable<T>> T sum(GradientRecycler<T> recycler, T a, T b) {
        recycler.beginTemporaries();
        T total = a.add(b);
        recycler.endTemporaries(total);
        recycler.handedOn(total);
        recycler.consumed(a);
        recycler.consumed(b);
        return total;
    }

    /** An array of {@code n} nulls of the same runtime type as {@code like} (generic arrays cannot be created). */
    private static <T> T[] emptyLike(T[] like, int n) {
        T[] a = Arrays.copyOf(like, n);
        Arrays.fill(a, null);
        return a;
    }

    /** Sums a broadcast gradient back to the input's shape and casts it to the input's dtype. */
    private static <T extends Differentiable<T>> T fitToInput(Node<T> node, int i, T g) {
        int[] shape = node.inputShape(i);
        Object type = node.inputType(i);
        return Arrays.equals(g.shape(), shape) && g.dtype() == type ? g : g.fitTo(shape, type);
    }

    private static <T extends Differentiable<T>> void checkFinite(Node<T> node, int i, T g) {
        boolean nan;
        boolean previous = GradMode.set(false);
        try {
            nan = g.hasNaN();
        } finally {
            GradMode.set(previous);
        }
        if (nan) {
            throw new IllegalStateException("Function '" + node.name() + "' returned nan values in its " + i
                    + (i == 1 ? "st" : i == 2 ? "nd" : "th") + " output (anomaly detection; the cause below is the "
                    + "forward call that created it)", node.forwardTrace());
        }
    }

    /** Kahn's algorithm: a node comes after every node that consumes its output. */
    private static <T extends Differentiable<T>> List<Node<T>> topologicalOrder(List<Node<T>> roots) {
        Map<Node<T>, int[]> consumers = new IdentityHashMap<>();
        ArrayDeque<Node<T>> stack = new ArrayDeque<>();
        for (Node<T> r : roots) {
            if (!consumers.containsKey(r)) {
                consumers.put(r, new int[1]);
                stack.push(r);
            }
        }
        while (!stack.isEmpty()) {
            Node<T> n = stack.pop();
            for (int i = 0; i < n.inputCount(); i++) {
                Node<T> m = n.next(i);
                if (m == null) continue;
                int[] c = consumers.get(m);
                if (c == null) {
                    consumers.put(m, new int[] {1});
                    stack.push(m);
                } else {
                    c[0]++;
                }
            }
        }
        List<Node<T>> order = new ArrayList<>(consumers.size());
        for (Node<T> r : roots) {
            if (consumers.get(r)[0] == 0) {
                consumers.get(r)[0] = -1; // queued
                stack.push(r);
            }
        }
        while (!stack.isEmpty()) {
            Node<T> n = stack.pop();
            order.add(n);
            for (int i = 0; i < n.inputCount(); i++) {
                Node<T> m = n.next(i);
                if (m == null) continue;
                int[] c = consumers.get(m);
                if (--c[0] == 0) {
                    c[0] = -1;
                    stack.push(m);
                }
            }
        }
        return order;
    }

    /** The nodes from which some target can be reached below them: only these run for {@code Autograd.grad}. */
    private static <T extends Differentiable<T>> Map<Node<T>, Boolean> neededFor(List<Node<T>> order,
                                                                                  List<Node<T>> targets) {
        Map<Node<T>, Boolean> isTarget = new IdentityHashMap<>();
        for (Node<T> t : targets) isTarget.put(t, Boolean.TRUE);
        Map<Node<T>, Boolean> needed = new IdentityHashMap<>();
        for (int k = order.size() - 1; k >= 0; k--) {
            Node<T> n = order.get(k);
            for (int i = 0; i < n.inputCount(); i++) {
                Node<T> m = n.next(i);
                if (m != null && (isTarget.containsKey(m) || needed.containsKey(m))) {
                    needed.put(n, Boolean.TRUE);
                    break;
                }
            }
        }
        return needed;
    }
}
