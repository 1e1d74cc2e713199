package io.chainrule.cli.graph;

import io.chainrule.Tensor;
import io.chainrule.autograd.Node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A walked autograd graph with what {@link Trace} learned about it: one vertex per node, one edge per input slot
 * (producer to consumer, the forward direction), and the branches where a value feeds several consumers and the
 * gradients coming back are summed.
 */
public final class GraphModel {
    /** One node of the graph. {@code name} and {@code value} are known only for registered tensors. */
    public static final class Vertex {
        private final int id;
        private final Node<Tensor> node;
        private final String name;
        private final Tensor value;
        private final String cluster;
        private final boolean root;
        private Tensor grad;

        Vertex(int id, Node<Tensor> node, String name, Tensor value, String cluster, boolean root) {
            this.id = id;
            this.node = node;
            this.name = name;
            this.value = value;
            this.cluster = cluster;
            this.root = root;
        }

        public int id() { return id; }
        public Node<Tensor> node() { return node; }
        /** The registered name, or null. */
        public String name() { return name; }
        /** The forward value, or null when the tensor was not registered. */
        public Tensor value() { return value; }
        /** The module cluster, or null. */
        public String cluster() { return cluster; }
        public boolean isRoot() { return root; }
        /** The total gradient of the loss with respect to this node's output (after backward), or null. */
        public Tensor grad() { return grad; }
        /** The op name as PyTorch prints it ({@code MulBackward0}, {@code AccumulateGrad}). */
        public String op() { return node.name(); }
        public boolean isLeaf() { return node.inputCount() == 0 && "AccumulateGrad".equals(node.name()); }

        /** The output shape, from the value or else from the gradient; null when neither is known. */
        public int[] shape() {
            if (value != null) return value.shape();
            if (grad != null) return grad.shape();
            return null;
        }
    }

    /** Input {@code slot} of {@code consumer} is the output of {@code producer}. */
    public record Edge(Vertex producer, Vertex consumer, int slot) {}

    /**
     * Input {@code slot} of {@code consumer} is a constant (a tensor that does not require grad); {@code name} and
     * {@code value} are known when it was registered with {@link Trace#constant}, else null.
     */
    public record Constant(Vertex consumer, int slot, String name, Tensor value) {}

    /**
     * A value used by several consumers, or twice by one ({@code x*x}): the gradients they send back are summed.
     * {@code contributions} holds each consumer's share over all the slots where it reads the value (null where it
     * could not be computed); {@link #share(Edge)} has each slot's own. The sum is the producer's {@code grad()}.
     */
    public record Branch(Vertex producer, List<Vertex> consumers, List<Tensor> contributions) {}

    private final List<Vertex> vertices;
    private final List<Edge> edges = new ArrayList<>();
    private final List<Constant> constants = new ArrayList<>();
    private final List<Branch> branches = new ArrayList<>();
    private final boolean withGrads;
    // Lookups the writer makes per vertex and per edge, indexed once so a large graph stays linear.
    private final Map<Vertex, Branch> branchByProducer = new IdentityHashMap<>();
    /** producers[v.id()][slot]: the vertex feeding that input, or null for a constant. */
    private final Vertex[][] producers;
    /** For each branch producer: its edges (one per input slot that reads it), in edge order. */
    private final Map<Vertex, List<Edge>> branchEdges = new IdentityHashMap<>();
    /** The gradient each edge out of a branch producer carries back (its own slot's share), after backward. */
    private final Map<Edge, Tensor> edgeShares = new IdentityHashMap<>();

