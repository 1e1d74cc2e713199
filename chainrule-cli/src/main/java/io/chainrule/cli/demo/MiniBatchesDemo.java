package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.TensorDataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Tutorial 002's mini-batches: X goes from 1×D to N×D and each step sees one batch; a last batch smaller than the
 * batch size is dropped ("drop-last", as PyTorch's DataLoader(drop_last=True)). On 10 examples with batches of 4:
 * without drop-last 3 batches (4, 4, 2) whose size-weighted mean gradient is the full-batch gradient; with
 * drop-last (shuffled) 2 batches, 2 examples left out of the epoch, and the weighted mean is the gradient over the
 * 8 kept. Model: linear regression ŷ = x·w, loss = mean (ŷ − y)² per batch.
 */
public final class MiniBatchesDemo implements Demo {
    static final int N = 10, BATCH = 4;

    @Override
    public String name() {
        return "mini-batches";
    }

    @Override
    public String summary() {
        return "10 examples in batches of 4, with and without drop-last: which are used, gradients vs full batch (tutorial 002)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        double[] xv = new double[N * 2];
        double[] yv = new double[N];
        for (int i = 0; i < N; i++) {
            xv[2 * i] = i;        // the first feature is the example's index, so a batch shows which examples it holds
            xv[2 * i + 1] = 1;
            yv[i] = Math.round(Math.sin(i) * 100) / 100.0;
        }
        Tensor x = Tensor.of(xv, N, 2);
        Tensor y = Tensor.of(yv, N);
        TensorDataset data = new TensorDataset(x, y);
        ctx.line("Mini-batches (tutorial 002): N = %d examples, batch size %d; ŷ = x·w, loss = mean (ŷ − y)², w = [0.3, −0.2]",
                N, BATCH);
        ctx.line("  x_i = [i, 1], y_i = sin(i) to 2 dp; float64");

        ctx.blank();
        ctx.line("  drop-last off, in order:");
        List<long[]> kept = epoch(ctx, new DataLoader(data, BATCH), x, y);
        checkBatches(ctx, "drop-last off", N, BATCH, false, kept);

        ctx.blank();
        ctx.line("  drop-last on, shuffled (seed 7):");
        List<long[]> dropped = epoch(ctx, new DataLoader(data, BATCH).dropLast(true).shuffle(true)
                .generator(new Generator(7)), x, y);
        checkBatches(ctx, "drop-last on", N, BATCH, true, dropped);
    }

    /** Runs one epoch: prints each batch and its gradient, checks the weighted mean against the examples used. */
    private static List<long[]> epoch(DemoContext ctx, DataLoader loader, Tensor x, Tensor y) {
        List<long[]> batches = new ArrayList<>();
        Tensor sum = Tensor.zeros(DType.FLOAT64, 2);
        int used = 0;
        for (Batch b : loader) {
            long[] idx = indices(b.x());
            batches.add(idx);
            Tensor g = gradient(b.x(), b.y());
            ctx.line("    batch %d: examples %-14s size %d  ∇L_b = %s", batches.size(), Arrays.toString(idx), idx.length,
                    HumanFormat.tensor(g, 9));
            sum = sum.add(g.mul((double) idx.length));
            used += idx.length;
        }
        long[] all = batches.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        Tensor xs = x.indexSelect(0, Tensor.of(all, all.length));
        Tensor ys = y.indexSelect(0, Tensor.of(all, all.length));
        Tensor weighted = sum.div((double) used);
        Tensor full = gradient(xs, ys);
        ctx.line("    Σ_b |b|·∇L_b / %d = %s;  gradient over those %d examples in one batch = %s", used,
                HumanFormat.tensor(weighted, 9), used, HumanFormat.tensor(full, 9));
        if (used < x.shape()[0]) ctx.line("    left out this epoch: %d examples (N mod batch size)", x.shape()[0] - used);
        ctx.check("size-weighted batch gradients = gradient of the " + used + " used", weighted, full, 1e-12);
        return batches;
    }

    /** The gradient of mean (x·w − y)² with respect to w at w = [0.3, −0.2]. */
    private static Tensor gradient(Tensor x, Tensor y) {
        Tensor w = Tensor.of(new double[] {0.3, -0.2}).requiresGrad(true);
        x.to(DType.FLOAT64).matmul(w).sub(y.to(DType.FLOAT64)).square().mean().backward();
        return w.grad();
    }

    private static long[] indices(Tensor xb) {
        double[] v = xb.to(DType.FLOAT64).contiguous().toDoubleArray();
        long[] idx = new long[v.length / 2];
        for (int i = 0; i < idx.length; i++) idx[i] = Math.round(v[2 * i]);
        return idx;
    }

    /**
     * The checks on an epoch's batches: how many there are, their sizes, no example twice, and how many are left
     * out (none without drop-last, N mod B with it).
     */
    public static void checkBatches(DemoContext ctx, String label, int n, int batchSize, boolean dropLast, List<long[]> batches) {
        int want = dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
        ctx.checkThat(label + ": number of batches", batches.size() == want, batches.size() + " = "
                + (dropLast ? "⌊" + n + "/" + batchSize + "⌋" : "⌈" + n + "/" + batchSize + "⌉") + " = " + want);
        boolean sizes = true;
        Set<Long> seen = new HashSet<>();
        int total = 0;
        for (int i = 0; i < batches.size(); i++) {
            long[] b = batches.get(i);
            boolean last = i == batches.size() - 1;
            sizes &= b.length == batchSize || (!dropLast && last && b.length == n % batchSize);
            for (long e : b) seen.add(e);
            total += b.length;
        }
        ctx.checkThat(label + ": batch sizes", sizes, "full batches" + (dropLast ? " only" : ", the last " + n % batchSize));
        int left = n - seen.size();
        int wantLeft = dropLast ? n % batchSize : 0;
        ctx.checkThat(label + ": each example at most once, " + wantLeft + " left out", total == seen.size() && left == wantLeft,
                total + " uses of " + seen.size() + " examples, " + left + " left out");
    }
}
