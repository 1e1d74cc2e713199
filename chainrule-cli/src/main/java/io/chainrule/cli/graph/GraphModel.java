package io.chainrule.cli.graph;

import io.chainrule.Tensor;
import io.chainrule.autograd.Node;

import java.util.ArrayList;
import java.util.Collections;
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
        private final Node node;
        private final String name;
        private final Tensor value;
        private final String cluster;
        private final boolean root;
        private Tensor grad;

        Vertex(int id, Node node, String name, Tensor value, String cluster, boolean root) {
            this.id = id;
            this.node = node;
            this.name = name;
            this.value = value;
            this.cluster = cluster;
            this.root = root;
        }

        public int id() { return id; }
        public Node node() { return node; }
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

    /** Input {@code slot} of {@code consumer} is a constant (a tensor that does not require grad). */
    public record Constant(Vertex consumer, int slot) {}

    /**
     * A value used by several consumers: the gradients they send back are summed. {@code contributions} holds
     * each consumer's share (null where it could not be computed); {@code total} is the sum that reached the
     * producer.
     */
    public record Branch(Vertex producer, List<Vertex> consumers, List<Tensor> contributions) {}

    private final List<Vertex> vertices;
    private final List<Edge> edges = new ArrayList<>();
    private final List<Constant> constants = new ArrayList<>();
    private final List<Branch> branches = new ArrayList<>();
    private final boolean withGrads;

    GraphModel(List<Vertex> vertices, Map<Node, Integer> ids, boolean withGrads) {
        this.vertices = vertices;
        this.withGrads = withGrads;
        for (Vertex v : vertices) {
            Node n = v.node();
            for (int i = 0; i < n.inputCount(); i++) {
                Node m = n.next(i);
                if (m == null) constants.add(new Constant(v, i));
                else edges.add(new Edge(vertices.get(ids.get(m)), v, i));
            }
        }
        Map<Vertex, List<Vertex>> consumers = new LinkedHashMap<>();
        for (Edge e : edges) {
            List<Vertex> cs = consumers.computeIfAbsent(e.producer(), k -> new ArrayList<>());
            cs.add(e.consumer());
        }
        for (Map.Entry<Vertex, List<Vertex>> en : consumers.entrySet()) {
            if (en.getValue().size() > 1) {
                List<Vertex> distinct = new ArrayList<>();
                for (Vertex c : en.getValue()) if (!distinct.contains(c)) distinct.add(c);
                branches.add(new Branch(en.getKey(), distinct, new ArrayList<>(Collections.nCopies(distinct.size(), null))));
            }
        }
    }

    void attachGradients(Map<Node, Tensor> grads, BiFunction<Node, Node, Tensor> contribution) {
        for (Vertex v : vertices) v.grad = grads.get(v.node());
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
        for (Branch b : branches) if (b.producer() == v) return b;
        return null;
    }

    /** The first vertex registered under {@code name}, or null. */
    public Vertex find(String name) {
        for (Vertex v : vertices) if (name.equals(v.name())) return v;
        return null;
    }
}
