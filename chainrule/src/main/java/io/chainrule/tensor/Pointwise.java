package io.chainrule.tensor;

// Each op is a switch case around its own loop so the JIT compiles one tight loop per op (no per-element dispatch).

/** Elementwise kernels on flat arrays: unary maps, broadcasting binary ops and comparisons. */
public final class Pointwise {
    /** Rows shorter than this stay scalar: the vector set-up would not pay. */
    private static final int SIMD_MIN = 32;

    private Pointwise() {}

    /** Elementwise unary functions; {@code p} and {@code q} are the op's scalar parameters where it has them. */
    public enum Unary { NEG, EXP, LOG, SQRT, ABS, SIN, COS, TANH, SIGMOID, RELU, LEAKY_RELU, GELU, ERF, CLAMP, POW, SQUARE, RECIPROCAL, SIGN }

    /**
     * Elementwise binary arithmetic (NaN-propagating maximum and minimum, as in PyTorch). {@code RELU_GRAD} is relu's
     * backward, {@code b <= 0 ? 0 : a} with a the gradient and b relu's output (PyTorch's threshold_backward: a NaN
     * output passes the gradient, as relu passes a NaN input).
     */
    public enum Binary { ADD, SUB, MUL, DIV, POW, MAXIMUM, MINIMUM, RELU_GRAD }

    /** Elementwise comparisons producing booleans. */
    public enum Compare { EQ, NE, GT, GE, LT, LE }

    /** {@link #unary} on arrays that are both float[] or both double[]. */
    public static void unary(Unary op, double p, double q, Object xs, int xo, Object ys, int yo, int n) {
        if (xs instanceof float[] xf) unary(op, p, q, xf, xo, (float[]) ys, yo, n);
        else unary(op, p, q, (double[]) xs, xo, (double[]) ys, yo, n);
    }

    /** {@link #binaryRow} on arrays that are all float[] or all double[]. */
    public static void binaryRow(Binary op, Object a, int ao, int as, Object b, int bo, int bs, Object o, int oo, int n) {
        if (o instanceof float[] of) binaryRow(op, (float[]) a, ao, as, (float[]) b, bo, bs, of, oo, n);
        else binaryRow(op, (double[]) a, ao, as, (double[]) b, bo, bs, (double[]) o, oo, n);
    }


