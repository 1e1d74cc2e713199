package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.cli.graph.DotWriter;
import io.chainrule.cli.graph.Graphviz;
import io.chainrule.cli.graph.Trace;
import io.chainrule.nn.F;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraphCommandTest {
    @Test
    void chainRuleDotShowsOpsValuesAndGradients() {
        Cli.Run r = Cli.run("graph", "--expr", "chain-rule");
        assertEquals(0, r.exit(), r::toString);
        String dot = r.out();
        assertTrue(dot.startsWith("digraph chainrule {"), dot);
        for (String s : new String[] {"MulBackward0", "AddBackward0", "SigmoidBackward0", "leaf scalar",
                "h = a·wa + b·wb", "y = σ(h)", "value 0.6457", "mul swaps inputs", "passes ḡ through to a·wa and b·wb"}) {
            assertTrue(dot.contains(s), "missing " + s + " in\n" + dot);
        }
        // σ'(0.6) = 0.228784 reaches h and flows unchanged through the add node to both products.
        assertEquals(3, count(dot, "label=\"0.2288\""), dot);
        // ∂y/∂a = σ'(h)·wa = 0.18303 on the edge from a, ∂y/∂wa = σ'(h)·a = 0.34318 from wa.
        assertTrue(dot.contains("label=\"0.1830\""), dot);
        assertTrue(dot.contains("label=\"0.3432\""), dot);
        assertTrue(dot.contains("∂/∂a = wa = 0.8000, ∂/∂wa = a = 1.5000"), dot);
        assertEquals(8, count(dot, "\\[label=\"[^\"]*\", fillcolor"), "8 nodes: 4 leaves, 2 mul, add, sigmoid");
    }

    @Test
    void branchSumsTheGradientsAtAPlusNode() {
        Cli.Run r = Cli.run("graph", "--expr", "branch");
        assertEquals(0, r.exit(), r::toString);
        // x = 0.5, w1 = 2, w2 = -1.5: shares w2 = -1.5 and σ'(1)·w1 = 0.19661·2 = 0.39322; sum -1.10678.
        assertTrue(r.out().contains("label=\"+\""), r.out());
        assertTrue(r.out().contains("Σ = -1.5000 + 0.3932 = -1.1068"), r.out());
    }

    @Test
    void expressionMatchesTheBuiltInChainRule() {
        Cli.Run r = Cli.run("graph", "sigmoid(a*wa + b*wb)", "-v", "a=1.5", "-v", "wa=0.8", "-v", "b=-0.5",
                "-v", "wb=1.2");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("sigmoid(a*wa + b*wb)"), r.out());
        assertTrue(r.out().contains("label=\"0.1830\""), r.out());
        assertTrue(r.out().contains("label=\"-0.1144\""), r.out());
    }

    @Test
    void matrixExpressionWithBranch() {
        Cli.Run r = Cli.run("graph", "sum(x @ W * x)", "-v", "x=[[1, 2]]", "-v", "W=[[1, 0], [0, 1]]");
        assertEquals(0, r.exit(), r::toString);
        // L = Σ_j (xW)_j x_j = x·x for W = I; dL/dx = 2x = [2, 4], as the sum of the two shares [1, 2] + [1, 2].
        assertTrue(r.out().contains("grad [2.0000, 4.0000]"), r.out());
        assertTrue(r.out().contains("MmBackward0"), r.out());
    }

    @Test
    void meanIsOneNamedNodeOverItsSum() {
        // mean = sum ÷ n: the node carries PyTorch's name and the rule of its last step; the sum shows below it.
        Cli.Run r = Cli.run("graph", "mean(x * x)", "-v", "x=[1, 2, 3]");
        assertEquals(0, r.exit(), r::toString);
        for (String s : new String[] {"MeanBackward0", "mean = sum ÷ n: ḡ/n", "SumBackward0", "value 4.6667",
                "grad [0.6667, 1.3333, 2.0000]"}) {
            assertTrue(r.out().contains(s), "missing " + s + " in\n" + r.out());
        }
        assertFalse(r.out().contains("DivBackward0"), r.out());
    }

    @Test
    void aLeafUsedManyTimesIsDrawnBesideEachUse() {
        // w feeds 5 multiplications: y = Σ_k tanh(w·x_k) with x = 1..5, dy/dw = Σ_k x_k·(1 − tanh²(w·x_k)).
        Cli.Run r = Cli.run("graph", "tanh(w*1) + tanh(w*2) + tanh(w*3) + tanh(w*4) + tanh(w*5)", "-v", "w=0.1");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(5, count(r.out(), "label=\"w \\(shared\\)\""), r.out());
        assertTrue(r.out().contains("used by 5 ops"), r.out());
        double want = 0;
        for (int k = 1; k <= 5; k++) want += k * (1 - Math.pow(Math.tanh(0.1 * k), 2));
        assertTrue(r.out().contains("grad " + HumanFormat.num(want)), want + "\n" + r.out());
        assertFalse(r.out().contains("label=\"+\""), "no '+' node for a split leaf");
    }

    @Test
    void variableValuesAreParsedStrictly() {
        // each mistake is one line naming the variable and the column where the value goes wrong
        ErrorsTest.oneLineError("value of a is not a number, [vector] or [[matrix]]: missing ']' at the end at column 5",
                "graph", "sum(a)", "-v", "a=[1,2");
        ErrorsTest.oneLineError("value of a is not a number, [vector] or [[matrix]]: expected ',' or ']' between numbers but found '2' at column 4",
                "graph", "sum(a)", "-v", "a=[1 2]");
        ErrorsTest.oneLineError("value of a is not a number, [vector] or [[matrix]]: expected a number, found an empty list at column 3",
                "graph", "sum(a)", "-v", "a=[[]]");
        ErrorsTest.oneLineError("column 9", "graph", "sum(a)", "-v", "a=[[1, 2] [3, 4]]");
        ErrorsTest.oneLineError("rows have different lengths", "graph", "sum(a)", "-v", "a=[[1, 2], [3]]");
        ErrorsTest.oneLineError("after the value", "graph", "a*b", "-v", "a=1.5x");
        ErrorsTest.oneLineError("column 1", "graph", "a*b", "-v", "a=");
        // what is valid still reads as before: a number, a vector, a matrix as nested rows or with ';'
        Cli.Run r = Cli.run("graph", "sum(x @ W) + c", "-v", "x=[[1, 2]]", "-v", "W=[1, 0; 0, 1]", "-v", "c=-1.5e0");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("value 1.5000"), r.out());
    }

    @Test
    void forwardOnlyHasNoGradients() {
        Cli.Run r = Cli.run("graph", "--expr", "mlp", "--forward-only");
        assertEquals(0, r.exit(), r::toString);
        assertFalse(r.out().contains("\\ngrad ") || r.out().contains("∂loss"), r.out());
        assertTrue(r.out().contains("subgraph cluster_0"), "modules are clustered:\n" + r.out());
        assertTrue(r.out().contains("LogSoftmaxBackward0"), r.out());
    }

    @Test
    void writesDotAndSvgIntoOut(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("g");
        Cli.Run r = Cli.run("graph", "--expr", "two-layer", "--out", out.toString());
        assertEquals(0, r.exit(), r::toString);
        String dot = Files.readString(out.resolve("two-layer.dot"));
        assertTrue(dot.contains("MmBackward0") && dot.contains("ReluBackward0"), dot);
        assertTrue(r.out().contains("wrote " + out.resolve("two-layer.dot")), r.out());
        if (Graphviz.dot().isPresent()) {
            assertTrue(Files.readString(out.resolve("two-layer.svg")).contains("<svg"));
        } else {
            assertFalse(Files.exists(out.resolve("two-layer.svg")));
            assertTrue(r.err().contains("no SVG"), r.err());
        }
    }

    @Test
    void aGraphTooLargeForGraphvizGetsItsDotFileAndANote(@TempDir Path tmp) throws Exception {
        String expr = String.join("+", java.util.Collections.nCopies(GraphCommand.MAX_SVG_NODES + 1, "x"));
        Path out = tmp.resolve("big");
        Cli.Run r = Cli.run("graph", expr, "--out", out.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(Files.readString(out.resolve("graph.dot")).startsWith("digraph"));
        assertFalse(Files.exists(out.resolve("graph.svg")));
        assertTrue(r.err().contains("3001 nodes are more than Graphviz lays out in reasonable time"), r.err());
    }

    @Test
    void everyExampleRenders() {
        for (String name : io.chainrule.cli.graph.Examples.names()) {
            Cli.Run r = Cli.run("graph", "--expr", name);
            assertEquals(0, r.exit(), name + ": " + r);
            assertTrue(r.out().contains("leaf"), name);
        }
    }

    @Test
    void aValueUsedTwiceByOneOpLabelsEachEdgeWithItsOwnShare() {
        // d(x·x)/dx = x + x: each factor's edge carries 3, the '+' sums them to 6
        Cli.Run r = Cli.run("graph", "x*x", "-v", "x=3");
        assertEquals(0, r.exit(), r::toString);
        assertEquals(2, count(r.out(), "s1 -> n0 \\[label=\"3\\.0000\"\\]"), r.out());
        assertTrue(r.out().contains("n1 -> s1 [label=\"Σ = 3.0000 + 3.0000 = 6.0000\"]"), r.out());
    }

    @Test
    void inputConstantsShowTheirValues() {
        Cli.Run r = Cli.run("graph", "--expr", "mlp");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("label=\"constant x (input)\\nvalue [[0.6600, -0.4100],\\n [1.0700, -0.1500],"
                + "\\n [-0.5500, -0.4600],\\n [-0.1900, -1.1400]]\""), r.out());
        Cli.Run m = Cli.run("graph", "--expr", "matmul");
        assertTrue(m.out().contains("label=\"constant G\\nvalue [["), m.out());
        // a number in an expression: the constant shows it, and mul's rule uses it
        Cli.Run e = Cli.run("graph", "2*w", "-v", "w=1.5");
        assertTrue(e.out().contains("label=\"constant 2\\nvalue 2.0000\""), e.out());
        assertTrue(e.out().contains("mul by the constant 2.0000: ḡ·2.0000"), e.out());
        Cli.Run f = Cli.run("graph", "sum(maximum(x, 0))", "-v", "x=[-1, 2]");
        assertTrue(f.out().contains("label=\"constant 0\\nvalue 0.0000\""), f.out());
    }

    @Test
    void aFourByFourTensorShowsItsValuesRowByRow() {
        Cli.Run r = Cli.run("graph", "sum(W @ x)", "-v", "W=[[1,2,3,4],[5,6,7,8],[9,10,11,12],[13,14,15,16]]",
                "-v", "x=[[1],[0],[0],[2]]");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("value [[1.0000, 2.0000, 3.0000, 4.0000],\\n [5.0000, 6.0000, 7.0000, 8.0000],"
                + "\\n [9.0000, 10.0000, 11.0000, 12.0000],\\n [13.0000, 14.0000, 15.0000, 16.0000]]"), r.out());
        // ∂/∂W = 1·xᵀ per row: [1, 0, 0, 2] four times, not a shape and a norm
        assertTrue(r.out().contains("grad [[1.0000, 0.0000, 0.0000, 2.0000],\\n [1.0000, 0.0000, 0.0000, 2.0000],"), r.out());
        assertFalse(r.out().contains("‖·‖"), r.out());
    }

    @Test
    void matmulRuleSaysWhichOperandIsWhich() {
        Cli.Run r = Cli.run("graph", "sum(W @ x)", "-v", "W=[[1, 2]]", "-v", "x=[[3], [4]]");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("matmul A·B, A = W (left), B = x (right):\\nḡ·Bᵀ → A, Aᵀ·ḡ → B"), r.out());
        Cli.Run mlp = Cli.run("graph", "--expr", "mlp");
        assertTrue(mlp.out().contains("matmul A·B, A = constant (left), B = W1 (right):\\nAᵀ·ḡ → B"), mlp.out());
    }

    @Test
    void convPoolingAndAbsNodesHaveTheirRules() {
        Trace tr = new Trace();
        Tensor x = Tensor.of(new double[] {1, -2, 3, 0, -1, 2, 0, 1, 4, -3, 1, 2, 0, 1, -1, 3}, 1, 1, 4, 4);
        Tensor w = tr.leaf("w", Tensor.of(new double[] {0.5, -1, 1, 0.25}, 1, 1, 2, 2).requiresGrad(true));
        Tensor c = tr.name("conv", F.conv2d(x, w, null, 1, 1));
        Tensor mp = tr.name("maxpool", F.maxPool2d(c, 2, 2, 0));
        Tensor ap = tr.name("avgpool", F.avgPool2d(c, 2, 2, 0));
        Tensor loss = tr.name("loss", mp.abs().sum().add(ap.sum()));
        String dot = DotWriter.render(tr.backward(loss), "conv");
        for (String rule : new String[] {"ConvolutionBackward0", "conv: ḡ ⋆ W (transposed conv) → x",
                "MaxPool2DWithIndicesBackward0", "max-pool: ḡ to the max of each window, 0 elsewhere",
                "AvgPool2DBackward0", "avg-pool: ḡ/(window size) to every element of its window",
                "AbsBackward0", "abs: ḡ·sign(x) (0 at x = 0)"}) {
            assertTrue(dot.contains(rule), "missing " + rule + " in\n" + dot);
        }
        assertEquals(DType.FLOAT64, w.grad().dtype());
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
