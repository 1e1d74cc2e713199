package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * PyTorch's default initialisation of convolution weights and biases: kaiming_uniform with a = √5 gives
 * U(−1/√fan_in, 1/√fan_in), and the bias is drawn from the same range.
 */
final class DefaultInit {
    private DefaultInit() {}

    /** 1/√fanIn, PyTorch's bound for both weight and bias (0 when fanIn is 0, as PyTorch). */
    static double bound(long fanIn) {
        return fanIn > 0 ? 1.0 / Math.sqrt(fanIn) : 0.0;
    }

    /** Uniform samples in [−bound, bound) from the default generator. */
    static Tensor uniform(double bound, int... shape) {
        return Tensor.rand(shape).mul(2 * bound).sub(bound);
    }

    /** "(3, 3)" or "(3,)": a Python tuple, as PyTorch prints sizes. */
    static String tuple(int... v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? ", " : "").append(v[i]);
        return sb.append(v.length == 1 ? ",)" : ")").toString();
    }

    /** A double as Python's repr prints it (1e-05, 0.1, 1.0), for extraRepr strings that match PyTorch's. */
    static String pyFloat(double v) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        if (v == 0) return 1 / v < 0 ? "-0.0" : "0.0";
        java.math.BigDecimal d = new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = d.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String digits = d.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (v < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }
}
