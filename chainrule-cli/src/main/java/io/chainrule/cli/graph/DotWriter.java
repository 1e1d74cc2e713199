package io.chainrule.cli.graph;

import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.GraphModel.Branch;
import io.chainrule.cli.graph.GraphModel.Constant;
import io.chainrule.cli.graph.GraphModel.Edge;
import io.chainrule.cli.graph.GraphModel.Vertex;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link GraphModel} as Graphviz DOT. Arrows point the way values flow (inputs above, the loss at the
 * bottom); each edge is labelled in red with the gradient flowing back along it. A value used twice gets a "+"
 * node: the consumers' gradients meet there and are summed, each share on its own edge and the sum on the edge
 * into the value. Each op node shows its name, output shape, value when small, the total gradient of its output
 * and the local rule that turns that gradient into its inputs' (add passes it through, mul swaps its inputs).
 */
public final class DotWriter {
    /** Tensors with at most this many elements (a 4×4 matrix) are printed in full. */
    static final int SMALL = 16;
    /** Above this many nodes, labels drop values and rules so the picture stays readable. */
    static final int COMPACT_ABOVE = 120;
    /** Above this many nodes the op nodes are grouped (see {@link #node}). */
    static final int GROUP_ABOVE = 40;
    /** A leaf with more consumers than this is drawn beside each of them (see {@link #split}). */
    static final int SPLIT_FANOUT = 3;

    static final String LEGEND = "red edge labels: the gradient flowing back along each edge (∂loss/∂value);"
            + " grad in a node: ∂loss/∂(its output)";

    private DotWriter() {}

    /** The DOT text of {@code g}, titled {@code title}. */
    public static String render(GraphModel g, String title) {
        if (title.length() > 100) title = title.substring(0, 99) + "…";
        boolean compact = g.vertices().size() > COMPACT_ABOVE;
        StringBuilder out = new StringBuilder();
        out.append("digraph chainrule {\n");
        out.append("  graph [rankdir=TB, fontname=\"Helvetica\", fontsize=12, labelloc=t, label=\"")
                .append(esc(title + (g.hasGradients() ? "\n" + LEGEND : "")
                + (g.branches().stream().allMatch(DotWriter::split) ? ""
                : "\n'+': a value used by several ops; the gradients they send back are summed"))).append("\", nodesep=0.3, ranksep=0.35];\n");
        out.append("  node [fontname=\"Helvetica\", fontsize=10, shape=box, style=\"rounded,filled\", fillcolor=\"#fff8dc\"];\n");
        out.append("  edge [fontname=\"Helvetica\", fontsize=9, fontcolor=\"#b22222\", color=\"#555555\"];\n");

        Map<String, List<Vertex>> clusters = new LinkedHashMap<>();
        List<Vertex> loose = new ArrayList<>();
        for (Vertex v : g.vertices()) {
            if (v.cluster() == null) loose.add(v);
            else clusters.computeIfAbsent(v.cluster(), k -> new ArrayList<>()).add(v);
        }
        int ci = 0;
        for (Map.Entry<String, List<Vertex>> c : clusters.entrySet()) {
            out.append("  subgraph cluster_").append(ci++).append(" {\n");
            out.append("    label=\"").append(esc(c.getKey())).append("\"; style=\"rounded,dashed\"; color=\"#7777aa\";\n");
            for (Vertex v : c.getValue()) out.append("    ").append(node(g, v, compact)).append('\n');
            out.append("  }\n");
        }
        for (Vertex v : loose) out.append("  ").append(node(g, v, compact)).append('\n');

        // Branches: producer -> "+" -> each consumer. A leaf shared by many ops (a weight reused at every step of
        // a loop) gets a copy beside each use instead: long edges across the picture would make it unreadable and
        // Graphviz slow. Each copy's edge carries that use's share; the leaf's node shows the sum.
        for (Branch b : g.branches()) {
            if (split(b)) {
                for (int i = 0; i < b.consumers().size(); i++) {
                    String r = "r" + b.producer().id() + "_" + b.consumers().get(i).id();
                    out.append("  ").append(r).append(" [label=\"").append(esc(shortName(b.producer()) + " (shared)"))
                            .append("\", style=\"rounded,dashed,filled\", fillcolor=\"#d6eaff\"];\n");
                }
                continue;
            }
            String s = "s" + b.producer().id();
            out.append("  ").append(s).append(" [shape=circle, label=\"+\", fillcolor=\"#ffd6d6\", width=0.3, fixedsize=true, ")
                    .append("tooltip=\"branch: the gradients from ").append(b.consumers().size())
                    .append(" consumers are summed here\"];\n");
            out.append("  n").append(b.producer().id()).append(" -> ").append(s);
            if (g.hasGradients()) {
                out.append(" [label=\"").append(esc(sumLabel(g, b))).append("\"]");
            }
            out.append(";\n");
        }
        for (Edge e : g.edges()) {
            Branch b = g.branchOf(e.producer());
            String from = b == null ? "n" + e.producer().id()
                    : split(b) ? "r" + e.producer().id() + "_" + e.consumer().id() : "s" + e.producer().id();
            out.append("  ").append(from).append(" -> n").append(e.consumer().id());
            List<String> attrs = new ArrayList<>();
            String label = edgeLabel(g, e, b, compact);
            if (label != null) attrs.add("label=\"" + esc(label) + "\"");
            if (!attrs.isEmpty()) out.append(" [").append(String.join(", ", attrs)).append(']');
            out.append(";\n");
        }
        if (!compact) {
            for (Constant c : g.constants()) {
                String id = "c" + c.consumer().id() + "_" + c.slot();
                out.append("  ").append(id).append(" [label=\"").append(esc(constantLabel(c)))
                        .append("\", shape=plaintext, style=\"\", fontcolor=\"#888888\"];\n");
                out.append("  ").append(id).append(" -> n").append(c.consumer().id())
                        .append(" [style=dashed, color=\"#aaaaaa\"];\n");
            }
        }
        out.append("}\n");
        return out.toString();
    }

