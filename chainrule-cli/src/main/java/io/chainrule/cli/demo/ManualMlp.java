package io.chainrule.cli.demo;

import io.chainrule.Generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Backpropagation by hand: an L-layer perceptron on plain {@code double[][]} arrays, trained with the gradient
 * equations the tutorials derive — no autograd — so the numbers can be read next to what the engine computes
 * (the tests check they agree to 1e-10). It is the reference implementation of the tutorials, which the
 * {@code layer-recurrence} demo prints next to autograd; it is not library API, so it lives with the demos.
 *
 * <h2>Notation</h2>
 * Layers are numbered from 0 here (the CMU 10-714 notes count from 1). For a batch X of m rows:
 * <pre>
 *   Z_0 = X,   A_i = Z_i·W_i (+ b_i),   Z_{i+1} = σ_i(A_i),   i = 0 … L−1
 * </pre>
 * with W_i of shape n_i × n_{i+1}. Two objectives are built in:
 * <ul>
 * <li>{@link Objective#SOFTMAX_CROSS_ENTROPY}: σ_i = ReLU for the hidden layers and the identity for the last, so
 *   Z_L are logits; ℓ = (1/m)·Σ_n [log Σ_k e^{Z_L[n,k]} − Z_L[n, y_n]]. This is the CMU 10-714 "manual neural
 *   networks" lecture (tutorial 004).</li>
 * <li>{@link Objective#SIGMOID_SQUARED_ERROR}: σ_i = sigmoid for every layer, outputs O = Z_L;
 *   E = (1/m)·Σ_n ½·Σ_k (O_nk − t_nk)². This is the δ derivation of tutorial 000.</li>
 * </ul>
 *
 * <h2>Backward pass (tutorial 004)</h2>
 * Let G_i = ∂ℓ/∂Z_i (m × n_i). Then
 * <pre>
 *   G_L     = (S − I_y) / m                       S = softmax(Z_L) row-wise, I_y the one-hot labels
 *   δ_i     = G_{i+1} ∘ σ_i'(A_i)                 the error at layer i's pre-activation, ∂ℓ/∂A_i
 *   G_i     = δ_i · W_iᵀ                          (G_{i+1} ∘ σ'(Z_i W_i)) W_iᵀ
 *   ∇W_i    = Z_iᵀ · δ_i                          Z_iᵀ (G_{i+1} ∘ σ'(Z_i W_i))
 *   ∇b_i    = Σ_rows δ_i
 * </pre>
 * Softmax and cross-entropy are differentiated together, which is why the start is the simple S − I_y: the
 * derivative of log Σ e^z − z_y with respect to z is softmax(z) − one_hot(y). ReLU'(a) is 1 for a &gt; 0 and 0
 * otherwise (0 at a = 0, as autograd takes it); the identity's derivative is 1, so δ_{L−1} = G_L.
 *
 * <h2>The δ form (tutorial 000)</h2>
 * For sigmoid units with squared error, σ'(A) = O(1 − O) is read off the outputs, and the same recurrence is
 * written per unit: for an output unit k, δ_k = (O_k − t_k)·O_k·(1 − O_k); for a hidden unit j feeding units k
 * through weights w_jk, δ_j = O_j·(1 − O_j)·Σ_k δ_k·w_jk; and ∂E/∂w_jk = O_j·δ_k, with O_j the output of unit j
 * (the input x_j for the first layer). Summed over the batch with the 1/m of E. {@link #backward(double[][], double[][])}
 * computes it literally with these loops.
 *
 * <pre>{@code
 * ManualMlp net = ManualMlp.random(ManualMlp.Objective.SOFTMAX_CROSS_ENTROPY, false, new Generator(0), 2, 16, 3);
 * ManualMlp.Gradients g = net.backward(x, labels);   // g.weightGrads().get(i) = ∇W_i
 * net.step(0.5);                                     // W_i -= 0.5 · ∇W_i
 * }</pre>
 */
final class ManualMlp {
    /** The loss and activations the network is trained with; see the class documentation. */
    public enum Objective {
        /** ReLU hidden layers, linear output logits, softmax cross-entropy averaged over the batch. */
        SOFTMAX_CROSS_ENTROPY,
        /** Sigmoid on every layer, E = (1/m)·Σ ½·Σ_k (O_k − t_k)². */
        SIGMOID_SQUARED_ERROR
    }

    /**
     * The result of a backward pass. Lists are indexed by layer i = 0 … L−1 except {@code activationGrads}, which
     * holds G_0 … G_L (G_0 being the gradient with respect to the input X). {@code biasGrads} is null for a network
     * without biases.
     *
     * @param loss            the loss ℓ (or E) of the batch
     * @param weightGrads     ∇W_i = Z_iᵀ·δ_i, each n_i × n_{i+1}
     * @param biasGrads       ∇b_i = Σ_rows δ_i, or null
     * @param deltas          δ_i = ∂ℓ/∂A_i, each m × n_{i+1}
     * @param activationGrads G_i = ∂ℓ/∂Z_i, each m × n_i
     */
    public record Gradients(double loss, List<double[][]> weightGrads, List<double[]> biasGrads,
                            List<double[][]> deltas, List<double[][]> activationGrads) {}

    /** The activations of a forward pass: Z_0 = X … Z_L, and the pre-activations A_0 … A_{L−1}. */
    public record Forward(List<double[][]> activations, List<double[][]> preActivations) {
        /** Z_L: logits for softmax cross-entropy, sigmoid outputs for squared error. */
        public double[][] output() {
            return activations.get(activations.size() - 1);
        }
    }

    private final Objective objective;
    private final double[][][] weights;
    private final double[][] biases;
    private Gradients pending;

    /** A network without biases with the given weights W_0 … W_{L−1} (copied; W_i is n_i × n_{i+1}). */
    public ManualMlp(Objective objective, double[][]... weights) {
        this(objective, weights, null);
    }

    /** A network with the given weights and biases (copied); {@code biases} may be null for none. */
    public ManualMlp(Objective objective, double[][][] weights, double[][] biases) {
        if (objective == null) throw new IllegalArgumentException("ManualMlp: objective must not be null");
        if (weights == null || weights.length == 0) throw new IllegalArgumentException("ManualMlp: needs at least one weight matrix");
        this.objective = objective;
        this.weights = new double[weights.length][][];
        for (int i = 0; i < weights.length; i++) {
            double[][] w = weights[i];
            if (w == null || w.length == 0 || w[0] == null || w[0].length == 0) {
                throw new IllegalArgumentException("ManualMlp: weight " + i + " is empty");
            }
            checkRect("weight " + i, w, w.length, w[0].length);
            if (i > 0 && w.length != weights[i - 1][0].length) {
                throw new IllegalArgumentException("ManualMlp: weight " + i + " has " + w.length + " rows but layer " + (i - 1)
                        + " outputs " + weights[i - 1][0].length + " units");
            }
            this.weights[i] = copy(w);
        }
        if (biases != null) {
            if (biases.length != weights.length) {
                throw new IllegalArgumentException("ManualMlp: " + biases.length + " bias vectors for " + weights.length + " layers");
            }
            this.biases = new double[biases.length][];
            for (int i = 0; i < biases.length; i++) {
                if (biases[i] == null || biases[i].length != weights[i][0].length) {
                    throw new IllegalArgumentException("ManualMlp: bias " + i + " must have " + weights[i][0].length + " entries");
                }
                this.biases[i] = biases[i].clone();
            }
        } else {
            this.biases = null;
        }
    }

    /**
     * A network with layer sizes {@code sizes} (n_0 inputs … n_L outputs), weights and biases drawn from
     * U(−1/√n_i, 1/√n_i) as PyTorch's Linear does.
     */
    public static ManualMlp random(Objective objective, boolean withBiases, Generator generator, int... sizes) {
        if (sizes == null || sizes.length < 2) throw new IllegalArgumentException("ManualMlp.random: needs at least 2 layer sizes");
        if (generator == null) throw new IllegalArgumentException("ManualMlp.random: generator must not be null");
        int layers = sizes.length - 1;
        double[][][] w = new double[layers][][];
        double[][] b = withBiases ? new double[layers][] : null;
        for (int i = 0; i < layers; i++) {
            if (sizes[i] <= 0 || sizes[i + 1] <= 0) {
                throw new IllegalArgumentException("ManualMlp.random: sizes must be positive, got " + Arrays.toString(sizes));
            }
            double bound = 1.0 / Math.sqrt(sizes[i]);
            w[i] = new double[sizes[i]][sizes[i + 1]];
            for (double[] row : w[i]) for (int k = 0; k < row.length; k++) row[k] = bound * (2 * generator.nextDouble() - 1);
            if (b != null) {
                b[i] = new double[sizes[i + 1]];
                for (int k = 0; k < b[i].length; k++) b[i][k] = bound * (2 * generator.nextDouble() - 1);
            }
        }
        return new ManualMlp(objective, w, b);
    }

    public Objective objective() {
        return objective;
    }

    /** L, the number of weight matrices. */
    public int layers() {
        return weights.length;
    }

    /** A copy of W_i (n_i × n_{i+1}). */
    public double[][] weight(int i) {
        return copy(weights[checkLayer(i)]);
    }

    /** A copy of b_i, or null for a network without biases. */
    public double[] bias(int i) {
        checkLayer(i);
        return biases == null ? null : biases[i].clone();
    }

    // ------------------------------------------------------------------------------------------------- forward

    /** Z_{i+1} = σ_i(Z_i·W_i + b_i) for every layer, keeping every Z_i and A_i. */
    public Forward forward(double[][] x) {
        checkRect("input", x, x == null ? 0 : x.length, weights[0].length);
        List<double[][]> z = new ArrayList<>();
        List<double[][]> a = new ArrayList<>();
        z.add(copy(x));
        for (int i = 0; i < weights.length; i++) {
            double[][] pre = matmul(z.get(i), weights[i]);
            if (biases != null) for (double[] row : pre) for (int k = 0; k < row.length; k++) row[k] += biases[i][k];
            a.add(pre);
            double[][] out = new double[pre.length][pre[0].length];
            for (int r = 0; r < pre.length; r++) {
                for (int k = 0; k < pre[r].length; k++) out[r][k] = activation(i, pre[r][k]);
            }
            z.add(out);
        }
        return new Forward(Collections.unmodifiableList(z), Collections.unmodifiableList(a));
    }

    /** Z_L for a batch: logits or sigmoid outputs. */
    public double[][] output(double[][] x) {
        return forward(x).output();
    }

    /** The index of the largest output of each row. */
    public int[] predict(double[][] x) {
        double[][] out = output(x);
        int[] pred = new int[out.length];
        for (int r = 0; r < out.length; r++) {
            for (int k = 1; k < out[r].length; k++) if (out[r][k] > out[r][pred[r]]) pred[r] = k;
        }
        return pred;
    }

    private boolean isLast(int i) {
        return i == weights.length - 1;
    }

    private double activation(int i, double a) {
        if (objective == Objective.SIGMOID_SQUARED_ERROR) return 1.0 / (1.0 + Math.exp(-a));
        return isLast(i) ? a : Math.max(a, 0.0);
    }

    /** σ_i'(A_i) for the softmax network: ReLU' is 1 above 0 and 0 at or below; the output layer is linear. */
    private double reluNetDerivative(int i, double a) {
        return isLast(i) ? 1.0 : (a > 0 ? 1.0 : 0.0);
    }

    // ------------------------------------------------------------------------------------------------ backward

    /**
     * Softmax cross-entropy gradients for class labels {@code labels} (one per row of {@code x}): the G recurrence
     * of tutorial 004, starting from G_L = (S − I_y)/m. The gradients are kept for {@link #step(double)}.
     */
    public Gradients backward(double[][] x, int[] labels) {
        requireObjective(Objective.SOFTMAX_CROSS_ENTROPY, "backward(x, labels)");
        int classes = weights[weights.length - 1][0].length;
        if (labels == null || x == null || labels.length != x.length) {
            throw new IllegalArgumentException("ManualMlp.backward: need one label per input row, got "
                    + (labels == null ? "null" : labels.length) + " labels for " + (x == null ? "null" : x.length) + " rows");
        }
        double[][] oneHot = new double[labels.length][classes];
        for (int r = 0; r < labels.length; r++) {
            if (labels[r] < 0 || labels[r] >= classes) {
                throw new IllegalArgumentException("ManualMlp.backward: label " + labels[r] + " out of range for " + classes + " classes");
            }
            oneHot[r][labels[r]] = 1.0;
        }
        return softmaxBackward(x, oneHot);
    }

    /**
     * Gradients against target rows {@code targets}: for {@link Objective#SIGMOID_SQUARED_ERROR} the δ equations of
     * tutorial 000; for {@link Objective#SOFTMAX_CROSS_ENTROPY}, class probabilities (ℓ = −(1/m)·Σ t·log S, whose
     * G_L is (S·Σ_k t_k − T)/m, i.e. (S − T)/m for rows summing to 1). The gradients are kept for {@link #step(double)}.
     */
    public Gradients backward(double[][] x, double[][] targets) {
        int outputs = weights[weights.length - 1][0].length;
        checkRect("targets", targets, x == null ? 0 : x.length, outputs);
        return objective == Objective.SOFTMAX_CROSS_ENTROPY ? softmaxBackward(x, targets) : deltaBackward(x, targets);
    }

    /** The matrix form: G_L = (S·rowsum(T) − T)/m, then δ_i = G_{i+1} ∘ σ'(A_i), ∇W_i = Z_iᵀδ_i, G_i = δ_i W_iᵀ. */
    private Gradients softmaxBackward(double[][] x, double[][] targets) {
        Forward f = forward(x);
        double[][] logits = f.output();
        int m = logits.length;
        double loss = 0;
        double[][] g = new double[m][];
        for (int r = 0; r < m; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : logits[r]) max = Math.max(max, v);
            double sum = 0;
            for (double v : logits[r]) sum += Math.exp(v - max);
            double logSumExp = max + Math.log(sum);
            double mass = 0;
            for (int k = 0; k < logits[r].length; k++) {
                mass += targets[r][k];
                if (targets[r][k] != 0) loss -= targets[r][k] * (logits[r][k] - logSumExp);
            }
            g[r] = new double[logits[r].length];
            for (int k = 0; k < logits[r].length; k++) {
                double s = Math.exp(logits[r][k] - logSumExp); // softmax, S
                g[r][k] = (s * mass - targets[r][k]) / m;
            }
        }
        loss /= m;

        int layers = weights.length;
        double[][][] dW = new double[layers][][];
        double[][] db = biases == null ? null : new double[layers][];
        double[][][] delta = new double[layers][][];
        double[][][] gz = new double[layers + 1][][];
        gz[layers] = g;
        for (int i = layers - 1; i >= 0; i--) {
            double[][] a = f.preActivations().get(i);
            double[][] d = new double[m][a[0].length];
            for (int r = 0; r < m; r++) {
                for (int k = 0; k < d[r].length; k++) d[r][k] = gz[i + 1][r][k] * reluNetDerivative(i, a[r][k]);
            }
            delta[i] = d;
            dW[i] = matmul(transpose(f.activations().get(i)), d);
            if (db != null) db[i] = columnSums(d);
            gz[i] = matmul(d, transpose(weights[i]));
        }
        return keep(new Gradients(loss, List.of(dW), db == null ? null : List.of(db), List.of(delta), List.of(gz)));
    }

    /**
     * Tutorial 000 literally, sample by sample: output δ_k = (O_k − t_k)·O_k(1 − O_k)/m, hidden
     * δ_j = O_j(1 − O_j)·Σ_k δ_k·w_jk, and ∂E/∂w_jk += O_j·δ_k (O_j being the input to the layer).
     */
    private Gradients deltaBackward(double[][] x, double[][] targets) {
        Forward f = forward(x);
        int m = x.length;
        int layers = weights.length;
        double[][] out = f.output();
        double loss = 0;
        for (int r = 0; r < m; r++) for (int k = 0; k < out[r].length; k++) loss += 0.5 * sq(out[r][k] - targets[r][k]);
        loss /= m;

        double[][][] dW = new double[layers][][];
        double[][] db = biases == null ? null : new double[layers][];
        double[][][] delta = new double[layers][][];
        double[][][] gz = new double[layers + 1][][];
        for (int i = 0; i < layers; i++) {
            dW[i] = new double[weights[i].length][weights[i][0].length];
            delta[i] = new double[m][weights[i][0].length];
            if (db != null) db[i] = new double[weights[i][0].length];
        }
        for (int i = 0; i <= layers; i++) gz[i] = new double[m][f.activations().get(i)[0].length];

        for (int r = 0; r < m; r++) {
            // Output layer: δ_k = (O_k − t_k)·O_k·(1 − O_k), with the 1/m of E.
            int last = layers - 1;
            for (int k = 0; k < out[r].length; k++) {
                double o = out[r][k];
                gz[layers][r][k] = (o - targets[r][k]) / m;
                delta[last][r][k] = (o - targets[r][k]) * o * (1 - o) / m;
            }
            // Hidden layers, back to front: δ_j = O_j·(1 − O_j)·Σ_k δ_k·w_jk, where O_j = Z_{i+1}[j] feeds layer i+1.
            for (int i = last; i >= 0; i--) {
                double[][] w = weights[i];
                double[] in = f.activations().get(i)[r]; // O_j of the units feeding layer i (X for i = 0)
                for (int j = 0; j < w.length; j++) {
                    double sum = 0;
                    for (int k = 0; k < w[j].length; k++) {
                        dW[i][j][k] += in[j] * delta[i][r][k]; // ∂E/∂w_jk = O_j·δ_k
                        sum += delta[i][r][k] * w[j][k];
                    }
                    gz[i][r][j] = sum; // ∂E/∂O_j
                    if (i > 0) delta[i - 1][r][j] = in[j] * (1 - in[j]) * sum;
                }
                if (db != null) for (int k = 0; k < w[0].length; k++) db[i][k] += delta[i][r][k];
            }
        }
        return keep(new Gradients(loss, List.of(dW), db == null ? null : List.of(db), List.of(delta), List.of(gz)));
    }

    private Gradients keep(Gradients g) {
        pending = g;
        return g;
    }

    /**
     * One gradient-descent update with the gradients of the last backward pass: W_i ← W_i − lr·∇W_i and
     * b_i ← b_i − lr·∇b_i. The gradients are consumed; a second step needs a new backward pass.
     */
    public void step(double lr) {
        if (pending == null) throw new IllegalStateException("ManualMlp.step: call backward(...) before step(lr)");
        for (int i = 0; i < weights.length; i++) {
            double[][] g = pending.weightGrads().get(i);
            for (int j = 0; j < weights[i].length; j++) {
                for (int k = 0; k < weights[i][j].length; k++) weights[i][j][k] -= lr * g[j][k];
            }
            if (biases != null) {
                double[] gb = pending.biasGrads().get(i);
                for (int k = 0; k < biases[i].length; k++) biases[i][k] -= lr * gb[k];
            }
        }
        pending = null;
    }

    /** backward on labels, then {@link #step(double)}; returns the loss before the step. */
    public double trainStep(double[][] x, int[] labels, double lr) {
        double loss = backward(x, labels).loss();
        step(lr);
        return loss;
    }

    /** backward on target rows, then {@link #step(double)}; returns the loss before the step. */
    public double trainStep(double[][] x, double[][] targets, double lr) {
        double loss = backward(x, targets).loss();
        step(lr);
        return loss;
    }

    // ------------------------------------------------------------------------------------------------- helpers

    private void requireObjective(Objective o, String op) {
        if (objective != o) throw new IllegalStateException("ManualMlp." + op + " needs objective " + o + ", this network uses " + objective);
    }

    private int checkLayer(int i) {
        if (i < 0 || i >= weights.length) throw new IllegalArgumentException("ManualMlp: layer " + i + " out of range 0.." + (weights.length - 1));
        return i;
    }

    private static void checkRect(String what, double[][] a, int rows, int cols) {
        if (a == null || a.length != rows || rows == 0) {
            throw new IllegalArgumentException("ManualMlp: " + what + " must have " + (rows == 0 ? "at least one" : rows)
                    + " rows, got " + (a == null ? "null" : a.length));
        }
        for (int r = 0; r < a.length; r++) {
            if (a[r] == null || a[r].length != cols) {
                throw new IllegalArgumentException("ManualMlp: " + what + " row " + r + " must have " + cols + " entries, got "
                        + (a[r] == null ? "null" : a[r].length));
            }
        }
    }

    private static double sq(double v) {
        return v * v;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) c[i] = a[i].clone();
        return c;
    }

    private static double[][] matmul(double[][] a, double[][] b) {
        int n = a.length, k = b.length, p = b[0].length;
        double[][] c = new double[n][p];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < k; t++) {
                double v = a[i][t];
                for (int j = 0; j < p; j++) c[i][j] += v * b[t][j];
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) t[j][i] = a[i][j];
        return t;
    }

    private static double[] columnSums(double[][] a) {
        double[] s = new double[a[0].length];
        for (double[] row : a) for (int j = 0; j < row.length; j++) s[j] += row[j];
        return s;
    }
}
