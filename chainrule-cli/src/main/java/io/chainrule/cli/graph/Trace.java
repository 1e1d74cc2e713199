package io.chainrule.cli.graph;

import io.chainrule.Tensor;
import io.chainrule.autograd.Node;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Records what the autograd graph itself does not keep, so that a picture of it can show values: the name and
 * forward value of each tensor the caller registers, the module cluster each node belongs to, and, after
 * {@link #backward}, the total gradient that reached every node (captured with {@link Node#addGradHook}) and, at
 * every branch, the share each input slot contributed to the sum (captured with {@link Node#addInputGradHook}): all
 * from one backward pass, so the cost grows linearly with the graph.
 *
 * <pre>{@code
 * Trace tr = new Trace();
 * Tensor a = tr.leaf("a", Tensor.scalar(2.0).requiresGrad(true));
 * Tensor y = tr.name("y", a.mul(a).sigmoid());
 * GraphModel g = tr.backward(y);      // runs backward and returns the annotated graph
 * }</pre>
 */
public final class Trace {
    /** A registered tensor: its display name and forward value. */
    record Named(String name, Tensor value) {}

    private final Map<Node<Tensor>, Named> named = new IdentityHashMap<>();
    private final Map<Node<Tensor>, String> cluster = new IdentityHashMap<>();
    /** Constant inputs registered by {@link #constant}: per consumer node, per input slot. */
    private final Map<Node<Tensor>, Map<Integer, Named>> constants = new IdentityHashMap<>();
    private final Map<Node<Tensor>, Tensor> grads = new IdentityHashMap<>();
    /** For each consumer at a branch: the gradient it sent to each input in the last backward. */
    private final Map<Node<Tensor>, Tensor[]> sent = new IdentityHashMap<>();
    private boolean capturing;

    /** Registers a leaf (it should require grad to appear in the graph) under {@code name}; returns it. */
    public Tensor leaf(String name, Tensor t) {
        return name(name, t);
    }

    /** Registers {@code t} under {@code name} so the picture shows the name and its value; returns {@code t}. */
    public Tensor name(String name, Tensor t) {
        Node<Tensor> n = t.gradNode();
        if (n != null) named.put(n, new Named(name, t));
        return t;
    }

    /**
     * Registers {@code value}, a tensor that does not require grad, as input {@code slot} of the op that produced
     * {@code consumerOutput}, so the picture shows its name and value instead of only "constant" (autograd keeps no
     * reference to such inputs, hence the explicit slot). Returns {@code consumerOutput}.
     *
     * <pre>{@code
     * Tensor xw = tr.constant("x", x, tr.name("x·W", x.matmul(w)), 0);   // x is the left operand
     * }</pre>
     */
    public Tensor constant(String name, Tensor value, Tensor consumerOutput, int slot) {
        Node<Tensor> n = consumerOutput.gradNode();
        if (n != null && slot >= 0 && slot < n.inputCount() && n.next(slot) == null) {
            constants.computeIfAbsent(n, k -> new java.util.HashMap<>()).put(slot, new Named(name, value));
        }
        return consumerOutput;
    }

    /**
     * Puts every node that produced {@code out} and is not in a cluster yet into cluster {@code name}: call it
     * after each module of a model in order, and each module's ops are drawn in a box of their own.
     */
    public Tensor module(String name, Tensor out) {
        Node<Tensor> root = out.gradNode();
        if (root == null) return out;
        ArrayDeque<Node<Tensor>> stack = new ArrayDeque<>();
        Map<Node<Tensor>, Boolean> seen = new IdentityHashMap<>();
        stack.push(root);
        while (!stack.isEmpty()) {
            Node<Tensor> n = stack.pop();
            if (seen.put(n, Boolean.TRUE) != null || cluster.containsKey(n)) continue;
            cluster.put(n, name);
            for (int i = 0; i < n.inputCount(); i++) if (n.next(i) != null) stack.push(n.next(i));
        }
        return out;
    }

    /** Walks the graph below {@code root} without running backward (no gradients on the picture). */
    public GraphModel walk(Tensor root) {
        return build(root, false);
    }

    /**
     * Runs backward from {@code root} (a one-element tensor; otherwise from {@code root.sum()}) and returns the
     * graph with the gradient on every edge. Leaves' {@code grad()} accumulate as with any backward.
     */
    public GraphModel backward(Tensor root) {
        if (!root.requiresGrad()) {
            throw new IllegalArgumentException("graph: the expression does not depend on any variable that requires "
                    + "grad, so it has no graph");
        }
        Tensor seed = Tensor.ones(root.dtype(), root.shape());
        GraphModel model = build(root, true);
        for (GraphModel.Vertex v : model.vertices()) {
            Node<Tensor> n = v.node();
            n.addGradHook(g -> {
                if (capturing) grads.put(n, g.detach().clone());
            });
        }
        // The share each consumer sends to a shared value is what its node hands that input during this one pass:
        // kept per edge, so the picture costs one backward in all, not one per edge.
        for (GraphModel.Branch b : model.branches()) {
            for (GraphModel.Vertex c : b.consumers()) {
                Node<Tensor> n = c.node();
                if (sent.containsKey(n)) continue;
                sent.put(n, new Tensor[n.inputCount()]);
                n.addInputGradHook(gs -> {
                    if (!capturing) return;
                    Tensor[] kept = sent.get(n);
                    for (int i = 0; i < gs.length; i++) if (gs[i] != null) kept[i] = gs[i].detach().clone();
                });
            }
        }
        capturing = true;
        try {
            root.backward(seed, true, false);
        } finally {
            capturing = false;
        }
        model.attachGradients(grads, this::contribution, this::slotShare);
        return model;
    }

    /**
     * The gradient consumer {@code c} sends to producer {@code p} at a branch, as backward computed it on that edge
     * (summed over the slots where c reads p); null when either tensor was not registered.
     */
    private Tensor contribution(Node<Tensor> consumer, Node<Tensor> producer) {
        if (!named.containsKey(consumer) || !named.containsKey(producer) || grads.get(consumer) == null) return null;
        Tensor[] kept = sent.get(consumer);
        Tensor share = null;
        for (int i = 0; kept != null && i < consumer.inputCount(); i++) {
            if (consumer.next(i) != producer || kept[i] == null) continue;
            share = share == null ? kept[i] : share.add(kept[i]);
        }
        return share;
    }

    /** The gradient {@code consumer} sent to its input {@code slot} in the last backward, or null. */
    private Tensor slotShare(Node<Tensor> consumer, int slot) {
        Tensor[] kept = sent.get(consumer);
        return kept == null || slot >= kept.length ? null : kept[slot];
    }

    private GraphModel build(Tensor root, boolean withGrads) {
        Node<Tensor> r = root.gradNode();
        if (r == null) {
            throw new IllegalArgumentException("graph: the expression does not depend on any variable that requires "
                    + "grad, so it has no graph");
        }
        // Iterative depth-first walk (a deep chain must not overflow the stack); ids in discovery order.
        Map<Node<Tensor>, Integer> ids = new IdentityHashMap<>();
        List<Node<Tensor>> order = new ArrayList<>();
        ArrayDeque<Node<Tensor>> stack = new ArrayDeque<>();
        stack.push(r);
        ids.put(r, 0);
        order.add(r);
        while (!stack.isEmpty()) {
            Node<Tensor> n = stack.pop();
            for (int i = n.inputCount() - 1; i >= 0; i--) {
                Node<Tensor> m = n.next(i);
                if (m != null && !ids.containsKey(m)) {
                    ids.put(m, order.size());
                    order.add(m);
                    stack.push(m);
                }
            }
        }
        Map<Node<Tensor>, GraphModel.Vertex> vertices = new LinkedHashMap<>();
        for (Node<Tensor> n : order) {
            Named nm = named.get(n);
            vertices.put(n, new GraphModel.Vertex(ids.get(n), n, nm == null ? null : nm.name(),
                    nm == null ? null : nm.value(), cluster.get(n), n == r));
        }
        return new GraphModel(new ArrayList<>(vertices.values()), ids, withGrads, (n, slot) -> {
            Map<Integer, Named> c = constants.get(n);
            return c == null ? null : c.get(slot);
        });
    }
}
