package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each update rule against an independent float64 reference written from PyTorch's documented pseudo-code. */
class FirstOrderOptimizersTest {
    private static final int STEPS = 5;
    private static final double TOL = 1e-9;

    /** Runs STEPS optimizer steps on the fixed problem and compares every parameter with the reference. */
    private static void check(Function<List<Tensor>, Optimizer> make, Reference.Rule rule) {
        QuadraticProblem problem = new QuadraticProblem();
        Optimizer opt = make.apply(problem.params());
        for (int t = 0; t < STEPS; t++) {
            problem.lossAndGrad();
            opt.step();
        }
        double[] expected = Reference.run(rule, STEPS);
        assertArrayEquals(expected, problem.values(), TOL);
        // The parameters really moved: a rule that did nothing would not match by accident.
        double moved = 0;
        for (int i = 0; i < expected.length; i++) moved += Math.abs(expected[i] - QuadraticProblem.initial()[i]);
        assertTrue(moved > 1e-2, "the reference barely moved: " + moved);
    }

    @Test
    void sgdPlain() {
        check(p -> new SGD(p, 0.05), Reference.sgd(0.05, 0, 0, false, 0));
    }

    @Test
    void sgdMomentum() {
        check(p -> new SGD(p, 0.05).momentum(0.9), Reference.sgd(0.05, 0.9, 0, false, 0));
    }

    @Test
    void sgdMomentumWithDampening() {
        check(p -> new SGD(p, 0.05).momentum(0.8).dampening(0.3), Reference.sgd(0.05, 0.8, 0.3, false, 0));
    }

    @Test
    void sgdNesterov() {
        check(p -> new SGD(p, 0.05).momentum(0.9).nesterov(true), Reference.sgd(0.05, 0.9, 0, true, 0));
    }

    @Test
    void sgdWeightDecay() {
        check(p -> new SGD(p, 0.05).weightDecay(0.1), Reference.sgd(0.05, 0, 0, false, 0.1));
        check(p -> new SGD(p, 0.05).momentum(0.7).dampening(0.2).weightDecay(0.1), Reference.sgd(0.05, 0.7, 0.2, false, 0.1));
        check(p -> new SGD(p, 0.05).momentum(0.7).nesterov(true).weightDecay(0.1), Reference.sgd(0.05, 0.7, 0, true, 0.1));
    }

    @Test
    void sgdMomentumIsPyTorchsConventionNotAMovingAverage() {
        // Two steps of a constant gradient 1 with μ = 0.9, lr = 1: b₁ = 1, b₂ = 0.9 + 1 = 1.9, so θ = −2.9.
        // The moving-average variant (b = μb + (1 − μ)g) would give −0.1 − 0.19 = −0.29.
        Tensor x = Tensor.zeros(DType.FLOAT64, 1).requiresGrad(true);
        SGD opt = new SGD(List.of(x), 1).momentum(0.9);
        for (int i = 0; i < 2; i++) {
            opt.zeroGrad();
            x.sum().backward();
            opt.step();
        }
        assertEquals(-2.9, x.item(), 1e-15);
    }

    @Test
    void adam() {
        check(p -> new Adam(p, 0.1), Reference.adam(0.1, 0.9, 0.999, 1e-8, 0, false, false));
        check(p -> new Adam(p, 0.1).betas(0.8, 0.95).eps(1e-6), Reference.adam(0.1, 0.8, 0.95, 1e-6, 0, false, false));
    }

    @Test
    void adamAmsgrad() {
        check(p -> new Adam(p, 0.1).amsgrad(true), Reference.adam(0.1, 0.9, 0.999, 1e-8, 0, true, false));
        // With β₂ small the second moment falls quickly, so the running maximum really differs from v.
        check(p -> new Adam(p, 0.3).betas(0.5, 0.3).amsgrad(true), Reference.adam(0.3, 0.5, 0.3, 1e-8, 0, true, false));
        double[] plain = Reference.run(Reference.adam(0.3, 0.5, 0.3, 1e-8, 0, false, false), STEPS);
        double[] ams = Reference.run(Reference.adam(0.3, 0.5, 0.3, 1e-8, 0, true, false), STEPS);
        assertNotEquals(plain[0], ams[0], 1e-6);
    }

