package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.F;
import io.chainrule.nn.Module;

/** Loss, accuracy and confusion counts of a model on a data set (no graph, eval mode). */
public record Evaluation(double loss, double accuracy, long[][] confusion, long examples) {
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
                Tensor xb = x.narrow(0, start, len);
                Tensor yb = y.narrow(0, start, len);
                Tensor logits = model.forward(xb);
                if (logits.dim() != 2 || logits.shape()[1] != classes) {
                    throw new IllegalArgumentException("the model outputs shape " + java.util.Arrays.toString(logits.shape())
                            + " but the data has " + classes + " classes");
                }
                lossSum += F.crossEntropy(logits, yb).item() * len;
                long[] pred = logits.argmax(1, false).toLongArray();
                long[] truth = yb.toLongArray();
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
        return new Evaluation(lossSum / Math.max(1, n), (double) correct / Math.max(1, n), confusion, n);
    }
}
