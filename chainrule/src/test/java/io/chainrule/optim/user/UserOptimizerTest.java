package io.chainrule.optim.user;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.optim.ClosureOptimizer;
import io.chainrule.optim.Optimizer;
import io.chainrule.optim.StateReader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimizers written outside the library's package, through the public and protected API only. */
class UserOptimizerTest {
    /** Heavy-ball momentum, PyTorch's convention: b ← μ·b + g, θ ← θ − lr·b; b is checkpointed. */
    static final class HeavyBall extends Optimizer {
        private final double momentum;
        private Tensor[] buffers;

        HeavyBall(List<Tensor> params, double lr, double momentum) {
            super("HeavyBall", params, lr);
            this.momentum = checkRange("HeavyBall", "momentum", momentum, 0, false, 1, true);
            this.buffers = new Tensor[params.size()];
        }

        @Override
        public void step() {
            try (var off = Autograd.noGrad()) {
                for (int i = 0; i < params().size(); i++) {
                    Tensor p = params().get(i);
                    if (p.grad() == null) continue;
                    buffers[i] = buffers[i] == null ? p.grad().clone() : buffers[i].mul(momentum).add(p.grad());
                    p.subi(buffers[i].mul(lr()));
                }
            }
        }

        @Override
        protected void writeState(Map<String, Tensor> out) {
            for (int i = 0; i < buffers.length; i++) {
                if (buffers[i] != null) out.put(key(i, "momentum_buffer"), StateReader.snapshot(buffers[i]));
            }
        }

        @Override
        protected void writeHyper(Map<String, Tensor> out) {
            out.put("param_groups.momentum", StateReader.scalar(momentum));
        }

        @Override
        protected Runnable read(StateReader r) {
            double m = r.number("param_groups.momentum");
            if (m != momentum) throw new IllegalArgumentException("HeavyBall: saved with momentum " + m);
            Tensor[] loaded = new Tensor[buffers.length];
            for (int i = 0; i < loaded.length; i++) {
                if (r.has(key(i, "momentum_buffer"))) loaded[i] = r.tensorLike(key(i, "momentum_buffer"), params().get(i));
            }
            return () -> buffers = loaded;
        }
    }

    /** Steepest descent with the library's strong-Wolfe line search, as ClosureOptimizer's Javadoc writes it. */
    static final class SteepestDescent extends ClosureOptimizer<SteepestDescent> {
        SteepestDescent(List<Tensor> params) {
            super("SteepestDescent", params, 1, 20, 1e-7);
        }

        @Override
        public Tensor step(Supplier<Tensor> closure) {
            Tensor first = evaluate(closure);
            countEvaluations(1);
            double loss = value(first);
            double[] g = gradient();
            for (int i = 0; i < maxIter() && maxAbs(g) > toleranceGrad(); i++) {
                countIteration();
                double[] d = new double[g.length];
                for (int j = 0; j < d.length; j++) d[j] = -g[j];
                LineSearchResult r = searchLine(closure, d, lr(), loss, g, 1e-4, 0.9, 1e-9);
                loss = r.loss();
                g = r.gradient();
            }
            return first;
        }
    }

    private static final double[] TARGET = {1, -2, 3};

    /** ½·Σ (w − c)², gradient w − c. */
    private static Tensor bowl(Tensor w) {
        return w.sub(Tensor.of(TARGET.clone())).square().sum().mul(0.5);
    }

    private static void train(Optimizer opt, Tensor w, int steps) {
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            bowl(w).backward();
            opt.step();
        }
    }

    @Test
    void heavyBallFollowsItsRecurrenceAndConverges() {
        Tensor w = Tensor.of(new double[3]).requiresGrad(true);
        HeavyBall opt = new HeavyBall(List.of(w), 0.1, 0.5);
        train(opt, w, 3);
        // The recurrence by hand, per coordinate: g = w − c.
        double[] expect = new double[3];
        for (int j = 0; j < 3; j++) {
            double x = 0, b = 0;
            for (int s = 0; s < 3; s++) {
                double g = x - TARGET[j];
                b = s == 0 ? g : 0.5 * b + g;
                x -= 0.1 * b;
            }
            expect[j] = x;
        }
        assertArrayEquals(expect, w.toDoubleArray(), 1e-15);
        assertEquals(0.386 * TARGET[2], w.toDoubleArray()[2], 1e-15); // x = 0.1c, 0.24c, 0.386c (b = −c, −1.4c, −1.46c)
        train(opt, w, 200);
        assertArrayEquals(TARGET, w.toDoubleArray(), 1e-9);
    }

    @Test
    void heavyBallCheckpointContinuesBitForBit() {
        Tensor a = Tensor.of(new double[3]).requiresGrad(true), b = Tensor.of(new double[3]).requiresGrad(true);
        HeavyBall first = new HeavyBall(List.of(a), 0.05, 0.9);
        train(first, a, 4);
        Map<String, Tensor> saved = first.stateDict();
        assertEquals(List.of("state.0.momentum_buffer", "param_groups.lr", "param_groups.momentum"), List.copyOf(saved.keySet()));
        try (var off = Autograd.noGrad()) {
            b.copyFrom(a);
        }
        HeavyBall second = new HeavyBall(List.of(b), 0.05, 0.9);
        second.loadStateDict(saved);
        train(first, a, 5);
        train(second, b, 5);
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0);
        var e = assertThrows(IllegalArgumentException.class, () -> new HeavyBall(List.of(b), 0.05, 0.5).loadStateDict(saved));
        assertTrue(e.getMessage().contains("momentum 0.9"), e.getMessage());
    }

    @Test
    void steepestDescentFitsALineByLeastSquares() {
        // y = a·x + b through (0, 1), (1, 3), (2, 4), (3, 8): least squares a = Sxy / Sxx = 11 / 5, b = ȳ − a·x̄ = 0.7.
        Tensor x = Tensor.of(new double[] {0, 1, 2, 3}), y = Tensor.of(new double[] {1, 3, 4, 8});
        Tensor a = Tensor.of(new double[] {0}).requiresGrad(true), b = Tensor.of(new double[] {0}).requiresGrad(true);
        SteepestDescent opt = new SteepestDescent(List.of(a, b));
        assertSame(opt, opt.maxIter(25).toleranceGrad(1e-9));
        Supplier<Tensor> closure = () -> {
            opt.zeroGrad();
            Tensor loss = x.mul(a).add(b).sub(y).square().sum();
            loss.backward();
            return loss;
        };
        double firstLoss = opt.step(closure).item();
        assertEquals(1 + 9 + 16 + 64, firstLoss, 0);
        for (int s = 0; s < 5; s++) opt.step(closure);
        assertEquals(2.2, a.item(), 1e-6);
        assertEquals(0.7, b.item(), 1e-6);
        // The residual sum of squares at the optimum: Syy − Sxy²/Sxx = 26 − 121/5 = 1.8.
        assertEquals(1.8, closure.get().item(), 1e-9);
        Map<String, Tensor> state = opt.stateDict();
        long iterations = (long) state.get("state.0.n_iter").item(), evals = (long) state.get("state.0.func_evals").item();
        assertTrue(iterations > 5 && iterations <= 6 * 25, "iterations " + iterations);
        assertTrue(evals > iterations, "each iteration's line search evaluates at least once: " + evals);
        assertEquals(25, state.get("param_groups.max_iter").item());
        assertEquals(1e-9, state.get("param_groups.tolerance_grad").item());
        assertThrows(IllegalStateException.class, opt::step);
    }
}
