package io.chainrule;

import io.chainrule.tensor.Loops;

import java.util.Arrays;
import java.util.Locale;

/** PyTorch-like printing: values (elided past 1000 elements), then shape, dtype and grad_fn. */
final class Format {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private Format() {}

    static String format(Tensor t) {
        Tensor c = t.contiguousRaw();
        boolean elide = t.numel() > THRESHOLD;
        String[] cells = new String[0];
        Style style = Style.of(c, elide);
        StringBuilder sb = new StringBuilder("tensor(");
        appendDim(sb, c, 0, 0, style, elide, "tensor(".length());
        sb.append(", shape=").append(Arrays.toString(t.shape)).append(", dtype=").append(t.dtype);
        if (t.gradFn() != null) sb.append(", grad_fn=<").append(t.gradFn()).append('>');
        else if (t.requiresGrad()) sb.append(", requires_grad=true");
        return sb.append(')').toString();
    }

    private static void appendDim(StringBuilder sb, Tensor c, int dim, int base, Style style, boolean elide, int indent) {
        if (c.shape.length == 0) {
            sb.append(style.cell(Loops.read(c.data(), c.offset)));
            return;
        }
        int n = c.shape[dim];
        int stride = c.strides[dim];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (elide && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == c.shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + dim + 1));
                i = n - EDGE;
            }
            if (dim == c.shape.length - 1) {
                sb.append(style.cell(Loops.read(c.data(), c.offset + base + i * stride)));
                if (i < n - 1) sb.append(", ");
            } else {
                appendDim(sb, c, dim + 1, base + i * stride, style, elide, indent);
                if (i < n - 1) sb.append(",").append("\n".repeat(c.shape.length - dim - 1)).append(" ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }

    /** How numbers are written: integers plainly, floats with 4 decimals or in scientific notation. */
    private record Style(DType dtype, boolean scientific, boolean integral) {
        static Style of(Tensor c, boolean elide) {
            if (!c.dtype.isFloatingPoint()) return new Style(c.dtype, false, true);
            double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
            boolean integral = true;
            int n = c.numel();
            for (int i = 0; i < n; i++) {
                double v = Loops.read(c.data(), c.offset + i);
                if (!Double.isFinite(v)) continue;
                double a = Math.abs(v);
                maxAbs = Math.max(maxAbs, a);
                if (a > 0) minAbs = Math.min(minAbs, a);
                if (v != Math.rint(v)) integral = false;
            }
            boolean sci = maxAbs >= 1e8 || (minAbs < 1e-4 && minAbs > 0) || (maxAbs / minAbs > 1e3 && !integral && maxAbs > 1e3);
            return new Style(c.dtype, sci, integral && maxAbs < 1e8);
        }

        String cell(double v) {
            if (dtype == DType.BOOL) return v != 0 ? "true" : "false";
            if (!dtype.isFloatingPoint()) return Long.toString((long) v);
            if (Double.isNaN(v)) return "nan";
            if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
            if (scientific) return String.format(Locale.ROOT, "%.4e", v);
            if (integral) return String.format(Locale.ROOT, "%.0f.", v);
            return String.format(Locale.ROOT, "%.4f", v);
        }
    }
}
