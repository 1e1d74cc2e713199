package io.chainrule.autograd;

import io.chainrule.Tensor;

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
    static Tensor[] run(List<Node> roots, List<Tensor> rootGrads, boolean retainGraph, boolean createGraph,
                        List<Node> targets) {
        List<Node> order = topologicalOrder(roots);
        Map<Node, Boolean> needed = targets == null ? null : neededFor(order, targets);
        Map<Node, Tensor> pending = new IdentityHashMap<>();
        for (int i = 0; i < roots.size(); i++) pending.merge(roots.get(i), rootGrads.get(i), Tensor::add);
        Map<Node, Tensor> captured = targets == null ? null : new IdentityHashMap<>();
        // How many nodes each gradient tensor was handed to; a root seed is the caller's, never exclusive.
        Map<Tensor, Integer> handedOut = new IdentityHashMap<>();
        for (Tensor g : rootGrads) handedOut.put(g, 2);
        Map<Node, Boolean> isTarget = new IdentityHashMap<>();
        if (targets != null) for (Node t : targets) isTarget.put(t, Boolean.TRUE);

        boolean previous = GradMode.set(createGraph);
        try {
            for (Node node : order) {
                Tensor grad = pending.remove(node);
                if (grad == null) {
                    if (!retainGraph) node.release();
                    continue;
                }
                if (node.hasGradHooks()) {
                    handedOut.put(grad, 2); // a hook may keep it
                    node.runGradHooks(grad);
                }
                if (targets != null) {
                    if (isTarget.containsKey(node)) captured.put(node, grad);
                    if (node.isLeafAccumulator() || !needed.containsKey(node)) {
                        if (!retainGraph) node.release();
                        continue;
                    }
                } else if (node.isLeafAccumulator()) {
                    node.accumulate(grad, createGraph, handedOut.getOrDefault(grad, 1) == 1);
                    continue;
                }
                Tensor[] inputGrads = node.apply(grad);
                if (!retainGraph) node.release();
                Tensor[] sent = node.hasInputGradHooks() ? new Tensor[node.inputCount()] : null;
                for (int i = 0; i < node.inputCount(); i++) {
                    Node next = node.next(i);
                    if (next == null || i >= inputGrads.length || inputGrads[i] == null) continue;
                    Tensor g = fitToInput(node, i, inputGrads[i]);
                    if (Autograd.isDetectAnomaly()) checkFinite(node, i, g);
                    handedOut.merge(g, sent == null ? 1 : 2, Integer::sum); // a hook may keep it
                    pending.merge(next, g, Tensor::add);
                    if (sent != null) sent[i] = g;
                }
                if (sent != null) node.runInputGradHooks(sent);
            }
        } finally {
            GradMode.set(previous);
        }
        if (targets == null) return null;
        Tensor[] result = new Tensor[targets.size()];
        for (int i = 0; i < result.length; i++) result[i] = captured.get(targets.get(i));
        return result;
    }

    /** Sums a broadcast gradient back to the input's shape and casts it to the input's dtype. */
    private static Tensor fitToInput(Node node, int i, Tensor g) {
        int[] shape = node.inputShape(i);
        if (!Arrays.equals(g.shape(), shape)) g = g.sumToSize(shape);
        if (g.dtype() != node.inputType(i)) g = g.to(node.inputType(i));
        return g;
    }

    private static void checkFinite(Node node, int i, Tensor g) {
        boolean nan;
        boolean previous = GradMode.set(false);
        try {
            nan = g.isNan().any().item() != 0;
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
    private static List<Node> topologicalOrder(List<Node> roots) {
        Map<Node, int[]> consumers = new IdentityHashMap<>();
        ArrayDeque<Node> stack = new ArrayDeque<>();
        for (Node r : roots) {
            if (!consumers.containsKey(r)) {
                consumers.put(r, new int[1]);
                stack.push(r);
            }
        }
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            for (int i = 0; i < n.inputCount(); i++) {
                Node m = n.next(i);
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
        List<Node> order = new ArrayList<>(consumers.size());
        for (Node r : roots) {
            if (consumers.get(r)[0] == 0) {
                consumers.get(r)[0] = -1; // queued
                stack.push(r);
            }
        }
        while (!stack.isEmpty()) {
            Node n = stack.pop();
            order.add(n);
            for (int i = 0; i < n.inputCount(); i++) {
                Node m = n.next(i);
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
    private static Map<Node, Boolean> neededFor(List<Node> order, List<Node> targets) {
        Map<Node, Boolean> isTarget = new IdentityHashMap<>();
        for (Node t : targets) isTarget.put(t, Boolean.TRUE);
        Map<Node, Boolean> needed = new IdentityHashMap<>();
        for (int k = order.size() - 1; k >= 0; k--) {
            Node n = order.get(k);
            for (int i = 0; i < n.inputCount(); i++) {
                Node m = n.next(i);
                if (m != null && (isTarget.containsKey(m) || needed.containsKey(m))) {
                    needed.put(n, Boolean.TRUE);
                    break;
                }
            }
        }
        return needed;
    }
}