    /**
     * A small tensor's values (a matrix one row per line, so a 4×4 stays readable in a node), or its shape and norm.
     */
    static String values(Tensor t, int max) {
        String s = HumanFormat.tensor(t, max);
        return t != null && t.dim() == 2 && t.shape()[0] > 1 && t.numel() <= max ? s.replace("], [", "],\n [") : s;
    }

    /** "constant", or for a registered one its name and value (a large one: its shape and norm). */
    static String constantLabel(Constant c) {
        if (c.value() == null) return "constant";
        return "constant " + c.name() + "\n" + (HumanFormat.small(c.value(), SMALL) ? "value " : "") + values(c.value(), SMALL);
    }

    private static String node(GraphModel g, Vertex v, boolean compact) {
        List<String> lines = new ArrayList<>();
        if (v.isLeaf()) {
            lines.add(v.name() != null ? v.name() : "leaf");
            lines.add("leaf " + HumanFormat.shape(v.shape()));
        } else {
            if (v.name() != null) lines.add(v.name());
            lines.add(v.op() + "  " + HumanFormat.shape(v.shape()));
        }
        if (!compact && HumanFormat.small(v.value(), SMALL)) lines.add("value " + values(v.value(), SMALL));
        Branch shared = g.branchOf(v);
        if (shared != null && split(shared)) {
            lines.add("used by " + shared.consumers().size() + " ops: grad is the sum of their shares");
        }
        if (v.grad() != null) lines.add("grad " + values(v.grad(), compact ? 1 : SMALL));
        if (!compact) {
            String rule = rule(g, v);
            if (rule != null) lines.add(rule);
        }
        String fill = v.isRoot() ? "#ffc58f" : v.isLeaf() ? "#d6eaff" : "#fff8dc";
        // In a big graph the ops share a group, which keeps a long chain straight instead of drifting sideways.
        String group = !v.isLeaf() && g.vertices().size() > GROUP_ABOVE ? ", group=ops" : "";
        return "n" + v.id() + " [label=\"" + esc(String.join("\n", lines)) + "\", fillcolor=\"" + fill + "\"" + group + "];";
    }

    /** A leaf used by more than {@link #SPLIT_FANOUT} ops is drawn once per use. */
    static boolean split(Branch b) {
        return b.producer().isLeaf() && b.consumers().size() > SPLIT_FANOUT;
    }

    private static String shortName(Vertex v) {
        return v.name() != null ? v.name() : "leaf " + HumanFormat.shape(v.shape());
    }

    private static String edgeLabel(GraphModel g, Edge e, Branch b, boolean compact) {
        if (!g.hasGradients()) return null;
        if (b != null) {
            // Each input slot gets its own share: x*x draws two edges, each with the gradient of one factor.
            Tensor share = g.share(e);
            return share == null ? null : values(share, compact ? 1 : SMALL);
        }
        Tensor grad = e.producer().grad();
        return grad == null ? null : values(grad, compact ? 1 : SMALL);
    }

