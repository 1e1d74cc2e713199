package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Checkpoints: 3 steps, save; then 3 more steps, against a fresh optimizer over a copy of the saved parameters
 * that loads the state dict and takes the same 3 steps. The parameters must agree bit for bit.
 */
class StateDictTest {
    /** A non-quadratic loss so that every optimizer keeps changing its state: Σ softplus(Xw + b − y)². */
    private static Tensor loss(Tensor w, Tensor b) {
        Tensor x = Tensor.of(QuadraticProblem.X), y = Tensor.of(QuadraticProblem.Y);
        Tensor r = x.matmul(w).add(b).sub(y);
        return r.square().add(1).log().sum().add(w.pow(4).sum().mul(0.1));
    }

    private static Supplier<Tensor> closure(Optimizer opt, Tensor w, Tensor b) {
        return () -> {
            opt.zeroGrad();
            Tensor l = loss(w, b);
            l.backward();
            return l;
        };
    }

    private static List<Tensor> fresh(double[] w, double[] b) {
        return List.of(Tensor.of(w.clone(), 3, 2).requiresGrad(true), Tensor.of(b.clone(), 2).requiresGrad(true));
    }

    private static void roundTrip(Function<List<Tensor>, Optimizer> make) {
        List<Tensor> p = fresh(QuadraticProblem.W0, QuadraticProblem.B0);
        Optimizer opt = make.apply(p);
        for (int i = 0; i < 3; i++) opt.step(closure(opt, p.get(0), p.get(1)));
        Map<String, Tensor> saved = opt.stateDict();
        double[] w3 = p.get(0).toDoubleArray(), b3 = p.get(1).toDoubleArray();
        for (int i = 0; i < 3; i++) opt.step(closure(opt, p.get(0), p.get(1)));

        List<Tensor> q = fresh(w3, b3);
        Optimizer resumed = make.apply(q);
        resumed.loadStateDict(saved);
        for (int i = 0; i < 3; i++) resumed.step(closure(resumed, q.get(0), q.get(1)));
        String name = opt.getClass().getSimpleName();
        assertArrayEquals(p.get(0).toDoubleArray(), q.get(0).toDoubleArray(), 0.0, name + ": w differs after resuming");
        assertArrayEquals(p.get(1).toDoubleArray(), q.get(1).toDoubleArray(), 0.0, name + ": b differs after resuming");
        assertTrue(!java.util.Arrays.equals(w3, p.get(0).toDoubleArray()), name + ": the last 3 steps did nothing");

        // Without the state the continuation differs (the test would notice a state dict that saved nothing).
        List<Tensor> r = fresh(w3, b3);
        Optimizer cold = make.apply(r);
        for (int i = 0; i < 3; i++) cold.step(closure(cold, r.get(0), r.get(1)));
        assertTrue(!java.util.Arrays.equals(p.get(0).toDoubleArray(), r.get(0).toDoubleArray()),
                name + ": a fresh optimizer continued identically, so the state dict is not exercised");
    }

    @Test
    void adamResumesBitForBit() {
        roundTrip(p -> new Adam(p, 0.05).amsgrad(true).weightDecay(0.01));
        roundTrip(p -> new AdamW(p, 0.05));
    }

    @Test
    void sgdMomentumResumesBitForBit() {
        roundTrip(p -> new SGD(p, 0.01).momentum(0.9).nesterov(true));
    }

    @Test
    void rmspropResumesBitForBit() {
        roundTrip(p -> new RMSprop(p, 0.01).momentum(0.5).centered(true));
    }

    @Test
    void adagradResumesBitForBit() {
        roundTrip(p -> new Adagrad(p, 0.1).lrDecay(0.01));
    }

    @Test
    void lbfgsResumesBitForBit() {
        roundTrip(p -> new LBFGS(p, 1).maxIter(2).historySize(3));
        roundTrip(p -> new LBFGS(p, 0.1).maxIter(2).strongWolfe(false));
    }

    @Test
    void conjugateGradientResumesBitForBit() {
        roundTrip(p -> new ConjugateGradient(p).maxIter(2));
    }

    @Test
    void keysFollowPyTorchsNames() {
        List<Tensor> p = fresh(QuadraticProblem.W0, QuadraticProblem.B0);
        Adam adam = new Adam(p, 0.1).amsgrad(true);
        adam.step(closure(adam, p.get(0), p.get(1)));
        Map<String, Tensor> sd = adam.stateDict();
        assertEquals(List.of("state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                "state.1.step", "state.1.exp_avg", "state.1.exp_avg_sq", "state.1.max_exp_avg_sq", "param_groups.lr",
                "param_groups.betas.0", "param_groups.betas.1", "param_groups.eps", "param_groups.weight_decay",
                "param_groups.amsgrad"), new ArrayList<>(sd.keySet()));
        assertEquals(1.0, sd.get("state.0.step").item());
        assertArrayEquals(new int[] {3, 2}, sd.get("state.0.exp_avg").shape());
        assertEquals(DType.FLOAT64, sd.get("param_groups.lr").dtype());
        // A snapshot: later steps do not change it.
        double before = sd.get("state.0.exp_avg").get(0, 0);
        adam.step(closure(adam, p.get(0), p.get(1)));
        assertEquals(before, sd.get("state.0.exp_avg").get(0, 0), 0.0);
    }

    @Test
    void loadingRestoresHyperparametersToo() {
        List<Tensor> p = fresh(QuadraticProblem.W0, QuadraticProblem.B0);
        Map<String, Tensor> sd = new SGD(p, 0.3).momentum(0.7).stateDict();
        SGD other = new SGD(p, 0.01);
        other.loadStateDict(sd);
        assertEquals(0.3, other.lr());
        assertEquals(0.7, other.stateDict().get("param_groups.momentum").item());
    }

    @Test
    void badStateDictsAreRejectedAndChangeNothing() {
        List<Tensor> p = fresh(QuadraticProblem.W0, QuadraticProblem.B0);
        Adam adam = new Adam(p, 0.1);
        adam.step(closure(adam, p.get(0), p.get(1)));
        Map<String, Tensor> good = adam.stateDict();

        Adam target = new Adam(fresh(QuadraticProblem.W0, QuadraticProblem.B0), 0.5);
        Map<String, Tensor> sgdDict = new SGD(p, 0.1).momentum(0.9).stateDict();
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(sgdDict));
        Map<String, Tensor> wrongShape = new LinkedHashMap<>(good);
        wrongShape.put("state.0.exp_avg", Tensor.zeros(DType.FLOAT64, 2, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(wrongShape));
        assertTrue(e.getMessage().contains("state.0.exp_avg") && e.getMessage().contains("[3, 2]"), e.getMessage());
        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("state.1.exp_avg_sq");
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(missing));
        Map<String, Tensor> extra = new LinkedHashMap<>(good);
        extra.put("state.2.step", Tensor.scalar(1, DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(extra));
        Map<String, Tensor> badStep = new LinkedHashMap<>(good);
        badStep.put("state.0.step", Tensor.scalar(1.5, DType.FLOAT64));
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(badStep));
        assertThrows(IllegalArgumentException.class, () -> target.loadStateDict(null));
        // Nothing was applied: still the fresh optimizer with lr 0.5 and no state.
        assertEquals(0.5, target.lr());
        assertTrue(target.stateDict().keySet().stream().noneMatch(k -> k.startsWith("state.")));

        // The loaded tensors are copies: changing the map afterwards does not reach the optimizer.
        target.loadStateDict(good);
        good.get("state.0.exp_avg").fill(123);
        assertTrue(target.stateDict().get("state.0.exp_avg").get(0, 0) != 123);
    }
}