    @Test
    void adamWeightDecay() {
        check(p -> new Adam(p, 0.1).weightDecay(0.2), Reference.adam(0.1, 0.9, 0.999, 1e-8, 0.2, false, false));
        check(p -> new Adam(p, 0.1).weightDecay(0.2).amsgrad(true), Reference.adam(0.1, 0.9, 0.999, 1e-8, 0.2, true, false));
    }

    @Test
    void adamW() {
        check(p -> new AdamW(p, 0.1), Reference.adam(0.1, 0.9, 0.999, 1e-8, 0.01, false, true));
        check(p -> new AdamW(p, 0.1).weightDecay(0.3).betas(0.85, 0.99),
                Reference.adam(0.1, 0.85, 0.99, 1e-8, 0.3, false, true));
        check(p -> new AdamW(p, 0.3).weightDecay(0.3).betas(0.5, 0.3).amsgrad(true),
                Reference.adam(0.3, 0.5, 0.3, 1e-8, 0.3, true, true));
    }

    @Test
    void adamWDefaultWeightDecayIsPyTorchs() {
        assertEquals(0.01, new AdamW(new QuadraticProblem().params(), 1e-3).stateDict().get("param_groups.weight_decay").item());
        assertEquals(0.0, new Adam(new QuadraticProblem().params(), 1e-3).stateDict().get("param_groups.weight_decay").item());
    }

    @Test
    void rmsprop() {
        check(p -> new RMSprop(p, 0.01), Reference.rmsprop(0.01, 0.99, 1e-8, 0, 0, false));
        check(p -> new RMSprop(p, 0.05).alpha(0.9).eps(1e-4), Reference.rmsprop(0.05, 0.9, 1e-4, 0, 0, false));
    }

    @Test
    void rmspropMomentum() {
        check(p -> new RMSprop(p, 0.01).momentum(0.9), Reference.rmsprop(0.01, 0.99, 1e-8, 0, 0.9, false));
    }

    @Test
    void rmspropCentered() {
        check(p -> new RMSprop(p, 0.01).centered(true), Reference.rmsprop(0.01, 0.99, 1e-8, 0, 0, true));
        check(p -> new RMSprop(p, 0.01).alpha(0.9).centered(true).momentum(0.5).weightDecay(0.1),
                Reference.rmsprop(0.01, 0.9, 1e-8, 0.1, 0.5, true));
    }

    @Test
    void adagrad() {
        check(p -> new Adagrad(p, 0.1), Reference.adagrad(0.1, 0, 0, 0, 1e-10));
        check(p -> new Adagrad(p, 0.1).lrDecay(0.05).weightDecay(0.1).initialAccumulatorValue(0.5).eps(1e-6),
                Reference.adagrad(0.1, 0.05, 0.1, 0.5, 1e-6));
    }

