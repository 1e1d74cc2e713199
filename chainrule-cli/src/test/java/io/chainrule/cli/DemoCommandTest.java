package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.cli.demo.Demo;
import io.chainrule.cli.demo.DemoContext;
import io.chainrule.Tensor;
import io.chainrule.cli.demo.DeltaNotationDemo;
import io.chainrule.cli.demo.LayerRecurrenceDemo;
import io.chainrule.cli.demo.MiniBatchesDemo;
import io.chainrule.cli.demo.PreprocessingDemo;
import io.chainrule.cli.demo.ReparameterisationDemo;
import io.chainrule.cli.demo.SubgradientsDemo;
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
        for (String n : new String[] {"perceptron", "chain-rule", "matmul", "two-layer", "mlp-deltas", "delta-notation",
                "layer-recurrence", "subgradients", "reparameterisation", "mini-batches", "preprocessing", "optimizers"}) {
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

    @Test
    void subgradientsShowPyTorchsChoicesAtTheKinks() {
        Cli.Run r = Cli.run("demo", "subgradients", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("autograd ∂f/∂x = [0.0000, 0.0000, 1.0000]     PyTorch [0.0000, 0.0000, 1.0000]"), r.out());
        assertTrue(r.out().contains("autograd ∂f/∂x = [-1.0000, 0.0000, 1.0000]"), r.out());
        assertTrue(r.out().contains("autograd ∂f/∂x = [0.0000, 0.5000, 0.5000]"), r.out());
        assertTrue(r.out().contains("autograd ∂f/∂x = [0.0000, 1.0000, 0.0000]"), r.out());
        assertTrue(r.out().contains("autograd ∂f/∂x = [0.5000, 0.5000]     PyTorch [0.5000, 0.5000]"), r.out());
        assertEquals(10, countOk(r.out()), r.out());
    }

    @Test
    void aSlopeOutsideTheSubdifferentialFailsTheCheck() {
        java.util.function.Function<double[], Double> relu = v -> Math.max(0, v[0]);
        assertEquals(0, SubgradientsDemo.subgradientViolation(relu, new double[] {0}, new double[] {0.3}), 0);
        assertEquals(0, SubgradientsDemo.subgradientViolation(relu, new double[] {0}, new double[] {1}), 0);
        // g = 1.5 at 0: f(0.5) = 0.5 < 0 + 1.5·0.5, violated by 0.25 at the larger probe step
        assertEquals(0.25, SubgradientsDemo.subgradientViolation(relu, new double[] {0}, new double[] {1.5}), 1e-12);
        assertTrue(SubgradientsDemo.subgradientViolation(relu, new double[] {0}, new double[] {-0.1}) > 0);
    }

    @Test
    void reparameterisationGradientReachesMuAndSigmaOnlyThroughRsample() {
        Cli.Run r = Cli.run("demo", "reparameterisation", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("sample():  z = -0.9582, -1.2758, -0.5288, …   requires grad: false"), r.out());
        assertTrue(r.out().contains("μ.grad = 1.005511  (mean of 2z 1.005511)     σ.grad = 2.974456"), r.out());
        assertTrue(Pattern.compile("∇σ E\\[z²\\] = 2σ\\s+2\\.97446\\s+0\\.01368\\s+3\\.00000\\s+1\\.87").matcher(r.out()).find(),
                r.out());
        assertFalse(r.out().contains("FAILED") || r.out().contains("MISMATCH"), r.out());
    }

    @Test
    void aMonteCarloEstimateFarFromTheExactValueFails() {
        DemoContext ok = quiet();
        assertTrue(ReparameterisationDemo.checkEstimate(ok, new ReparameterisationDemo.Estimate("∇μ", 1.03, 0.01, 1.0)));
        DemoContext bad = quiet();
        assertFalse(ReparameterisationDemo.checkEstimate(bad, new ReparameterisationDemo.Estimate("∇μ", 1.05, 0.01, 1.0)));
        assertEquals(1, bad.failures());
    }

    @Test
    void miniBatchesDropTheShortLastBatch() {
        Cli.Run r = Cli.run("demo", "mini-batches", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("batch 3: examples [8, 9]         size 2  ∇L_b = [28.4900, 3.3000]"), r.out());
        assertTrue(r.out().contains("gradient over those 10 examples in one batch = [13.3420, 1.9100]"), r.out());
        assertTrue(r.out().contains("3 = ⌈10/4⌉ = 3") && r.out().contains("2 = ⌊10/4⌋ = 2"), r.out());
        assertTrue(r.out().contains("left out this epoch: 2 examples"), r.out());
        assertEquals(8, countOk(r.out()) + countPassed(r.out()), r.out());
        assertFalse(r.out().contains("FAILED"), r.out());
    }

    @Test
    void aBatchListThatRepeatsOrKeepsTheShortBatchFails() {
        DemoContext ok = quiet();
        MiniBatchesDemo.checkBatches(ok, "t", 10, 4, true, List.of(new long[] {0, 1, 2, 3}, new long[] {4, 5, 6, 7}));
        assertEquals(0, ok.failures());
        DemoContext kept = quiet();
        MiniBatchesDemo.checkBatches(kept, "t", 10, 4, true,
                List.of(new long[] {0, 1, 2, 3}, new long[] {4, 5, 6, 7}, new long[] {8, 9}));
        assertEquals(3, kept.failures(), kept.checks().toString());
        DemoContext twice = quiet();
        MiniBatchesDemo.checkBatches(twice, "t", 10, 4, false,
                List.of(new long[] {0, 1, 2, 3}, new long[] {3, 5, 6, 7}, new long[] {8, 9}));
        assertEquals(1, twice.failures(), twice.checks().toString());
    }

    @Test
    void preprocessingOutputsMatchTheirFormulas() {
        Cli.Run r = Cli.run("demo", "preprocessing", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        for (String s : new String[] {"x' = [[-2.0000, -1.0000, 0.0000], [1.0000, 2.0000, 0.0000], [-1.0000, -2.0000, 2.0000]]",
                "mean = [170.0000, 0.4000], std = [14.1421, 0.2828]",
                "flip  [[0.5000, 0.2500, 0.0000], [0.5000, 1.0000, 0.7500], [1.0000, 0.0000, 0.2500]]",
                "(dy, dx) = (1, -1)", "mean -7.277e-04, std 0.09942"}) {
            assertTrue(r.out().contains(s), "missing " + s + " in\n" + r.out());
        }
        assertFalse(r.out().contains("FAILED") || r.out().contains("MISMATCH"), r.out());
    }

    @Test
    void noiseWithTheWrongSpreadFails() {
        DemoContext ok = quiet();
        PreprocessingDemo.checkNoise(ok, 0.0005, 0.1005, 0.1, 40_000);
        assertEquals(0, ok.failures());
        DemoContext bad = quiet();
        PreprocessingDemo.checkNoise(bad, 0.0005, 0.105, 0.1, 40_000);
        assertEquals(1, bad.failures());
    }

    @Test
    void newtonsHessianPassesCountInTheOptimizersBudget() {
        Cli.Run r = Cli.run("demo", "optimizers", "--no-pictures");
        assertEquals(0, r.exit(), r::toString);
        // steps, evaluations, Hessian passes, cost; MLP 2-12-3 has n = 75 parameters: 1 + 75 passes per step
        Matcher m = Pattern.compile("\\n  Newton\\s+-\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s").matcher(r.out());
        assertTrue(m.find(), r.out());
        int steps = Integer.parseInt(m.group(1)), evals = Integer.parseInt(m.group(2));
        int hessian = Integer.parseInt(m.group(3)), cost = Integer.parseInt(m.group(4));
        assertEquals(76 * steps, hessian, r.out());
        assertEquals(evals + hessian, cost, r.out());
        assertTrue(cost >= 300 && cost < 300 + 76 + 30, r.out());
        Matcher adam = Pattern.compile("\\n  Adam\\s+0\\.05\\s+300\\s+300\\s+0\\s+300\\s").matcher(r.out());
        assertTrue(adam.find(), r.out());
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
