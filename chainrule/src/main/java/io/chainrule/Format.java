package io.chainrule;

import io.chainrule.tensor.Loops;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.DoubleFunction;

/** PyTorch-like printing: values (elided past 1000 elements), then shape, dtype and grad_fn. */
final class Format {
    private static final int THRESHOLD = 1000;
    private static final int EDGE = 3;

    private Format() {}

    static String format(Tensor t) {
        if (t.numel() == 0 && t.shape.length > 1) {
            // PyTorch prints an empty tensor of any shape as [] (walking [65536, 65536, 0] would take 2³² steps)
            return suffix(new StringBuilder("tensor([]"), t);
        }
        Tensor c = t.contiguousRaw();
        boolean elide = t.numel() > THRESHOLD;
        // The style comes from the values shown (PyTorch's rule), then cells are right-aligned to the widest one.
        double[] shown = new double[Math.min(c.numel(), 8 * THRESHOLD)];
        int[] count = {0};
        appendDim(new StringBuilder(), c, 0, 0, v -> {
            if (count[0] < shown.length) shown[count[0]++] = v;
            return "";
        }, elide, 0);
        Style style = Style.of(c.dtype, Arrays.copyOf(shown, count[0]));
        int[] width = {0};
        appendDim(new StringBuilder(), c, 0, 0, cell -> {
            String s = style.cell(cell);
            width[0] = Math.max(width[0], s.length());
            return s;
        }, elide, 0);
        StringBuilder sb = new StringBuilder("tensor(");
        appendDim(sb, c, 0, 0, cell -> pad(style.cell(cell), width[0]), elide, "tensor(".length());
        return suffix(sb, t);
    }

    /** Shape, dtype and grad_fn after the values, and the closing parenthesis. */
    private static String suffix(StringBuilder sb, Tensor t) {
        sb.append(", shape=").append(Arrays.toString(t.shape)).append(", dtype=").append(t.dtype);
        if (t.gradFn() != null) sb.append(", grad_fn=<").append(t.gradFn()).append('>');
        else if (t.requiresGrad()) sb.append(", requires_grad=true");
        return sb.append(')').toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }

    /** Writes dimension {@code dim} of the contiguous {@code c} from element {@code base}, cells through {@code cells}. */
    private static void appendDim(StringBuilder sb, Tensor c, int dim, int base, DoubleFunction<String> cells, boolean elide,
                                  int indent) {
        if (c.shape.length == 0) {
            sb.append(cells.apply(Loops.read(c.data(), c.offset)));
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
                sb.append(cells.apply(Loops.read(c.data(), c.offset + base + i * stride)));
                if (i < n - 1) sb.append(", ");
            } else {
                appendDim(sb, c, dim + 1, base + i * stride, cells, elide, indent);
                if (i < n - 1) sb.append(",").append("\n".repeat(c.shape.length - dim - 1)).append(" ".repeat(indent + dim + 1));
            }
        }
        sb.append(']');
    }

    /** How numbers are written: integers plainly, floats with 4 decimals or in scientific notation. */
    private record Style(DType dtype, boolean scientific, boolean integral) {
        /** PyTorch's choice: scientific when the non-zero finite magnitudes span more than 1e3, pass 1e8 or go below 1e-4. */
        static Style of(DType dtype, double[] values) {
            if (!dtype.isFloatingPoint()) return new Style(dtype, false, true);
            double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
            boolean integral = true;
            for (double v : values) {
                if (!Double.isFinite(v)) continue;
                double a = Math.abs(v);
                if (a > 0) {
                    maxAbs = Math.max(maxAbs, a);
                    minAbs = Math.min(minAbs, a);
                }
                if (v != Math.rint(v)) integral = false;
            }
            boolean sci = maxAbs > 0 && (maxAbs / minAbs > 1e3 || maxAbs > 1e8 || (!integral && minAbs < 1e-4));
            return new Style(dtype, sci, integral);
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
