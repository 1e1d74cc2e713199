package io.chainrule.cli;

import io.chainrule.Tensor;
import io.chainrule.cli.graph.DotWriter;
import io.chainrule.cli.graph.Examples;
import io.chainrule.cli.graph.Expression;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Graphviz;
import io.chainrule.cli.graph.Trace;
import io.chainrule.io.AtomicFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code chainrule graph}: the computational graph of an expression or a built-in example, as DOT (and SVG). */
@Command(name = "graph", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Draws the computational graph of an expression or a built-in example after one backward pass: "
                + "one node per op with its output shape, value (when small) and gradient; the gradient flowing back "
                + "on every edge; a '+' node where a value is used twice and the gradients are summed.",
                "Without --out the DOT text goes to stdout; with --out, NAME.dot and (when Graphviz's dot is on the "
                + "PATH) NAME.svg are written there."},
        footer = {"", "Built-in examples (--expr):",
                "  chain-rule   h = a·wa + b·wb, y = σ(h)",
                "  branch       y = σ(x·w1) + x·w2",
                "  perceptron   the tutorial's sigmoid neuron with MSE loss",
                "  matmul       Y = X·W: dX = G·Wᵀ, dW = Xᵀ·G",
                "  mlp          2-3-2 MLP, ReLU, softmax cross-entropy",
                "  two-layer    σ(X·W1)·W2, softmax cross-entropy",
                "", "Expressions: + - * / @ (matmul) ^ (number power); functions sigmoid tanh relu gelu exp log",
                "sqrt sin cos abs square sum mean t softmax logsoftmax maximum minimum. Unset variables get a random",
                "scalar.",
                "", "Examples:",
                "  chainrule graph --expr chain-rule --out graphs",
                "  chainrule graph 'sum(relu(x @ W))' -v 'x=[[1, -2]]' -v 'W=[[0.5, 1], [-1, 2]]' --out graphs"})
final class GraphCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "EXPRESSION",
            description = "An expression such as 'sigmoid(a*wa + b*wb)'.")
    String expression;

    @Option(names = "--expr", paramLabel = "NAME",
            description = "A built-in example: ${COMPLETION-CANDIDATES}.", completionCandidates = ExampleNames.class)
    String builtin;

    @Option(names = {"-v", "--var"}, paramLabel = "NAME=VALUE",
            description = "A variable's value: 1.5, [1, 2, 3] or [[1, 2], [3, 4]] (repeatable).")
    Map<String, String> vars = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Write NAME.dot and NAME.svg into DIR.")
    Path out;

    @Option(names = "--name", paramLabel = "NAME", description = "File name (without extension) in --out; default: the example's name or 'graph'.")
    String name;

    @Option(names = "--forward-only", description = "Do not run backward: the graph without gradients.")
    boolean forwardOnly;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0", description = "Seed for unset variables (default ${DEFAULT-VALUE}).")
    long seed;

    /** Larger graphs get no SVG: see {@link #call()}. */
    static final int MAX_SVG_NODES = 3000;

    /** The example names, for picocli's completion and help. */
    static final class ExampleNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Examples.names().iterator();
        }
    }

    @Override
    public Integer call() throws IOException {
        CommandLine cmd = spec.commandLine();
        if ((expression == null) == (builtin == null)) {
            throw new CommandLine.ParameterException(cmd, expression == null
                    ? "give an EXPRESSION or --expr NAME (one of " + String.join(", ", Examples.names()) + ")"
                    : "give either an EXPRESSION or --expr, not both");
        }
        if (out != null) FileChecks.prepareOutputDir(out);
        Trace tr = new Trace();
        String title;
        String file;
        Tensor root;
        if (builtin != null) {
            if (!vars.isEmpty()) throw new CommandLine.ParameterException(cmd, "-v/--var sets variables of an EXPRESSION, not of --expr " + builtin);
            Examples.Example ex = Examples.build(builtin, tr);
            if (ex == null) {
                throw new CommandLine.ParameterException(cmd, "Invalid value for option '--expr': '" + builtin
                        + "' is not a built-in example (one of " + String.join(", ", Examples.names()) + ")");
            }
            title = ex.title();
            root = ex.root();
            file = builtin;
        } else {
            Map<String, Tensor> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : vars.entrySet()) values.put(e.getKey(), Expression.parseValue(e.getKey(), e.getValue()));
            Expression.Result r = Expression.evaluate(expression, values, tr, seed);
            for (String v : values.keySet()) {
                if (!r.variables().containsKey(v)) throw new CliException("variable " + v + " is set with -v but not used in '" + expression + "'");
            }
            root = r.value();
            title = root.numel() == 1 ? expression : "L = sum(" + expression + ")";
            file = "graph";
        }
        if (name != null) file = name;
        GraphModel g = forwardOnly ? tr.walk(root) : tr.backward(root);
        String dot = DotWriter.render(g, title);
        PrintWriter o = cmd.getOut();
        if (out == null) {
            o.print(dot);
            o.flush();
            return 0;
        }
        Path dotFile = out.resolve(file + ".dot");
        AtomicFiles.writeString(dotFile, dot);
        o.println("wrote " + dotFile + " (" + g.vertices().size() + " nodes, " + g.edges().size() + " edges"
                + (g.branches().isEmpty() ? "" : ", " + g.branches().size() + " branch" + (g.branches().size() == 1 ? "" : "es")) + ")");
        Path svg = out.resolve(file + ".svg");
        // Graphviz's layout grows much faster than the graph (8,000 nodes: over a minute), and such a picture is
        // unreadable anyway: past MAX_SVG_NODES the DOT file is the result.
        String problem = g.vertices().size() > MAX_SVG_NODES
                ? g.vertices().size() + " nodes are more than Graphviz lays out in reasonable time (" + MAX_SVG_NODES
                        + "), so no SVG was drawn (the DOT file is there)"
                : Graphviz.renderSvg(dotFile, svg);
        if (problem == null) o.println("wrote " + svg);
        else cmd.getErr().println("note: " + problem);
        o.flush();
        return 0;
    }
}
