package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.Arrays;
import java.util.Locale;

/** Number and tensor formatting for people: fixed locale, short, the same on every machine. */
public final class HumanFormat {
    private HumanFormat() {}

    /** {@code %.4f} style for numbers of ordinary size, scientific for tiny or huge ones. */
    public static String num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return Double.toString(v);
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) return String.format(Locale.ROOT, "%.3e", v);
        return String.format(Locale.ROOT, "%.4f", v);
    }

    /** Fixed-point with {@code digits} decimals: {@code fixed(0.58309, 6)} is {@code 0.583090}. */
    public static String fixed(double v, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", v);
    }

    /** A difference or tolerance: always scientific, {@code 1.2e-07}. */
    public static String sci(double v) {
        return String.format(Locale.ROOT, "%.1e", v);
    }

    /** {@code [1, 10]}, or {@code scalar} for shape {@code []}. */
    public static String shape(int[] shape) {
        if (shape == null) return "?";
        return shape.length == 0 ? "scalar" : Arrays.toString(shape);
    }

    /** True when {@code t} is small enough to print in full inside a graph node. */
    public static boolean small(Tensor t, int maxElements) {
        return t != null && t.numel() <= maxElements;
    }

    /**
     * The values of a small tensor ({@code 0.5831}, {@code [0.1, -0.2]}, {@code [[1, 2], [3, 4]]}); for a larger one
     * its shape and L2 norm.
     */
    public static String tensor(Tensor t, int maxElements) {
        if (t == null) return "?";
        if (t.numel() > maxElements) {
            double norm = t.dtype().isFloatingPoint() ? t.detach().to(DType.FLOAT64).norm().item() : Double.NaN;
            return shape(t.shape()) + " ‖·‖=" + num(norm);
        }
        if (!t.dtype().isFloatingPoint()) {
            long[] l = t.detach().to(DType.INT64).contiguous().toLongArray();
            return t.dim() == 0 ? Long.toString(l[0]) : Arrays.toString(l);
        }
        double[] v = t.detach().to(DType.FLOAT64).contiguous().toDoubleArray();
        int[] s = t.shape();
        if (s.length == 0 || v.length == 1) return num(v[0]);
        StringBuilder sb = new StringBuilder();
        if (s.length == 2 && s[0] > 1 && s[1] > 1) {
            sb.append('[');
            for (int i = 0; i < s[0]; i++) {
                if (i > 0) sb.append(", ");
                sb.append('[');
                for (int j = 0; j < s[1]; j++) {
                    if (j > 0) sb.append(", ");
                    sb.append(num(v[i * s[1] + j]));
                }
                sb.append(']');
            }
            return sb.append(']').toString();
        }
        sb.append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) sb.append(", ");
            sb.append(num(v[i]));
        }
        return sb.append(']').toString();
    }

    /** A row of numbers with a fixed width each, for tables. */
    public static String row(double[] v, int width) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) sb.append(String.format(Locale.ROOT, "%" + width + "s", num(x)));
        return sb.toString();
    }
}