    @Test
    void float32ParametersFollowTheSameRule() {
        Tensor w = Tensor.of(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f}, 3, 2).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {0.05f, -0.15f}, 2).requiresGrad(true);
        Adam opt = new Adam(List.of(w, b), 0.1).amsgrad(true).weightDecay(0.1);
        for (int t = 0; t < STEPS; t++) {
            opt.zeroGrad();
            Tensor.of(QuadraticProblem.X).to(DType.FLOAT32).matmul(w).add(b).sub(Tensor.of(QuadraticProblem.Y).to(DType.FLOAT32))
                    .square().sum().mul(0.5).backward();
            opt.step();
        }
        assertEquals(DType.FLOAT32, w.dtype());
        double[] expected = Reference.run(Reference.adam(0.1, 0.9, 0.999, 1e-8, 0.1, true, false), STEPS);
        double[] got = new double[8];
        System.arraycopy(w.toDoubleArray(), 0, got, 0, 6);
        System.arraycopy(b.toDoubleArray(), 0, got, 6, 2);
        assertArrayEquals(expected, got, 1e-5);
    }

    @Test
    void parametersWithoutGradientAreSkipped() {
        Tensor used = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor unused = Tensor.of(new double[] {3, 4}).requiresGrad(true);
        for (Optimizer opt : List.of(new SGD(List.of(used, unused), 0.1).momentum(0.9), new Adam(List.of(used, unused), 0.1),
                new AdamW(List.of(used, unused), 0.1), new RMSprop(List.of(used, unused), 0.1).centered(true).momentum(0.5),
                new Adagrad(List.of(used, unused), 0.1))) {
            opt.zeroGrad();
            used.square().sum().backward();
            assertNull(unused.grad());
            double before = used.get(0);
            opt.step();
            assertArrayEquals(new double[] {3, 4}, unused.toDoubleArray(), 0.0, opt.getClass().getSimpleName());
            assertNotEquals(before, used.get(0), opt.getClass().getSimpleName());
            assertTrue(opt.stateDict().keySet().stream().noneMatch(k -> k.startsWith("state.1.")),
                    opt.getClass().getSimpleName() + " made state for a parameter it skipped: " + opt.stateDict().keySet());
        }
    }

    @Test
    void stepWithClosureEvaluatesUnderGradModeAndReturnsTheLoss() {
        QuadraticProblem problem = new QuadraticProblem();
        SGD opt = new SGD(problem.params(), 0.05);
        Tensor loss;
        try (var g = io.chainrule.autograd.Autograd.noGrad()) {
            loss = opt.step(problem::lossAndGrad); // the closure's backward needs grad mode: step turns it on
        }
        double[] expected = Reference.run(Reference.sgd(0.05, 0, 0, false, 0), 1);
        assertArrayEquals(expected, problem.values(), TOL);
        assertEquals(new QuadraticProblem().loss().item(), loss.item(), 1e-12);
    }

    @Test
    void zeroGradClearsGradients() {
        QuadraticProblem problem = new QuadraticProblem();
        Adam opt = new Adam(problem.params(), 0.1);
        problem.lossAndGrad();
        opt.zeroGrad();
        assertNull(problem.w.grad());
        assertNull(problem.b.grad());
    }

    @Test
    void learningRateCanBeReadAndChanged() {
        QuadraticProblem problem = new QuadraticProblem();
        SGD opt = new SGD(problem.params(), 0.05);
        assertEquals(0.05, opt.lr());
        opt.setLr(0.5);
        assertEquals(0.5, opt.lr());
        problem.lossAndGrad();
        opt.step();
        assertArrayEquals(Reference.run(Reference.sgd(0.5, 0, 0, false, 0), 1), problem.values(), TOL);
        assertThrows(IllegalArgumentException.class, () -> opt.setLr(-1));
        assertThrows(IllegalArgumentException.class, () -> opt.setLr(Double.NaN));
    }

    @Test
    void fluentSettersReturnTheOptimizer() {
        List<Tensor> params = new QuadraticProblem().params();
        SGD sgd = new SGD(params, 0.1);
        assertSame(sgd, sgd.momentum(0.5).dampening(0.1).nesterov(false).weightDecay(0.01));
        AdamW adamW = new AdamW(params, 0.1);
        AdamW same = adamW.betas(0.9, 0.99).eps(1e-7).weightDecay(0.02).amsgrad(true);
        assertSame(adamW, same);
        RMSprop rms = new RMSprop(params, 0.1);
        assertSame(rms, rms.alpha(0.9).eps(1e-6).momentum(0.1).centered(true).weightDecay(0.0));
    }

    @Test
    void badArgumentsAreRejected() {
        List<Tensor> params = new QuadraticProblem().params();
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(null, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(params, -0.1));
        Tensor w = params.get(0);
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(w, w), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(w.mul(2)), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(Tensor.of(new long[] {1})), 0.1));
        assertThrows(IllegalArgumentException.class, () -> new Adam(params, 0.1).betas(1.0, 0.9));
        assertThrows(IllegalArgumentException.class, () -> new Adam(params, 0.1).eps(-1));
        assertThrows(IllegalArgumentException.class, () -> new RMSprop(params, 0.1).alpha(1.5));
        assertThrows(IllegalArgumentException.class, () -> new SGD(params, 0.1).momentum(-0.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SGD(params, 0.1).nesterov(true).step());
        assertTrue(e.getMessage().contains("Nesterov"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD(params, 0.1).step(null));
        IllegalArgumentException nullLoss = assertThrows(IllegalArgumentException.class,
                () -> new SGD(params, 0.1).step(() -> null));
        assertTrue(nullLoss.getMessage().contains("SGD"), nullLoss.getMessage());
    }
}