    GraphModel(List<Vertex> vertices, Map<Node<Tensor>, Integer> ids, boolean withGrads,
               BiFunction<Node<Tensor>, Integer, Trace.Named> constantAt) {
        this.vertices = vertices;
        this.withGrads = withGrads;
        this.producers = new Vertex[vertices.size()][];
        for (Vertex v : vertices) {
            Node<Tensor> n = v.node();
            producers[v.id()] = new Vertex[n.inputCount()];
            for (int i = 0; i < n.inputCount(); i++) {
                Node<Tensor> m = n.next(i);
                if (m == null) {
                    Trace.Named c = constantAt.apply(n, i);
                    constants.add(new Constant(v, i, c == null ? null : c.name(), c == null ? null : c.value()));
                } else {
                    Vertex p = vertices.get(ids.get(m));
                    edges.add(new Edge(p, v, i));
                    producers[v.id()][i] = p;
                }
            }
        }
        Map<Vertex, Map<Vertex, int[]>> consumers = new LinkedHashMap<>();
        Map<Vertex, Integer> uses = new IdentityHashMap<>();
        for (Edge e : edges) {
            // the distinct consumers of each producer, in order of first use (a Branch lists each once)
            Map<Vertex, int[]> cs = consumers.computeIfAbsent(e.producer(), k -> new LinkedHashMap<>());
            if (!cs.containsKey(e.consumer())) cs.put(e.consumer(), new int[] {cs.size(), e.slot()});
            uses.merge(e.producer(), 1, Integer::sum);
        }
        for (Map.Entry<Vertex, Map<Vertex, int[]>> en : consumers.entrySet()) {
            if (uses.get(en.getKey()) > 1) {
                List<Vertex> distinct = new ArrayList<>(en.getValue().keySet());
                Branch b = new Branch(en.getKey(), distinct, new ArrayList<>(Collections.nCopies(distinct.size(), null)));
                branches.add(b);
                branchByProducer.put(en.getKey(), b);
            }
        }
        for (Edge e : edges) {
            if (branchByProducer.containsKey(e.producer())) {
                branchEdges.computeIfAbsent(e.producer(), k -> new ArrayList<>()).add(e);
            }
        }
    }

    void attachGradients(Map<Node<Tensor>, Tensor> grads, BiFunction<Node<Tensor>, Node<Tensor>, Tensor> contribution,
                         BiFunction<Node<Tensor>, Integer, Tensor> slotShare) {
        for (Vertex v : vertices) v.grad = grads.get(v.node());
        for (List<Edge> es : branchEdges.values()) {
            for (Edge e : es) {
                Tensor share = slotShare.apply(e.consumer().node(), e.slot());
                if (share != null) edgeShares.put(e, share);
            }
        }
        for (Branch b : branches) {
            for (int i = 0; i < b.consumers().size(); i++) {
                b.contributions().set(i, contribution.apply(b.consumers().get(i).node(), b.producer().node()));
            }
        }
    }

    public List<Vertex> vertices() { return Collections.unmodifiableList(vertices); }
    public List<Edge> edges() { return Collections.unmodifiableList(edges); }
    public List<Constant> constants() { return Collections.unmodifiableList(constants); }
    public List<Branch> branches() { return Collections.unmodifiableList(branches); }
    /** True when backward ran and gradients are attached. */
    public boolean hasGradients() { return withGrads; }

    /** The branch whose producer is {@code v}, or null. */
    public Branch branchOf(Vertex v) {
        return branchByProducer.get(v);
    }

    /** The edges out of branch producer {@code b.producer()}, one per input slot reading it, in edge order. */
    public List<Edge> edgesOf(Branch b) {
        return Collections.unmodifiableList(branchEdges.getOrDefault(b.producer(), List.of()));
    }

    /**
     * The gradient edge {@code e} (out of a branch producer) carries back: the share its own input slot sent, so
     * {@code x*x} has two edges with one share each; null before backward or when it was not captured.
     */
    public Tensor share(Edge e) {
        return edgeShares.get(e);
    }

    /** The vertex whose output is input {@code slot} of {@code consumer}, or null for a constant input. */
    public Vertex producer(Vertex consumer, int slot) {
        Vertex[] in = producers[consumer.id()];
        return slot < in.length ? in[slot] : null;
    }

    /** The registered value of constant input {@code slot} of {@code consumer}, or null. */
    public Tensor constantValue(Vertex consumer, int slot) {
        for (Constant c : constants) if (c.consumer() == consumer && c.slot() == slot) return c.value();
        return null;
    }

    /** The first vertex registered under {@code name}, or null. */
    public Vertex find(String name) {
        for (Vertex v : vertices) if (name.equals(v.name())) return v;
        return null;
    }
}
