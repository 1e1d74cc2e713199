package io.chainrule.nn;

import io.chainrule.Tensor;

import java.util.Map;

/**
 * A float64 reference for the recurrent layers: per-step loops over plain arrays, straight from the equations in
 * PyTorch's documentation of nn.RNN, nn.LSTM and nn.GRU. Shares nothing with the library but the parameter values.
 */
final class RecurrentReference {
    /** Output [seq][batch][hidden], final h and c [layers][batch][hidden] (c null unless LSTM). */
    record Result(double[][][] output, double[][][] h, double[][][] c) {}

    private RecurrentReference() {}

    /**
     * @param kind "tanh", "relu", "lstm" or "gru"
     * @param params the module's namedParameters (weight_ih_l0, ...)
     * @param x      [seq][batch][input], sequence-major
     * @param h0     [layers][batch][hidden] or null for zeros; likewise c0
     */
    static Result run(String kind, Map<String, Tensor> params, int layers, int hidden, double[][][] x, double[][][] h0,
                      double[][][] c0) {
        int seq = x.length, batch = x[0].length;
        double[][][] input = x;
        double[][][] hN = new double[layers][][], cN = new double[layers][][];
        for (int l = 0; l < layers; l++) {
            double[][] wih = matrix(params.get("weight_ih_l" + l)), whh = matrix(params.get("weight_hh_l" + l));
            double[] bih = params.get("bias_ih_l" + l).toDoubleArray(), bhh = params.get("bias_hh_l" + l).toDoubleArray();
            double[][] h = h0 == null ? new double[batch][hidden] : copy(h0[l]);
            double[][] c = c0 == null ? new double[batch][hidden] : copy(c0[l]);
            double[][][] out = new double[seq][][];
            for (int t = 0; t < seq; t++) {
                double[][][] next = step(kind, wih, whh, bih, bhh, input[t], h, c, hidden);
                h = next[0];
                c = next[1];
                out[t] = h;
            }
            hN[l] = h;
            cN[l] = c;
            input = out;
        }
        return new Result(input, hN, kind.equals("lstm") ? cN : null);
    }

    /** One step for a batch: returns {h', c'}. */
    static double[][][] step(String kind, double[][] wih, double[][] whh, double[] bih, double[] bhh, double[][] x,
                             double[][] h, double[][] c, int hidden) {
        int batch = x.length;
        double[][] hNext = new double[batch][hidden], cNext = new double[batch][hidden];
        for (int b = 0; b < batch; b++) {
            double[] gi = affine(wih, bih, x[b]), gh = affine(whh, bhh, h[b]);
            for (int j = 0; j < hidden; j++) {
                switch (kind) {
                    case "tanh" -> hNext[b][j] = Math.tanh(gi[j] + gh[j]);
                    case "relu" -> hNext[b][j] = Math.max(0, gi[j] + gh[j]);
                    case "lstm" -> {
                        double i = sigmoid(gi[j] + gh[j]);
                        double f = sigmoid(gi[hidden + j] + gh[hidden + j]);
                        double g = Math.tanh(gi[2 * hidden + j] + gh[2 * hidden + j]);
                        double o = sigmoid(gi[3 * hidden + j] + gh[3 * hidden + j]);
                        cNext[b][j] = f * c[b][j] + i * g;
                        hNext[b][j] = o * Math.tanh(cNext[b][j]);
                    }
                    case "gru" -> {
                        double r = sigmoid(gi[j] + gh[j]);
                        double z = sigmoid(gi[hidden + j] + gh[hidden + j]);
                        double n = Math.tanh(gi[2 * hidden + j] + r * gh[2 * hidden + j]);
                        hNext[b][j] = (1 - z) * n + z * h[b][j];
                    }
                    default -> throw new IllegalArgumentException(kind);
                }
            }
        }
        return new double[][][] {hNext, cNext};
    }

    /** W·v + b. */
    private static double[] affine(double[][] w, double[] b, double[] v) {
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            double s = b[i];
            for (int k = 0; k < v.length; k++) s += w[i][k] * v[k];
            out[i] = s;
        }
        return out;
    }

    private static double sigmoid(double v) {
        return 1 / (1 + Math.exp(-v));
    }

    static double[][] matrix(Tensor t) {
        int rows = t.size(0), cols = t.size(1);
        double[] flat = t.toDoubleArray();
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) System.arraycopy(flat, i * cols, m[i], 0, cols);
        return m;
    }

    private static double[][] copy(double[][] a) {
        double[][] out = new double[a.length][];
        for (int i = 0; i < a.length; i++) out[i] = a[i].clone();
        return out;
    }

    /** A [d0][d1][d2] array as a flat row-major array. */
    static double[] flatten(double[][][] a) {
        int d0 = a.length, d1 = a[0].length, d2 = a[0][0].length;
        double[] out = new double[d0 * d1 * d2];
        for (int i = 0; i < d0; i++) for (int j = 0; j < d1; j++) System.arraycopy(a[i][j], 0, out, (i * d1 + j) * d2, d2);
        return out;
    }

    /** A flat row-major [d0, d1, d2] array as nested arrays. */
    static double[][][] nest(double[] flat, int d0, int d1, int d2) {
        double[][][] out = new double[d0][d1][d2];
        for (int i = 0; i < d0; i++) for (int j = 0; j < d1; j++) System.arraycopy(flat, (i * d1 + j) * d2, out[i][j], 0, d2);
        return out;
    }

    /** Swaps the first two dimensions. */
    static double[][][] swap01(double[][][] a) {
        double[][][] out = new double[a[0].length][a.length][];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[0].length; j++) out[j][i] = a[i][j];
        return out;
    }
}