    private static String sumLabel(GraphModel g, Branch b) {
        Vertex p = b.producer();
        Tensor total = p.grad();
        if (total == null) return "Σ";
        StringBuilder sb = new StringBuilder("Σ = ");
        List<Edge> es = g.edgesOf(b);
        boolean allScalar = total.numel() == 1;
        for (Edge e : es) allScalar &= g.share(e) != null && g.share(e).numel() == 1;
        if (allScalar) {
            for (int i = 0; i < es.size(); i++) {
                if (i > 0) sb.append(" + ");
                sb.append(HumanFormat.num(g.share(es.get(i)).item()));
            }
            sb.append(" = ");
        }
        return sb.append(values(total, SMALL)).toString();
    }

    /** The local backward rule of the op, with the input names filled in where they are known. */
    static String rule(GraphModel g, Vertex v) {
        List<String> in = inputNames(g, v);
        String a = in.size() > 0 ? in.get(0) : null;
        String b = in.size() > 1 ? in.get(1) : null;
        switch (v.op()) {
            case "AddBackward0":
                return a != null && b != null ? "add: passes ḡ through to " + a + " and " + b : "add: passes ḡ through";
            case "SubBackward0":
                if (a == null) return "sub: −ḡ → " + b;
                return b == null ? "sub: passes ḡ through" : "sub: ḡ → " + a + ", −ḡ → " + b;
            case "MulBackward0":
                if (a == null || b == null) return constantRule(g, v, a == null ? 0 : 1, "mul by", "ḡ·");
                return mulRule(g, v, a, b);
            case "DivBackward0":
                if (b == null) return constantRule(g, v, 1, "div by", "ḡ/");
                return a == null ? "div: −ḡ·a/" + b + "² → " + b : "div: ḡ/" + b + " → " + a + ", −ḡ·" + a + "/" + b + "² → " + b;
            case "NegBackward0": return "neg: −ḡ";
            case "SigmoidBackward0": return withValue("σ' = σ(1−σ)", v, t -> t * (1 - t));
            case "TanhBackward0": return withValue("tanh' = 1 − tanh²", v, t -> 1 - t * t);
            case "ReluBackward0": return "relu: ḡ where input > 0, else 0";
            case "LeakyReluBackward0": return "leaky relu: ḡ where input > 0, else slope·ḡ";
            case "GeluBackward0": return "gelu: ḡ·(Φ(x) + x·φ(x))";
            case "ExpBackward0": return "exp: ḡ·exp(x)";
            case "LogBackward0": return "log: ḡ/x";
            case "SqrtBackward0": return "sqrt: ḡ/(2√x)";
            case "PowBackward0": return "pow: ḡ·p·x^(p−1)";
            case "PowBackward1": return "pow: ḡ·p·x^(p−1) → x, ḡ·x^p·ln x → p";
            case "SinBackward0": return "sin: ḡ·cos x";
            case "CosBackward0": return "cos: −ḡ·sin x";
            case "MmBackward0": case "BmmBackward0":
                return matmulRule(a, b);
            case "AddmmBackward0": return "linear x·Wᵀ + b: ḡ·W → x, ḡᵀ·x → W, Σ ḡ → b";
            case "TransposeBackward0": case "PermuteBackward0": case "TBackward0": return "transposes ḡ back";
            // Composite ops: the node is their last step (see Recorder.named); the steps before it appear below it.
            case "MeanBackward0": case "MeanBackward1": return "mean = sum ÷ n: ḡ/n";
            case "VarBackward0": return "var = Σ(x − x̄)² ÷ (n − 1): ḡ/(n − 1)";
            case "StdBackward0": return withValue("std = √var: ḡ/(2·std)", v, t -> 1 / (2 * t));
            case "LogsumexpBackward0": return "logsumexp = log Σ exp(x − m) + m: passes ḡ through";
            case "SelectBackward0": return "select: reshapes ḡ back; the slice below puts it in its slot";
            case "SliceBackward0": case "SplitBackward0": return "slice: ḡ into its slot, zeros elsewhere";
            case "StackBackward0": case "CatBackward0": return "cat: each input gets its part of ḡ";
            case "MvBackward0": return "matrix·vector: ḡ·vᵀ → M, Mᵀ·ḡ → v";
            case "DotBackward0": return "dot u·v: ḡ·v → u, ḡ·u → v";
            case "SumBackward0": case "SumBackward1": return "sum: copies ḡ to every element";
            case "ExpandBackward0": return "broadcast: sums ḡ over the copies";
            case "ViewBackward0": case "UnsafeViewBackward0": case "UnsqueezeBackward0":
            case "SqueezeBackward0": case "SqueezeBackward1": return "reshapes ḡ back";
            case "LogSoftmaxBackward0": return "log-softmax: ḡ − softmax·Σḡ";
            case "SoftmaxBackward0": return "softmax: s·(ḡ − Σ s·ḡ)";
            case "GatherBackward0": return "gather: scatters ḡ back to the picked places";
            case "IndexSelectBackward0": return "index-select: adds ḡ back at the indices";
            case "MaxBackward0": case "MinBackward0":
                return "max/min of all: ḡ to the extreme element (split evenly among ties)";
            case "MaxBackward1": case "MinBackward1":
                return "max/min along a dim: ḡ to the selected index (the first of ties)";
            case "MaximumBackward0": case "MinimumBackward0":
                return "maximum/minimum: ḡ to the larger/smaller input (halved on a tie)";
            case "AbsBackward0": return "abs: ḡ·sign(x) (0 at x = 0)";
            case "ConvolutionBackward0":
                return "conv: ḡ ⋆ W (transposed conv) → x, ḡ correlated with x → W, Σ ḡ per channel → b";
            case "MaxPool2DWithIndicesBackward0": return "max-pool: ḡ to the max of each window, 0 elsewhere";
            case "AvgPool2DBackward0": return "avg-pool: ḡ/(window size) to every element of its window";
            case "AdaptiveAvgPool2DBackward0": return "adaptive avg-pool: ḡ/(cells in the bin) to each cell of its bin";
            case "AccumulateGrad": return v.grad() == null ? null : "adds ḡ into .grad";
            default: return null;
        }
    }

