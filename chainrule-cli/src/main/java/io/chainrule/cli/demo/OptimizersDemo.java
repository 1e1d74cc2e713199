package io.chainrule.cli.demo;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.train.Plots;
import io.chainrule.cli.train.StepGraph;
import io.chainrule.data.Datasets;
import io.chainrule.cli.train.Labeled;
import io.chainrule.nn.F;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.Sequential;
import io.chainrule.nn.Tanh;
import io.chainrule.optim.Adam;
import io.chainrule.optim.ConjugateGradient;
import io.chainrule.optim.LBFGS;
import io.chainrule.optim.Newton;
import io.chainrule.optim.Optimizer;
import io.chainrule.optim.RMSprop;
import io.chainrule.optim.SGD;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Tutorial 002's list of optimizers on one small problem: a 2-12-3 tanh network on a 3-class spiral, full batch,
 * the same initial weights for each. First-order methods take one loss evaluation per step; L-BFGS and CG
 * evaluate several times per step (line search), Newton builds the exact Hessian with 1 + n backward passes per step
 * (the gradient, then one per parameter). All get the same budget of passes (a loss evaluation with its backward
 * counts one, each of Newton's Hessian passes one), and the convergence plot puts that cost on the x-axis.
 */
public final class OptimizersDemo implements Demo {
    static final int BUDGET = 300;

    @Override
    public String name() {
        return "optimizers";
    }

    @Override
    public String summary() {
        return "SGD, momentum, Adam, RMSprop, L-BFGS, CG and Newton on one small problem, with a convergence plot";
    }

    /** One optimizer's setup: its name in the table, the learning rate shown, and how to make it. */
    private record Entry(String name, String lr, Function<List<Tensor>, Optimizer> make) {}

    /** What one optimizer achieved. */
    public record Outcome(String name, int steps, int evaluations, int hessianPasses, double finalLoss, double accuracy,
                          double seconds, List<Double> losses, List<Integer> costs) {
        /** What the budget counts: every loss evaluation and every extra backward pass for the Hessian. */
        public int cost() {
            return evaluations + hessianPasses;
        }
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        Labeled data = Labeled.of(Datasets.spiral(40, 3, 0.1, new Generator(5)));
        Tensor x = data.x();
        Tensor y = data.y();
        ctx.line("Optimizers on one problem (tutorial 002): 3-class spiral, %d points, MLP 2-12-3 (tanh), cross-entropy,",
                x.shape()[0]);
        ctx.line("full batch, the same initial weights for each; budget %d passes: each loss evaluation (forward +", BUDGET);
        ctx.line("backward) counts one, and Newton's Hessian counts its 1 + n backward passes per step (n parameters).");
        List<Entry> entries = List.of(
                new Entry("SGD", "0.5", p -> new SGD(p, 0.5)),
                new Entry("momentum", "0.1, 0.9", p -> new SGD(p, 0.1).momentum(0.9)),
                new Entry("Adam", "0.05", p -> new Adam(p, 0.05)),
                new Entry("RMSprop", "0.01", p -> new RMSprop(p, 0.01)),
                new Entry("L-BFGS", "1", p -> new LBFGS(p, 1.0)),
                new Entry("CG", "-", ConjugateGradient::new),
                new Entry("Newton", "-", Newton::new));
        double initial = Double.NaN;
        List<Outcome> outcomes = new ArrayList<>();
        for (Entry e : entries) {
            Outcome o = solve(e, x, y);
            outcomes.add(o);
            initial = o.losses().get(0);
        }
        ctx.blank();
        ctx.line("  initial loss %s", HumanFormat.fixed(initial, 4));
        ctx.line("  %-9s %-9s %6s %12s %15s %6s %11s %9s %8s", "optimizer", "lr", "steps", "evaluations", "Hessian passes",
                "cost", "final loss", "accuracy", "time");
        for (Outcome o : outcomes) {
            Entry e = entries.get(outcomes.indexOf(o));
            ctx.line("  %-9s %-9s %6d %12d %15d %6d %11s %8.1f%% %7.2fs", o.name(), e.lr(), o.steps(), o.evaluations(),
                    o.hessianPasses(), o.cost(), HumanFormat.fixed(o.finalLoss(), 4), 100 * o.accuracy(), o.seconds());
        }
        ctx.line("  A step of L-BFGS or CG runs inner iterations with line searches, Newton one iteration with a line");
        ctx.line("  search; the spikes in the plot are rejected line-search trials.");
        ctx.blank();
        for (Outcome o : outcomes) {
            ctx.checkThat(o.name() + " lowers the loss", o.finalLoss() < initial,
                    HumanFormat.fixed(o.finalLoss(), 4) + " < " + HumanFormat.fixed(initial, 4));
        }
        if (ctx.dir() != null) {
            Map<String, Plots.Series> series = new LinkedHashMap<>();
            for (Outcome o : outcomes) {
                double[] xs = new double[o.losses().size()];
                double[] ys = new double[xs.length];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = o.costs().get(i);
                    ys[i] = o.losses().get(i);
                }
                series.put(o.name(), new Plots.Series(xs, ys));
            }
            Path png = ctx.dir().resolve("optimizers.png");
            Plots.lineChart(png, "spiral, MLP 2-12-3: loss against cost", "cost (loss evaluations + Newton's Hessian passes)",
                    "cross-entropy loss", series, true);
            ctx.wrote(png);
            Tensor.manualSeed(1);
            Module m = model();
            String dot = StepGraph.dot(m, x.narrow(0, 0, 4), y.narrow(0, 0, 4), "the model every optimizer trains: "
                    + "MLP 2-12-3 (tanh), cross-entropy, 4 examples");
            ctx.writeDot("optimizers-model", dot);
        }
    }

    private static int parameterCount(Module m) {
        int n = 0;
        for (Tensor p : m.parameters()) n += p.numel();
        return n;
    }

    private static Module model() {
        return new Sequential(new Linear(2, 12), new Tanh(), new Linear(12, 3));
    }

    private static Outcome solve(Entry e, Tensor x, Tensor y) {
        Tensor.manualSeed(1);
        Module m = model();
        Optimizer opt = e.make().apply(m.parameters());
        List<Double> losses = new ArrayList<>();
        List<Integer> costs = new ArrayList<>();
        boolean newton = e.name().equals("Newton");
        // Newton's step differentiates the gradient once per parameter (the Hessian's rows) after taking the gradient
        // itself, between its first loss evaluation and its line search: backward passes the closure does not see,
        // so they are counted here. [0]: Hessian passes so far, [1]: evaluations in the current step.
        int perStepHessian = newton ? parameterCount(m) + 1 : 0;
        int[] count = new int[2];
        Supplier<Tensor> closure = () -> {
            opt.zeroGrad();
            Tensor loss = F.crossEntropy(m.forward(x), y);
            if (!newton) loss.backward();
            if (++count[1] == 2) count[0] += perStepHessian;
            losses.add(loss.item());
            costs.add(losses.size() + count[0]);
            return loss;
        };
        long t0 = System.nanoTime();
        int steps = 0;
        while (losses.size() + count[0] < BUDGET && steps < BUDGET) {
            int before = losses.size();
            count[1] = 0;
            opt.step(closure);
            steps++;
            if (count[1] < 2) count[0] += perStepHessian; // a step that took no line-search trial built its Hessian too
            if (losses.size() == before) break; // an optimizer that no longer evaluates has converged
        }
        int hessian = count[0];
        double seconds = (System.nanoTime() - t0) / 1e9;
        double finalLoss;
        double acc;
        try (var g = Autograd.noGrad()) {
            Tensor logits = m.forward(x);
            finalLoss = F.crossEntropy(logits, y).item();
            long[] pred = logits.argmax(1, false).toLongArray();
            long[] truth = y.toLongArray();
            long ok = 0;
            for (int i = 0; i < pred.length; i++) if (pred[i] == truth[i]) ok++;
            acc = (double) ok / pred.length;
        }
        return new Outcome(e.name(), steps, losses.size(), hessian, finalLoss, acc, seconds, losses, costs);
    }
}
