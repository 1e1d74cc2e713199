package io.chainrule.nn;

import java.util.Locale;

/** Formatting helpers for {@link Module#extraRepr()}: numbers printed the way PyTorch (Python) prints them. */
final class Repr {
    private Repr() {}

    /** A boolean as Python writes it: {@code True}, {@code False}. */
    static String pyBool(boolean b) {
        return b ? "True" : "False";
    }

    /**
     * A double as Python's {@code repr} writes it: {@code 0.5}, {@code 1.0}, {@code 1e-05}, {@code 0.01}. Java's
     * shortest-round-trip digits are reused; only the layout (scientific below 1e-4 and from 1e16) follows Python.
     */
    static String pyFloat(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return (1 / v < 0) ? "-0.0" : "0.0";
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e16) {
            String s = new java.math.BigDecimal(Double.toString(v)).toPlainString();
            return s.contains(".") ? s : s + ".0";
        }
        String s = Double.toString(v).toLowerCase(Locale.ROOT); // e.g. 1.0e-5
        int e = s.indexOf('e');
        String mantissa = s.substring(0, e);
        if (mantissa.endsWith(".0")) mantissa = mantissa.substring(0, mantissa.length() - 2);
        int exp = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
    }
}
