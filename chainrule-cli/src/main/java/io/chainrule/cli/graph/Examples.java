package io.chainrule.cli.graph;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in graphs of {@code chainrule graph --expr NAME} (the demos draw the same ones). Each builds its
 * forward pass on a {@link Trace}, naming every intermediate, and returns the value backward starts from.
 */
public final class Examples {
    /** A built example: a title for the picture and the tensor backward starts from. */
    public record Example(String name, String title, Tensor root) {}

    /** Names accepted by {@link #build}, with one line each for {@code --help}. */
    public static final Map<String, String> NAMES = new LinkedHashMap<>();

    static {
        NAMES.put("chain-rule", "h = a·wa + b·wb, y = σ(h): add and mul nodes, scalars (tutorial 002)");
        NAMES.put("branch", "y = σ(x·w1) + x·w2: x feeds two ops, its gradients are summed");
        NAMES.put("perceptron", "one sigmoid neuron with MSE loss, the tutorial's 10 inputs (tutorial 003)");
        NAMES.put("matmul", "Y = X·W with upstream gradient G: dX = G·Wᵀ, dW = Xᵀ·G");
        NAMES.put("mlp", "2-3-2 network, ReLU, softmax cross-entropy, batch of 4, one module per box");
        NAMES.put("two-layer", "σ(X·W1)·W2 with softmax cross-entropy (tutorial 004)");
    }

    private Examples() {}

    /** Builds example {@code name} on {@code tr}; null when there is no such example. */
    public static Example build(String name, Trace tr) {
        return switch (name) {
            case "chain-rule" -> chainRule(tr, 1.5, 0.8, -0.5, 1.2);
            case "branch" -> branch(tr);
            case "perceptron" -> perceptron(tr, true);
            case "matmul" -> matmul(tr, new Generator(7)).example();
            case "mlp" -> mlp(tr);
            case "two-layer" -> twoLayer(tr, new Generator(11)).example();
            default -> null;
        };
    }

    private static Tensor scalar(double v) {
        return Tensor.scalar(v, DType.FLOAT64).requiresGrad(true);
    }

    /** h = a·wa + b·wb, y = σ(h). */
    public static Example chainRule(Trace tr, double a0, double wa0, double b0, double wb0) {
        Tensor a = tr.leaf("a", scalar(a0));
        Tensor wa = tr.leaf("wa", scalar(wa0));
        Tensor b = tr.leaf("b", scalar(b0));
        Tensor wb = tr.leaf("wb", scalar(wb0));
        Tensor p = tr.name("a·wa", a.mul(wa));
        Tensor q = tr.name("b·wb", b.mul(wb));
        Tensor h = tr.name("h = a·wa + b·wb", p.add(q));
        Tensor y = tr.name("y = σ(h)", h.sigmoid());
        return new Example("chain-rule", "chain rule: h = a·wa + b·wb, y = σ(h); edges carry ∂y/∂(value)", y);
    }

    /** y = σ(x·w1) + x·w2: x is used twice. */
    public static Example branch(Trace tr) {
        Tensor x = tr.leaf("x", scalar(0.5));
        Tensor w1 = tr.leaf("w1", scalar(2.0));
        Tensor w2 = tr.leaf("w2", scalar(-1.5));
        Tensor u = tr.name("u = x·w1", x.mul(w1));
        Tensor s = tr.name("σ(u)", u.sigmoid());
        Tensor v = tr.name("v = x·w2", x.mul(w2));
        Tensor y = tr.name("y = σ(u) + v", s.add(v));
        return new Example("branch", "branch: x feeds two ops; at '+' their gradients are summed", y);
    }

    /** The tutorial's 10 inputs (rounded as printed). */
    public static final double[] PERCEPTRON_X = {0.5817, -1.1089, -0.9756, -0.4556, -0.2144, -1.1662, 1.9232, 0.2331,
            -1.2987, -0.4950};
    /** The tutorial's 10 weights (rounded as printed). */
    public static final double[] PERCEPTRON_W = {-1.0490, -1.7553, 0.1665, -0.0458, -0.8664, -0.3328, -0.1398, 1.2416,
            1.3097, -0.4996};

    /** One sigmoid neuron, o = σ(x·wᵀ), loss = mse(1, o), in float32 like the tutorial's PyTorch run. */
    public static Example perceptron(Trace tr, boolean xRequiresGrad) {
        Tensor x = tr.leaf("x", Tensor.of(toFloat(PERCEPTRON_X), 1, 10).requiresGrad(xRequiresGrad));
        Tensor w = tr.leaf("w", Tensor.of(toFloat(PERCEPTRON_W), 1, 10).requiresGrad(true));
        Tensor wt = tr.name("wᵀ", w.t());
        Tensor z = tr.name("z = x·wᵀ", x.matmul(wt));
        Tensor o = tr.name("O = σ(z)", z.sigmoid());
        Tensor t = Tensor.ones(1, 1);
        Tensor d = tr.constant("t", t, tr.name("t − O", t.sub(o)), 0);
        Tensor sq = tr.name("(t − O)²", d.square());
        Tensor loss = tr.name("E = mse(t=1, O)", sq.mean());
        return new Example("perceptron", "perceptron (tutorial 003): O = σ(x·wᵀ), E = mean((t − O)²), t = 1", loss);
    }