    /** {@code y[yo..yo+n) = op(x[xo..xo+n))}. */
    public static void unary(Unary op, double p, double q, float[] xs, int xo, float[] ys, int yo, int n) {
        if (Simd.ENABLED && n >= SIMD_MIN && SimdPointwise.handlesFloat(op)) {
            int done = SimdPointwise.unary(op, xs, xo, ys, yo, n);
            xo += done;
            yo += done;
            n -= done;
        }
        float fp = (float) p, fq = (float) q;
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = -x; } }
            case EXP -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) Math.exp(x); } }
            case LOG -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) Math.log(x); } }
            case SQRT -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) Math.sqrt(x); } }
            case ABS -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = Math.abs(x); } }
            case SIN -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) Math.sin(x); } }
            case COS -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) Math.cos(x); } }
            case TANH -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = MathFns.tanh(x); } }
            case SIGMOID -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = MathFns.sigmoid(x); } }
            case RELU -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = x <= 0 ? 0f : x; } }
            case LEAKY_RELU -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = x > 0 ? x : x * fp; } }
            case GELU -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) MathFns.gelu(x); } }
            case ERF -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) MathFns.erf(x); } }
            case CLAMP -> { for (int i = 0; i < n; i++) { float x = xs[xo + i], t = x < fp ? fp : x; ys[yo + i] = t > fq ? fq : t; } }
            case POW -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = (float) Math.pow(x, p); } }
            case SQUARE -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = x * x; } }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = 1f / x; } }
            case SIGN -> { for (int i = 0; i < n; i++) { float x = xs[xo + i]; ys[yo + i] = x > 0 ? 1f : (x < 0 ? -1f : 0f); } }
        }
    }

    /** One row: {@code o[oo+i] = op(a[ao+i*as], b[bo+i*bs])} for i in [0, n). */
    public static void binaryRow(Binary op, float[] a, int ao, int as, float[] b, int bo, int bs, float[] o, int oo, int n) {
        if (Simd.ENABLED && n >= SIMD_MIN && SimdPointwise.handles(op, as, bs)) {
            int done = SimdPointwise.binaryRow(op, a, ao, as, b, bo, bs, o, oo, n);
            if (done == n) return;
            ao += done * as;
            bo += done * bs;
            oo += done;
            n -= done;
        }
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = x + y; } }
                case SUB -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = x - y; } }
                case MUL -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = x * y; } }
                case DIV -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = x / y; } }
                case POW -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = (float) Math.pow(x, y); } }
                case MAXIMUM -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.max(x, y); } }
                case MINIMUM -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.min(x, y); } }
                case RELU_GRAD -> { for (int i = 0; i < n; i++) { float x = a[ao + i], y = b[bo + i]; o[oo + i] = y <= 0 ? 0f : x; } }
            }
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x + y; } }
            case SUB -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x - y; } }
            case MUL -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x * y; } }
            case DIV -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x / y; } }
            case POW -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = (float) Math.pow(x, y); } }
            case MAXIMUM -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.max(x, y); } }
            case MINIMUM -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.min(x, y); } }
            case RELU_GRAD -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = y <= 0 ? 0f : x; } }
        }
    }

    /** One row of comparisons: {@code o[oo+i] = a[ao+i*as] op b[bo+i*bs]}. */
    public static void compareRow(Compare op, float[] a, int ao, int as, float[] b, int bo, int bs, boolean[] o, int oo, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x == y; } }
            case NE -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x != y; } }
            case GT -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x > y; } }
            case GE -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x >= y; } }
            case LT -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x < y; } }
            case LE -> { for (int i = 0; i < n; i++) { float x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x <= y; } }
        }
    }

    /** {@code y[yo..yo+n) = op(x[xo..xo+n))}. */
    public static void unary(Unary op, double p, double q, double[] xs, int xo, double[] ys, int yo, int n) {
        if (Simd.ENABLED && n >= SIMD_MIN && SimdPointwise.handles(op)) {
            int done = SimdPointwise.unary(op, xs, xo, ys, yo, n);
            xo += done;
            yo += done;
            n -= done;
        }
        
        switch (op) {
            case NEG -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = -x; } }
            case EXP -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.exp(x); } }
            case LOG -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.log(x); } }
            case SQRT -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.sqrt(x); } }
            case ABS -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.abs(x); } }
            case SIN -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.sin(x); } }
            case COS -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.cos(x); } }
            case TANH -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.tanh(x); } }
            case SIGMOID -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = MathFns.sigmoid(x); } }
            case RELU -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x <= 0 ? 0d : x; } }
            case LEAKY_RELU -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x > 0 ? x : x * p; } }
            case GELU -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = MathFns.gelu(x); } }
            case ERF -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = MathFns.erf(x); } }
            case CLAMP -> { for (int i = 0; i < n; i++) { double x = xs[xo + i], t = x < p ? p : x; ys[yo + i] = t > q ? q : t; } }
            case POW -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = Math.pow(x, p); } }
            case SQUARE -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x * x; } }
            case RECIPROCAL -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = 1d / x; } }
            case SIGN -> { for (int i = 0; i < n; i++) { double x = xs[xo + i]; ys[yo + i] = x > 0 ? 1d : (x < 0 ? -1d : 0d); } }
        }
    }

    /** One row: {@code o[oo+i] = op(a[ao+i*as], b[bo+i*bs])} for i in [0, n). */
    public static void binaryRow(Binary op, double[] a, int ao, int as, double[] b, int bo, int bs, double[] o, int oo, int n) {
        if (Simd.ENABLED && n >= SIMD_MIN && SimdPointwise.handles(op, as, bs)) {
            int done = SimdPointwise.binaryRow(op, a, ao, as, b, bo, bs, o, oo, n);
            if (done == n) return;
            ao += done * as;
            bo += done * bs;
            oo += done;
            n -= done;
        }
        if (as == 1 && bs == 1) {
            switch (op) {
                case ADD -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x + y; } }
                case SUB -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x - y; } }
                case MUL -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x * y; } }
                case DIV -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = x / y; } }
                case POW -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.pow(x, y); } }
                case MAXIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.max(x, y); } }
                case MINIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = Math.min(x, y); } }
                case RELU_GRAD -> { for (int i = 0; i < n; i++) { double x = a[ao + i], y = b[bo + i]; o[oo + i] = y <= 0 ? 0d : x; } }
            }
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x + y; } }
            case SUB -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x - y; } }
            case MUL -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x * y; } }
            case DIV -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x / y; } }
            case POW -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.pow(x, y); } }
            case MAXIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.max(x, y); } }
            case MINIMUM -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = Math.min(x, y); } }
            case RELU_GRAD -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = y <= 0 ? 0d : x; } }
        }
    }

    /** One row of comparisons: {@code o[oo+i] = a[ao+i*as] op b[bo+i*bs]}. */
    public static void compareRow(Compare op, double[] a, int ao, int as, double[] b, int bo, int bs, boolean[] o, int oo, int n) {
        switch (op) {
            case EQ -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x == y; } }
            case NE -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x != y; } }
            case GT -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x > y; } }
            case GE -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x >= y; } }
            case LT -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x < y; } }
            case LE -> { for (int i = 0; i < n; i++) { double x = a[ao + i * as], y = b[bo + i * bs]; o[oo + i] = x <= y; } }
        }
    }

    /**
     * {@code dst[d+i] += src[s+i]} for i in [0, n): the short rows of col2im, vectorized from a single vector up (the
     * JIT leaves it scalar when it cannot prove the arrays distinct). Same IEEE add per element either way.
     */
    public static void accumulateRow(float[] dst, int d, float[] src, int s, int n) {
        int done = Simd.ENABLED ? SimdPointwise.accumulateRow(dst, d, src, s, n) : 0;
        for (int i = done; i < n; i++) dst[d + i] += src[s + i];
    }

    public static void accumulateRow(double[] dst, int d, double[] src, int s, int n) {
        int done = Simd.ENABLED ? SimdPointwise.accumulateRow(dst, d, src, s, n) : 0;
        for (int i = done; i < n; i++) dst[d + i] += src[s + i];
    }

    /** {@code dst[d+i] += x·src[s+i]} for i in [0, n): a product rounded, then a sum rounded (no fused multiply-add). */
    static void axpyRow(float x, float[] src, int s, float[] dst, int d, int n) {
        int done = Simd.ENABLED ? SimdPointwise.axpyRow(x, src, s, dst, d, n) : 0;
        for (int i = done; i < n; i++) dst[d + i] += x * src[s + i];
    }

    /** {@code dst[d+i] += x·src[s+i]} for i in [0, n): a product rounded, then a sum rounded (no fused multiply-add). */
    static void axpyRow(double x, double[] src, int s, double[] dst, int d, int n) {
        int done = Simd.ENABLED ? SimdPointwise.axpyRow(x, src, s, dst, d, n) : 0;
        for (int i = done; i < n; i++) dst[d + i] += x * src[s + i];
    }
}
