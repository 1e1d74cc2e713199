package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.cli.demo.Demo;
import io.chainrule.cli.demo.DemoContext;
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
        for (String name : new String[] {"perceptron", "chain-rule", "matmul", "two-layer", "mlp-deltas"}) {
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
        for (String n : new String[] {"perceptron", "chain-rule", "matmul", "two-layer", "mlp-deltas"}) {
            assertTrue(r.out().contains("  " + n + " "), r.out());
        }
    }

    private static int countOk(String out) {
        Matcher m = Pattern.compile("\\)  ok\\n").matcher(out);
        int n = 0;
        while (m.find()) n++;
        return n;
    }
}