    /** Y = X·W and L = Σ Y∘G, so that dL/dY = G. */
    public record MatmulExample(Example example, Tensor x, Tensor w, Tensor y, Tensor g) {}

    public static MatmulExample matmul(Trace tr, Generator gen) {
        Tensor x = tr.leaf("X", round(Tensor.randn(gen, 2, 3)).requiresGrad(true));
        Tensor w = tr.leaf("W", round(Tensor.randn(gen, 3, 2)).requiresGrad(true));
        Tensor g = round(Tensor.randn(gen, 2, 2));
        Tensor y = tr.name("Y = X·W", x.matmul(w));
        Tensor yg = tr.constant("G", g, tr.name("Y∘G", y.mul(g)), 1);
        Tensor l = tr.name("L = Σ Y∘G", yg.sum());
        return new MatmulExample(new Example("matmul", "matmul: Y = X·W, L = Σ Y∘G so ∂L/∂Y = G; dX = G·Wᵀ, dW = Xᵀ·G", l),
                x, w, y, g);
    }

    /** A 2-3-2 MLP with ReLU and softmax cross-entropy over a batch of 4, one cluster per layer. */
    public static Example mlp(Trace tr) {
        Generator gen = new Generator(4);
        Tensor x = round(Tensor.randn(gen, 4, 2));
        Tensor y = Tensor.of(new long[] {0, 1, 1, 0}, 4);
        Tensor w1 = tr.leaf("W1", round(Tensor.randn(gen, 2, 3)).requiresGrad(true));
        Tensor b1 = tr.leaf("b1", Tensor.zeros(DType.FLOAT64, 3).requiresGrad(true));
        Tensor w2 = tr.leaf("W2", round(Tensor.randn(gen, 3, 2)).requiresGrad(true));
        Tensor b2 = tr.leaf("b2", Tensor.zeros(DType.FLOAT64, 2).requiresGrad(true));
        Tensor xw1 = tr.constant("x (input)", x, tr.name("x·W1", x.matmul(w1)), 0);
        Tensor z1 = tr.name("z1 = x·W1 + b1", xw1.add(b1));
        Tensor a1 = tr.module("layer 1: Linear(2, 3) + ReLU", tr.name("a1 = relu(z1)", z1.relu()));
        Tensor aw2 = tr.name("a1·W2", a1.matmul(w2));
        Tensor z2 = tr.module("layer 2: Linear(3, 2)", tr.name("logits = a1·W2 + b2", aw2.add(b2)));
        Tensor loss = tr.module("loss: softmax cross-entropy", crossEntropy(tr, z2, y));
        return new Example("mlp", "MLP 2-3-2 (ReLU), softmax cross-entropy over a batch of 4", loss);
    }

    /** Mean softmax cross-entropy, −mean(log softmax(z)[i, y_i]), with named steps. */
    static Tensor crossEntropy(Trace tr, Tensor logits, Tensor labels) {
        Tensor lsm = tr.name("log softmax", logits.logSoftmax(1));
        Tensor picked = tr.name("log p[y]", lsm.gather(1, labels.unsqueeze(1)));
        Tensor mean = tr.name("mean", picked.mean());
        return tr.name("loss = −mean log p[y]", mean.neg());
    }

    /** The two-layer network of tutorial 004: tensors for the closed-form check. */
    public record TwoLayer(Example example, Tensor x, Tensor w1, Tensor w2, Tensor y, Tensor z1, Tensor logits) {}

    /** σ(X·W1)·W2 with σ = ReLU and mean softmax cross-entropy; X 6×4, W1 4×5, W2 5×3. */
    public static TwoLayer twoLayer(Trace tr, Generator gen) {
        Tensor x = round(Tensor.randn(gen, 6, 4));
        Tensor y = Tensor.of(new long[] {0, 2, 1, 1, 0, 2}, 6);
        Tensor w1 = tr.leaf("W1", round(Tensor.randn(gen, 4, 5).mul(0.7)).requiresGrad(true));
        Tensor w2 = tr.leaf("W2", round(Tensor.randn(gen, 5, 3).mul(0.7)).requiresGrad(true));
        Tensor z1 = tr.constant("X (input)", x, tr.name("X·W1", x.matmul(w1)), 0);
        Tensor h = tr.module("layer 1", tr.name("σ(X·W1)", z1.relu()));
        Tensor logits = tr.module("layer 2", tr.name("σ(X·W1)·W2", h.matmul(w2)));
        Tensor loss = tr.module("loss: softmax cross-entropy", crossEntropy(tr, logits, y));
        return new TwoLayer(new Example("two-layer", "two-layer network σ(X·W1)·W2, softmax cross-entropy (tutorial 004)",
                loss), x, w1, w2, y, z1, logits);
    }

    /** Rounds to two decimals (in float64) so the pictures and printed tables stay readable. */
    static Tensor round(Tensor t) {
        double[] v = t.to(DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < v.length; i++) v[i] = Math.round(v[i] * 100) / 100.0;
        return Tensor.of(v, t.shape());
    }

    static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
        return f;
    }

    /** The names, for messages. */
    public static List<String> names() {
        return List.copyOf(NAMES.keySet());
    }
}
