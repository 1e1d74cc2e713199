package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.F;
import io.chainrule.nn.Module;

/**
 * Loss, accuracy, top-k accuracy and confusion counts of a model on a data set (no graph, eval mode).
 *
 * @param topK        the k of {@code topKAccuracy}
 * @param topKAccuracy the fraction of examples whose true class is among the k highest logits
 */
public record Evaluation(double loss, double accuracy, long[][] confusion, long examples, int topK, double topKAccuracy) {
    /** Default k of the top-k accuracy. */
    public static final int DEFAULT_TOP_K = 5;

    /** Precision of each predicted class: of the examples predicted as it, the fraction truly it (NaN: none predicted). */
    public double[] precision() {
        double[] p = new double[confusion.length];
        for (int j = 0; j < p.length; j++) {
            long col = 0;
            for (long[] row : confusion) col += row[j];
            p[j] = col == 0 ? Double.NaN : (double) confusion[j][j] / col;
        }
        return p;
    }

    /** Recall of each class: of its examples, the fraction predicted as it (the per-class accuracy). */
    public double[] recall() {
        return perClass();
    }

    /** F1 of each class: the harmonic mean of precision and recall (0 when both are 0; NaN when either is undefined). */
    public double[] f1() {
        double[] p = precision(), r = recall(), f = new double[p.length];
        for (int i = 0; i < f.length; i++) f[i] = p[i] + r[i] == 0 ? 0 : 2 * p[i] * r[i] / (p[i] + r[i]);
        return f;
    }

    /** The unweighted mean over the classes where the value is defined (scikit-learn's macro average). */
    public static double macro(double[] v) {
        double sum = 0;
        int n = 0;
        for (double x : v) {
            if (!Double.isNaN(x)) {
                sum += x;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Accuracy of each true class (NaN for a class with no examples). */
    public double[] perClass() {
        double[] a = new double[confusion.length];
        for (int i = 0; i < a.length; i++) {
            long row = 0;
            for (long v : confusion[i]) row += v;
            a[i] = row == 0 ? Double.NaN : (double) confusion[i][i] / row;
        }
        return a;
    }

    /** Evaluates {@code model} on {@code data} in batches; restores train mode when it was on. */
    public static Evaluation of(Module model, Labeled data, int classes) {
        return of(model, data, classes, Math.min(DEFAULT_TOP_K, classes));
    }

    /** Like {@link #of(Module, Labeled, int)}, counting the true class among the {@code k} highest logits too. */
    public static Evaluation of(Module model, Labeled data, int classes, int k) {
        if (k < 1 || k > classes) throw new IllegalArgumentException("top-k: k must be between 1 and " + classes + ", got " + k);
        long inTopK = 0;
        boolean wasTraining = model.isTraining();
        model.eval();
        long[][] confusion = new long[classes][classes];
        double lossSum = 0;
        long correct = 0;
        Tensor x = data.x();
        Tensor y = data.y();
        int n = x.shape()[0];
        int batch = 1000;
        try (var g = Autograd.noGrad()) {
            for (int start = 0; start < n; start += batch) {
                int len = Math.min(batch, n - start);
                Tensor xb = x.narrow(0, start, len).to(Models.elementType(model)); // a float64 run's model
                Tensor yb = y.narrow(0, start, len);
                Tensor logits = model.forward(xb);
                if (logits.dim() != 2 || logits.shape()[1] != classes) {
                    throw new IllegalArgumentException("the model outputs shape " + java.util.Arrays.toString(logits.shape())
                            + " but the data has " + classes + " classes");
                }
                lossSum += F.crossEntropy(logits, yb).item() * len;
                long[] pred = logits.argmax(1, false).toLongArray();
                long[] truth = yb.toLongArray();
                inTopK += countInTopK(logits, truth, classes, k);
                for (int i = 0; i < len; i++) {
                    if (truth[i] < 0 || truth[i] >= classes) {
                        throw new IllegalArgumentException("label " + truth[i] + " at example " + (start + i)
                                + " is outside the model's " + classes + " classes");
                    }
                    confusion[(int) truth[i]][(int) pred[i]]++;
                    if (pred[i] == truth[i]) correct++;
                }
            }
        } finally {
            if (wasTraining) model.train();
        }
        return new Evaluation(lossSum / Math.max(1, n), (double) correct / Math.max(1, n), confusion, n, k,
                (double) inTopK / Math.max(1, n));
    }

    /** How many rows have their true class among their k largest logits (ties counted against it: strictly fewer). */
    private static long countInTopK(Tensor logits, long[] truth, int classes, int k) {
        double[] v = logits.to(io.chainrule.DType.FLOAT64).contiguous().toDoubleArray();
        long count = 0;
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes) continue; // reported below as an error
            double own = v[i * classes + (int) truth[i]];
            int above = 0;
            for (int c = 0; c < classes; c++) if (v[i * classes + c] > own) above++;
            if (above < k) count++;
        }
        return count;
    }
}
