package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.cli.demo.Demo;
import io.chainrule.cli.demo.DemoContext;
import io.chainrule.Tensor;
import io.chainrule.cli.demo.DeltaNotationDemo;
import io.chainrule.cli.demo.LayerRecurrenceDemo;
import io.chainrule.cli.demo.PerceptronDemo;
import io.chainrule.cli.graph.Examples;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoCommandTest {
    @Test
    void perceptronGradientEqualsPyTorchs() {
        Trace tr = new Trace();
        GraphModel g = tr.backward(Examples.perceptron(tr, false).root());
        double[] grad = g.find("w").value().grad().to(DType.FLOAT64).toDoubleArray();
        for (int j = 0; j < grad.length; j++) {
            assertEquals(PerceptronDemo.PYTORCH_GRAD[j], grad[j], 1e-4, "w.grad[" + j + "]");
        }
        assertEquals(0.5831, g.find("O = σ(z)").value().item(), 1e-4);
    }

    @Test
    void perceptronPrintsTheTableAndPasses(@TempDir Path tmp) throws Exception {
        Cli.Run r = Cli.run("demo", "perceptron", "--out", tmp.toString());
        assertEquals(0, r.exit(), r::toString);
        // Row 6 of the table: x_6 = 1.9232, closed form = autograd = -0.389823, PyTorch -0.3898.
        assertTrue(Pattern.compile("\\n\\s+6\\s+1\\.9232\\s+-0\\.1398\\s+-0\\.19491\\d\\s+-0\\.38982\\d\\s+-0\\.38982\\d\\s+-0\\.3898\\n")
                .matcher(r.out()).find(), r.out());
        assertTrue(r.out().contains("O = σ(x·wᵀ) = 0.58309"), r.out());
        assertEquals(5, countOk(r.out()), r.out());
        assertFalse(r.out().contains("MISMATCH"), r.out());
        assertTrue(Files.readString(tmp.resolve("perceptron.dot")).contains("SigmoidBackward0"));
    }

    @Test
    void everyDemoPassesItsChecks() throws Exception {
        for (Demo d : DemoCommand.demos()) {
            StringWriter s = new StringWriter();
            DemoContext ctx = new DemoContext(new PrintWriter(s, true), new PrintWriter(new StringWriter(), true), null);
            d.run(ctx);
            assertFalse(ctx.checks().isEmpty(), d.name());
            for (DemoContext.Check c : ctx.checks()) {
                assertTrue(c.passed(), d.name() + ": " + c + "\n" + s);
            }
        }
    }

    @Test
    void closedFormsAgreeWithAutogradToOneInAMillion() throws Exception {
        for (String name : new String[] {"perceptron", "chain-rule", "matmul", "two-layer", "mlp-deltas", "delta-notation", "layer-recurrence"}) {
            Cli.Run r = Cli.run("demo", name, "--no-pictures");
            assertEquals(0, r.exit(), r::toString);
            Matcher m = Pattern.compile("check (.*?)\\s+max \\|diff\\| = (\\S+)").matcher(r.out());
            int n = 0;
            while (m.find()) {
                String what = m.group(1);
                double diff = Double.parseDouble(m.group(2));
                double tol = what.contains("PyTorch") ? 1e-4 : 1e-6;
                assertTrue(diff <= tol, name + ": " + what + " differs by " + diff);
                n++;
            }
            assertTrue(n >= 2, name + " printed " + n + " checks:\n" + r.out());
        }
    }

    @Test
    void chainRulePrintsLocalDerivativesAndProducts() {
        Cli.Run r = Cli.run("demo", "chain-rule", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("∂y/∂h       = σ(h)(1 − σ(h)) = 0.228784"), r.out());
        // ∂y/∂wa = σ'(0.6)·1·a = 0.22878424·1.5
        assertTrue(r.out().contains("0.34317636   0.34317636"), r.out());
    }

    @Test
    void listsDemosWithoutAName() {
        Cli.Run r = Cli.run("demo");
        assertEquals(0, r.exit(), r::toString);
        for (String n : new String[] {"perceptron", "chain-rule", "matmul", "two-layer", "mlp-deltas", "delta-notation", "layer-recurrence"}) {
            assertTrue(r.out().contains("  " + n + " "), r.out());
        }
    }

    @Test
    void deltaNotationWalksTutorial001sRecipe() {
        Cli.Run r = Cli.run("demo", "delta-notation", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        for (String s : new String[] {"δ3 = h3 − y", "[-0.9859, 0.1445]ᵀ",
                "δ2_2 = a_2·(δ3_1·w3_12 + δ3_2·w3_22) = 0.2494·(-0.9859·-0.6000 + 0.1445·0.1000) = 0.1511",
                "Δw2 = δ2·h1ᵀ", "η = 0.5", "L: 0.496389 → 0.006915"}) {
            assertTrue(r.out().contains(s), "missing " + s + " in\n" + r.out());
        }
        assertEquals(8, countOk(r.out()) + countPassed(r.out()), r.out());
    }

    @Test
    void deltaNotationCheckFailsOnAWrongDelta() {
        Tensor h1 = Tensor.of(new double[][] {{1}, {2}});
        Tensor h2 = Tensor.of(new double[][] {{0.5}, {0.25}});
        Tensor h3 = Tensor.of(new double[][] {{0.75}});
        Tensor y = Tensor.of(new double[][] {{1}});
        Tensor w3 = Tensor.of(new double[][] {{2, -1}});
        DeltaNotationDemo.Grads right = DeltaNotationDemo.byHand(h1, h2, h3, y, w3);
        // δ2 = h2(1 − h2)·(w3ᵀ·δ3) = [0.25·2·(-0.25), 0.1875·(-1)·(-0.25)]
        assertEquals(-0.125, right.delta2().get(0, 0), 1e-15);
        assertEquals(0.046875, right.delta2().get(1, 0), 1e-15);
        DemoContext ok = quiet();
        DeltaNotationDemo.compare(ok, right, right);
        assertEquals(0, ok.failures());
        DeltaNotationDemo.Grads wrong = new DeltaNotationDemo.Grads(right.delta3(), right.delta2().add(1e-6),
                right.gW3(), right.gb3(), right.gW2(), right.gb2());
        DemoContext bad = quiet();
        DeltaNotationDemo.compare(bad, wrong, right);
        assertEquals(1, bad.failures());
    }

    @Test
    void layerRecurrencePrintsEachGAndGradW() {
        Cli.Run r = Cli.run("demo", "layer-recurrence", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        for (String s : new String[] {"G4 = (S − I_y)/m", "G1 = (G2 ∘ σ'(Z1·W1))·W1ᵀ", "∇W1 = Z1ᵀ·(G2 ∘ σ'(Z1·W1))",
                "ℓ = 1.07805387 (recurrence) = 1.07805387 (autograd)",
                "[-0.1667, 0.0835, 0.0832]                              [-0.1667, 0.0835, 0.0832]"}) {
            assertTrue(r.out().contains(s), "missing " + s + " in\n" + r.out());
        }
        assertEquals(8, countOk(r.out()), r.out());
    }

    @Test
    void layerRecurrenceCheckFailsOnAWrongG() {
        List<Tensor> g = List.of(Tensor.of(new double[][] {{1, 2}}), Tensor.of(new double[][] {{3}}));
        List<Tensor> w = List.of(Tensor.of(new double[][] {{4}, {5}}));
        LayerRecurrenceDemo.Grads right = new LayerRecurrenceDemo.Grads(g, w);
        DemoContext ok = quiet();
        LayerRecurrenceDemo.compare(ok, right, right);
        assertEquals(3, ok.checks().size());
        assertEquals(0, ok.failures());
        List<Tensor> off = new ArrayList<>(g);
        off.set(0, Tensor.of(new double[][] {{1, 2.000001}}));
        DemoContext bad = quiet();
        LayerRecurrenceDemo.compare(bad, new LayerRecurrenceDemo.Grads(off, w), right);
        assertEquals(1, bad.failures());
        assertTrue(bad.checks().stream().anyMatch(c -> !c.passed() && c.what().startsWith("G1")), bad.checks().toString());
    }

    private static DemoContext quiet() {
        return new DemoContext(new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true), null);
    }

    private static int countPassed(String out) {
        Matcher m = Pattern.compile("  ok\\n").matcher(out);
        int n = 0;
        while (m.find()) n++;
        return n - countOk(out);
    }

    private static int countOk(String out) {
        Matcher m = Pattern.compile("\\)  ok\\n").matcher(out);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
