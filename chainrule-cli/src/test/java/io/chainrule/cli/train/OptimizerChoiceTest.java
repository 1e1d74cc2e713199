package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.cli.CliException;
import io.chainrule.optim.ClosureOptimizer;
import io.chainrule.optim.Newton;
import io.chainrule.optim.Optimizer;
import io.chainrule.optim.SGD;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The --optimizer registry agrees with the optimizers it builds. */
class OptimizerChoiceTest {
    private static List<Tensor> params() {
        return List.of(Tensor.of(new double[] {1, 2}).requiresGrad(true));
    }

    @Test
    void eachChoiceBuildsAnOptimizerThatUsesTheClosureAsItSays() {
        for (OptimizerChoice c : OptimizerChoice.values()) {
            assertEquals(c, OptimizerChoice.of(c.cliName()));
            Optimizer opt = c.create(params(), c.defaultLr(false));
            assertEquals(c.usesClosure(), opt instanceof ClosureOptimizer, c.cliName());
            assertEquals(c.closure() == OptimizerChoice.Closure.LOSS, opt instanceof Newton, c.cliName());
            if (c.takesLr()) assertEquals(c.defaultLr(false), opt.lr(), c.cliName());
        }
    }

    @Test
    void momentumDefaultsPerChoice() {
        // nesterov's default momentum is 0.9: one step of g = 1 from b = 0 moves θ by lr·(g + μ·g) = 0.05·1.9.
        Tensor p = Tensor.of(new double[] {0}).requiresGrad(true);
        Optimizer opt = OptimizerChoice.NESTEROV.create(List.of(p), 0.05);
        assertInstanceOf(SGD.class, opt);
        p.sum().backward();
        opt.step();
        assertEquals(-0.05 * 1.9, p.item(), 1e-15);
    }

    @Test
    void unknownNamesListEveryChoice() {
        var e = assertThrows(CliException.class, () -> OptimizerChoice.of("adamm"));
        assertTrue(e.getMessage().contains("'adamm'") && e.getMessage().contains(String.join(", ", OptimizerChoice.names())),
                e.getMessage());
        assertEquals("sgd, momentum, nesterov and rmsprop", OptimizerChoice.listing(OptimizerChoice::takesMomentum));
    }

    @Test
    void defaultLrHelpNamesEveryChoiceWithinTheWidth() {
        List<String> lines = OptimizerChoice.defaultLrHelp(80);
        String text = String.join(" ", lines);
        for (String line : lines) assertTrue(line.length() <= 80, line);
        for (String name : OptimizerChoice.names()) assertTrue(text.contains(" " + name), name + " in " + text);
        assertTrue(text.contains("momentum, nesterov 0.05;") && text.endsWith("cg and newton take none."), text);
    }
}