    /** matmul's rule, naming which operand is A (left) and which is B (right); a null name is a constant. */
    static String matmulRule(String a, String b) {
        String which = "matmul A·B, A = " + (a == null ? "constant" : a) + " (left), B = " + (b == null ? "constant" : b)
                + " (right)";
        if (a == null) return which + ":\nAᵀ·ḡ → B";
        if (b == null) return which + ":\nḡ·Bᵀ → A";
        return which + ":\nḡ·Bᵀ → A, Aᵀ·ḡ → B";
    }

    /** "mul by a constant c: ḡ·c", with c's value when the constant was registered and is a single number. */
    private static String constantRule(GraphModel g, Vertex v, int slot, String what, String applied) {
        Tensor c = g.constantValue(v, slot);
        if (c == null || c.numel() != 1) return what + " a constant c: " + applied + "c";
        String n = HumanFormat.num(c.item());
        return what + " the constant " + n + ": " + applied + n;
    }

    private static String mulRule(GraphModel g, Vertex v, String a, String b) {
        Tensor va = inputValue(g, v, 0);
        Tensor vb = inputValue(g, v, 1);
        String s = "mul swaps inputs: ḡ·" + b + " → " + a + ", ḡ·" + a + " → " + b;
        if (va != null && vb != null && va.numel() == 1 && vb.numel() == 1) {
            s += "\n∂/∂" + a + " = " + b + " = " + HumanFormat.num(vb.item()) + ", ∂/∂" + b + " = " + a + " = " + HumanFormat.num(va.item());
        }
        return s;
    }

    private interface Deriv {
        double at(double outputValue);
    }

    private static String withValue(String rule, Vertex v, Deriv d) {
        if (v.value() != null && v.value().numel() == 1) return rule + " = " + HumanFormat.num(d.at(v.value().item()));
        return rule;
    }

    private static List<String> inputNames(GraphModel g, Vertex v) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < v.node().inputCount(); i++) {
            Vertex p = g.producer(v, i);
            // null marks a constant input; long names (whole subexpressions) are shortened to the slot.
            if (p == null) {
                names.add(null);
                continue;
            }
            String n = p.name() == null ? "" : p.name();
            if (n.contains(" = ")) n = n.substring(0, n.indexOf(" = ")); // "h = a·wa + b·wb" is h
            names.add(!n.isEmpty() && n.length() <= 12 && !n.contains(" ") ? n : "in" + i);
        }
        return names;
    }

    private static Tensor inputValue(GraphModel g, Vertex v, int slot) {
        Vertex p = g.producer(v, slot);
        return p == null ? null : p.value();
    }

    static String esc(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
