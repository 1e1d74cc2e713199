package io.chainrule.autograd;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Checks autograd against central finite differences in float64, like {@code torch.autograd.gradcheck}.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(3, 4).to(DType.FLOAT64).requiresGrad(true);
 * GradCheck.check(in -> in.get(0).tanh().sum(), List.of(x));
 * }</pre>
 *
 * <p>Inputs that require grad are checked; others are constants. Float32 inputs are checked through float64 copies.
 * Each output element's gradient row comes from one backward pass and each input element's column from two forward
 * passes, so it suits tensors of up to about a thousand elements.
 */
public final class GradCheck {
    /** PyTorch's defaults. */
    public static final double EPS = 1e-6, ATOL = 1e-5, RTOL = 1e-3;

    private GradCheck() {}

    /** Thrown when autograd and finite differences disagree. */
    public static final class GradCheckException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        GradCheckException(String message) {
            super(message);
        }
    }

    /** Checks with eps 1e-6, atol 1e-5, rtol 1e-3; returns true or throws {@link GradCheckException}. */
    public static <T extends Differentiable<T>> boolean check(Function<List<T>, T> f, List<T> inputs) {
        return check(f, inputs, EPS, ATOL, RTOL);
    }

    /**
     * Checks every entry of the Jacobian: |analytical − numerical| ≤ atol + rtol·|numerical|. Returns true, or
     * throws naming the worst entry: the input index, the element, both values.
     */
    public static <T extends Differentiable<T>> boolean check(Function<List<T>, T> f, List<T> inputs, double eps,
                                                              double atol, double rtol) {
        List<T> xs = toFloat64Leaves(inputs);
        T out = f.apply(xs);
        int m = out.numel();
        double[][][] analytical = new double[xs.size()][][];
        List<Integer> diff = new ArrayList<>();
        List<T> diffInputs = new ArrayList<>();
        for (int i = 0; i < xs.size(); i++) {
            if (xs.get(i).requiresGrad()) {
                diff.add(i);
                diffInputs.add(xs.get(i));
                analytical[i] = new double[m][];
            }
        }
        if (diff.isEmpty()) throw new IllegalArgumentException("GradCheck: no input requires grad");
        if (!out.requiresGrad()) {
            for (int i : diff) for (int j = 0; j < m; j++) analytical[i][j] = new double[xs.get(i).numel()];
        } else {
            for (int j = 0; j < m; j++) {
                double[] seed = new double[m];
                seed[j] = 1;
                T gradOut = out.withValues(seed);
                List<T> grads = gradsAllowingUnused(out, diffInputs, gradOut);
                for (int k = 0; k < diff.size(); k++) analytical[diff.get(k)][j] = grads.get(k).toDoubleArray();
            }
        }
        Worst worst = new Worst();
        for (int i : diff) {
            T x = xs.get(i);
            int n = x.numel();
            for (int e = 0; e < n; e++) {
                double[] plus = evalPerturbed(f, xs, x, e, eps);
                double[] minus = evalPerturbed(f, xs, x, e, -eps);
                for (int j = 0; j < m; j++) {
                    double numerical = (plus[j] - minus[j]) / (2 * eps);
                    double a = analytical[i][j][e];
                    double excess = Math.abs(a - numerical) - (atol + rtol * Math.abs(numerical));
                    if (!(excess <= 0) && (worst.input < 0 || !(excess <= worst.excess))) {
                        worst.set(excess, i, e, j, a, numerical, x.shape(), m);
                    }
                }
            }
        }
        if (worst.input >= 0) throw new GradCheckException(worst.describe(atol, rtol));
        return true;
    }

    /**
     * Checks second derivatives (like {@code torch.autograd.gradgradcheck}): the gradients of f, taken with
     * createGraph against a fixed random gradOutput, must themselves pass {@link #check}.
     */
    public static <T extends Differentiable<T>> boolean gradGradCheck(Function<List<T>, T> f, List<T> inputs) {
        return gradGradCheck(f, inputs, EPS, ATOL, RTOL);
    }

    /** {@link #gradGradCheck(Function, List)} with the given eps, atol and rtol. */
    public static <T extends Differentiable<T>> boolean gradGradCheck(Function<List<T>, T> f, List<T> inputs,
                                                                      double eps, double atol, double rtol) {
        List<T> xs = toFloat64Leaves(inputs);
        T v = f.apply(xs).randomNormal(0);
        Function<List<T>, T> gradient = in -> {
            T out = f.apply(in);
            List<T> diffInputs = new ArrayList<>();
            for (T t : in) if (t.requiresGrad()) diffInputs.add(t);
            T seed = v.dtype() == out.dtype() ? v : v.fitTo(v.shape(), out.dtype());
            List<T> grads = Autograd.grad(List.of(out), diffInputs, List.of(seed), true, true);
            return grads.get(0).flatJoin(grads);
        };
        return check(gradient, xs, eps, atol, rtol);
    }

    private static <T extends Differentiable<T>> List<T> gradsAllowingUnused(T out, List<T> inputs, T gradOut) {
        List<T> result = new ArrayList<>();
        for (T in : inputs) {
            try {
                result.add(Autograd.grad(List.of(out), List.of(in), List.of(gradOut), true, false).get(0));
            } catch (IllegalStateException unused) {
                if (!String.valueOf(unused.getMessage()).contains("was not used")) throw unused;
                result.add(in.withValues(new double[in.numel()]));
            }
        }
        return result;
    }

    private static <T extends Differentiable<T>> List<T> toFloat64Leaves(List<T> inputs) {
        List<T> xs = new ArrayList<>();
        // Private contiguous copies: perturbing one in place must reach every element, never the caller's tensor.
        for (T t : inputs) xs.add(t.float64Copy());
        return xs;
    }

    /**
     * f with element e of x shifted by delta (restored afterwards), as a flat double array. f runs in grad mode:
     * for gradGradCheck, f itself differentiates.
     */
    private static <T extends Differentiable<T>> double[] evalPerturbed(Function<List<T>, T> f, List<T> xs, T x, int e,
                                                                        double delta) {
        double original = x.element(e);
        try {
            x.setElement(e, original + delta);
            return f.apply(xs).toDoubleArray();
        } finally {
            x.setElement(e, original);
        }
    }

    private static final class Worst {
        double excess;
        int input = -1, element, output, outputs;
        double analytical, numerical;
        int[] shape;

        void set(double excess, int input, int element, int output, double a, double n, int[] shape, int outputs) {
            this.excess = excess;
            this.input = input;
            this.element = element;
            this.output = output;
            this.analytical = a;
            this.numerical = n;
            this.shape = shape;
            this.outputs = outputs;
        }

        String describe(double atol, double rtol) {
            return "GradCheck: Jacobian mismatch for input " + input + " (shape " + Arrays.toString(shape) + "), element "
                    + element + ", output element " + output + " of " + outputs + ": analytical " + analytical
                    + " vs numerical " + numerical + " (|diff| " + Math.abs(analytical - numerical) + " > atol " + atol
                    + " + rtol " + rtol + " * |numerical|)";
        }
    }
}
