package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;
import io.chainrule.nn.F;

import java.util.ArrayList;
import java.util.List;

/**
 * Tutorial 004's general algorithm for an L-layer network Z_{i+1} = σ_i(Z_i·W_i), i = 1 … L, Z_1 = X (ReLU hidden
 * layers, linear logits Z_{L+1}, mean softmax cross-entropy):
 * <pre>
 *   G_{L+1} = (S − I_y)/m,   G_i = (G_{i+1} ∘ σ'(Z_i W_i))·W_iᵀ,   ∇W_i = Z_iᵀ·(G_{i+1} ∘ σ'(Z_i W_i))
 * </pre>
 * computed by {@link ManualMlp} on plain arrays (no autograd), each G_i and ∇W_i printed beside autograd's
 * ∂ℓ/∂Z_i and W_i.grad. The tutorial's loss is the sum over the batch; the mean here divides everything by m.
 */
public final class LayerRecurrenceDemo implements Demo {
    static final int[] SIZES = {4, 5, 4, 3};
    static final int[] LABELS = {0, 2, 1, 2};

    /** The G_i (i = 1 … L+1) and ∇W_i (i = 1 … L), by the recurrence or from autograd. */
    public record Grads(List<Tensor> g, List<Tensor> gradW) {}

    @Override
    public String name() {
        return "layer-recurrence";
    }

    @Override
    public String summary() {
        return "L-layer net: G_(L+1) = S − I_y, G_i = (G_(i+1) ∘ σ'(Z_i·W_i))·W_iᵀ, ∇W_i, each vs autograd (tutorial 004)";
    }

    @Override
    public void run(DemoContext ctx) throws Exception {
        int layers = SIZES.length - 1;
        int m = LABELS.length;
        Generator gen = new Generator(4);
        ManualMlp net = ManualMlp.random(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, gen, SIZES);
        double[][] x = new double[m][SIZES[0]];
        for (double[] row : x) for (int j = 0; j < row.length; j++) row[j] = Math.round((4 * gen.nextDouble() - 2) * 10) / 10.0;
        ctx.line("Tutorial 004's L-layer recurrence: L = %d, sizes %s, Z_(i+1) = σ(Z_i·W_i) with σ = ReLU (identity for",
                layers, sizes());
        ctx.line("the last layer), ℓ = mean softmax cross-entropy over m = %d rows; G_i = ∂ℓ/∂Z_i; float64", m);

        // The recurrence, on plain arrays.
        ManualMlp.Gradients manual = net.backward(x, LABELS);
        List<Tensor> handG = new ArrayList<>();
        for (double[][] gi : manual.activationGrads()) handG.add(Tensor.of(gi));
        List<Tensor> handW = new ArrayList<>();
        for (double[][] wi : manual.weightGrads()) handW.add(Tensor.of(wi));
        Grads hand = new Grads(handG, handW);

        // The same network through autograd.
        Trace tr = new Trace();
        Tensor z = tr.leaf("Z1 = X", Tensor.of(x).requiresGrad(true));
        List<Tensor> ws = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            Tensor w = tr.leaf("W" + (i + 1), Tensor.of(net.weight(i)).requiresGrad(true));
            ws.add(w);
            Tensor a = tr.name("Z" + (i + 1) + "·W" + (i + 1), z.matmul(w));
            z = tr.name("Z" + (i + 2), i < layers - 1 ? a.relu() : a);
        }
        long[] labels = new long[m];
        for (int n = 0; n < m; n++) labels[n] = LABELS[n];
        Tensor loss = tr.name("ℓ", F.crossEntropy(z, Tensor.of(labels, m)));
        GraphModel graph = tr.backward(loss);
        List<Tensor> autoG = new ArrayList<>();
        for (int i = 1; i <= layers + 1; i++) autoG.add(graph.find(i == 1 ? "Z1 = X" : "Z" + i).grad());
        List<Tensor> autoW = new ArrayList<>();
        for (Tensor w : ws) autoW.add(w.grad());
        Grads auto = new Grads(autoG, autoW);

        ctx.blank();
        ctx.line("  labels y = %s, ℓ = %s (recurrence) = %s (autograd)", java.util.Arrays.toString(LABELS),
                HumanFormat.fixed(manual.loss(), 8), HumanFormat.fixed(loss.item(), 8));
        for (int i = layers + 1; i >= 1; i--) {
            ctx.blank();
            if (i == layers + 1) ctx.line("  G%d = (S − I_y)/m, S = softmax(Z%d)", i, i);
            else ctx.line("  G%d = (G%d ∘ σ'(Z%d·W%d))·W%dᵀ", i, i + 1, i, i, i);
            printPair(ctx, hand.g().get(i - 1), auto.g().get(i - 1), "∂ℓ/∂Z" + i);
            if (i <= layers) {
                ctx.line("  ∇W%d = Z%dᵀ·(G%d ∘ σ'(Z%d·W%d))", i, i, i + 1, i, i);
                printPair(ctx, hand.gradW().get(i - 1), auto.gradW().get(i - 1), "W" + i + ".grad");
                int off = offUnits(hand.gradW().get(i - 1));
                if (off > 0) {
                    ctx.line("    (%d zero column%s: unit%s whose ReLU is off on every row, σ' = 0 there)", off,
                            off == 1 ? "" : "s", off == 1 ? "" : "s");
                }
            }
        }
        ctx.blank();
        ctx.check("ℓ: recurrence's forward = autograd's", Math.abs(manual.loss() - loss.item()), 1e-12);
        compare(ctx, hand, auto);
        ctx.writeGraph("layer-recurrence", graph, "tutorial 004: Z_(i+1) = σ(Z_i·W_i), L = " + layers
                + ", softmax cross-entropy: the gradient into each Z_i is G_i");
    }

    /** The checks: each G_i and ∇W_i of the recurrence against autograd's. */
    public static void compare(DemoContext ctx, Grads hand, Grads auto) {
        for (int i = hand.g().size(); i >= 1; i--) {
            ctx.check("G" + i + " vs autograd ∂ℓ/∂Z" + i, hand.g().get(i - 1), auto.g().get(i - 1), 1e-12);
            if (i <= hand.gradW().size()) {
                ctx.check("∇W" + i + " vs autograd W" + i + ".grad", hand.gradW().get(i - 1), auto.gradW().get(i - 1), 1e-12);
            }
        }
    }

    /** The number of all-zero columns of ∇W: output units that pass no gradient for any row of the batch. */
    private static int offUnits(Tensor gradW) {
        double[] v = gradW.toDoubleArray();
        int rows = gradW.shape()[0], cols = gradW.shape()[1], off = 0;
        for (int c = 0; c < cols; c++) {
            boolean zero = true;
            for (int r = 0; r < rows; r++) zero &= v[r * cols + c] == 0;
            if (zero) off++;
        }
        return off;
    }

    private static void printPair(DemoContext ctx, Tensor hand, Tensor auto, String autoName) {
        int rows = hand.shape()[0];
        for (int r = 0; r < rows; r++) {
            ctx.line("    %-54s %s", HumanFormat.tensor(hand.select(0, r), 99), HumanFormat.tensor(auto.to(DType.FLOAT64).select(0, r), 99));
        }
        ctx.line("    %-54s %s", "(recurrence, " + HumanFormat.shape(hand.shape()) + ")", "(autograd " + autoName + ")");
    }

    private static String sizes() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < SIZES.length; i++) sb.append(i == 0 ? "" : "-").append(SIZES[i]);
        return sb.toString();
    }
}
