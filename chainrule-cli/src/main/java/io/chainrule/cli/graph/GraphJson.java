package io.chainrule.cli.graph;

import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;

import java.util.ArrayList;
import java.util.List;

/**
 * A graph of one step as the browser view shows it: per vertex its DOT id (as in graph.dot and graph.svg), op,
 * name, shape, local backward rule, value and gradient (formatted, at most {@link #ELEMENTS} numbers each), and
 * the edges. {@code LiveState} writes them into the page data as JSON.
 */
public final class GraphJson {
    /** Numbers shown per value and gradient. */
    static final int ELEMENTS = 24;

    /** One vertex as the page shows it. */
    public record Node(String id, String op, String name, String shape, String cluster, String rule, String value,
                       String grad, boolean leaf, boolean root) {}

    private GraphJson() {}

    /** The vertices of {@code g} with their texts. */
    public static List<Node> nodes(GraphModel g) {
        List<Node> out = new ArrayList<>();
        for (GraphModel.Vertex v : g.vertices()) {
            out.add(new Node("n" + v.id(), v.isLeaf() ? "leaf" : v.op(), v.name(), HumanFormat.shape(v.shape()), v.cluster(),
                    DotWriter.rule(g, v), text(v.value()), text(v.grad()), v.isLeaf(), v.isRoot()));
        }
        return out;
    }

    /** The edges of {@code g}, producer and consumer DOT ids. */
    public static List<String[]> edges(GraphModel g) {
        List<String[]> out = new ArrayList<>();
        for (GraphModel.Edge e : g.edges()) out.add(new String[] {"n" + e.producer().id(), "n" + e.consumer().id()});
        return out;
    }

    private static String text(Tensor t) {
        return t == null ? null : HumanFormat.tensor(t, ELEMENTS);
    }
}
