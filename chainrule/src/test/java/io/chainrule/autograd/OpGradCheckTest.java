package io.chainrule.autograd;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GradCheck#check} on every differentiable op over small random float64 inputs (broadcasting shapes,
 * negative dims, both keepDim forms, transposed views), and {@link GradCheck#gradGradCheck} on the smooth ones.
 * Inputs sit away from kinks and ties so central differences are valid there.
 */
class OpGradCheckTest {

    /** Makes one input from a generator. */
    @FunctionalInterface
    interface In {
        Tensor make(Generator g);
    }

    /** One gradcheck case: a function of the inputs and how to draw them. */
    record Case(String name, Function<List<Tensor>, Tensor> f, In[] inputs) {
        List<Tensor> draw() {
            Generator g = new Generator(name.hashCode());
            List<Tensor> xs = new ArrayList<>();
            for (In in : inputs) xs.add(in.make(g));
            return xs;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, Function<List<Tensor>, Tensor> f, In... inputs) {
        return new Case(name, f, inputs);
    }

    // ------------------------------------------------------------------------------------------------ inputs

    private static Tensor leaf(double[] v, int[] shape) {
        return Tensor.of(v).reshape(shape).requiresGrad(true);
    }

    /** Standard normal. */
    static In n(int... shape) {
        return g -> Tensor.randn(g, shape).to(DType.FLOAT64).requiresGrad(true);
    }

    /** Uniform in [0.5, 2): for log, sqrt, pow's base, divisors. */
    static In pos(int... shape) {
        return g -> Tensor.rand(g, shape).to(DType.FLOAT64).mul(1.5).add(0.5).detach().requiresGrad(true);
    }

    /** |x| in [0.3, 1.3) with a random sign: away from the kink at 0. */
    static In away(int... shape) {
        return g -> {
            int count = numel(shape);
            double[] v = new double[count];
            for (int i = 0; i < count; i++) v[i] = (0.3 + g.nextDouble()) * (g.nextDouble() < 0.5 ? -1 : 1);
            return leaf(v, shape);
        };
    }

    /** Pairwise distinct values, at least 0.2 apart in random order: no ties for max/min. */
    static In distinct(int... shape) {
        return g -> {
            int count = numel(shape);
            int[] perm = new int[count];
            for (int i = 0; i < count; i++) perm[i] = i;
            for (int i = count - 1; i > 0; i--) {
                int j = g.nextInt(i + 1);
                int t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            double[] v = new double[count];
            for (int i = 0; i < count; i++) v[i] = (perm[i] - count / 2.0) * 0.3 + 0.1 * g.nextDouble();
            return leaf(v, shape);
        };
    }

    /** Values in (-1.2, 1.2) that stay at least 0.1 away from ±0.5: clamp(-0.5, 0.5) without its kinks. */
    static In awayFromHalf(int... shape) {
        return g -> {
            int count = numel(shape);
            double[] v = new double[count];
            for (int i = 0; i < count; i++) {
                double a = g.nextDouble() < 0.5 ? g.nextDouble() * 0.4 : 0.6 + g.nextDouble() * 0.6;
                v[i] = g.nextDouble() < 0.5 ? -a : a;
            }
            return leaf(v, shape);
        };
    }

    /** A constant (no gradient): an index, a mask. */
    static In constant(Tensor t) {
        return g -> t;
    }

    private static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    private static Tensor a(List<Tensor> xs) {
        return xs.get(0);
    }

    private static Tensor b(List<Tensor> xs) {
        return xs.get(1);
    }

    private static int[] s(int... shape) {
        return shape;
    }

    // ------------------------------------------------------------------------------------------------- cases

    /** Shape pairs that broadcast: equal, trailing, both sides, rank-extending, 0-d. */
    private static final int[][][] BROADCAST = {
            {s(3, 4), s(3, 4)}, {s(2, 3, 4), s(3, 1)}, {s(3, 1), s(1, 4)}, {s(4), s(2, 1, 4)}, {s(), s(2, 3)},
    };

    static Stream<Case> firstOrderCases() {
        List<Case> cases = new ArrayList<>();
        for (int[][] p : BROADCAST) {
            String shapes = java.util.Arrays.toString(p[0]) + "," + java.util.Arrays.toString(p[1]);
            cases.add(c("add " + shapes, xs -> a(xs).add(b(xs)), n(p[0]), n(p[1])));
            cases.add(c("sub " + shapes, xs -> a(xs).sub(b(xs)), n(p[0]), n(p[1])));
            cases.add(c("mul " + shapes, xs -> a(xs).mul(b(xs)), n(p[0]), n(p[1])));
            cases.add(c("div " + shapes, xs -> a(xs).div(b(xs)), n(p[0]), away(p[1])));
            cases.add(c("pow(Tensor) " + shapes, xs -> a(xs).pow(b(xs)), pos(p[0]), n(p[1])));
            cases.add(c("maximum " + shapes, xs -> a(xs).maximum(b(xs)), n(p[0]), n(p[1])));
            cases.add(c("minimum " + shapes, xs -> a(xs).minimum(b(xs)), n(p[0]), n(p[1])));
        }
        cases.add(c("add(double)", xs -> a(xs).add(2.5), n(3, 4)));
        cases.add(c("sub(double)", xs -> a(xs).sub(1.5), n(3, 4)));
        cases.add(c("mul(double)", xs -> a(xs).mul(-1.7), n(3, 4)));
        cases.add(c("div(double)", xs -> a(xs).div(0.7), n(3, 4)));
        cases.add(c("mul self", xs -> a(xs).mul(a(xs)), n(3, 4)));
        Tensor cond = Tensor.of(new boolean[] {true, false, true}, 3, 1);
        cases.add(c("where", xs -> Tensor.where(cond, a(xs), b(xs)), n(3, 4), n(4)));
        cases.add(c("where method", xs -> a(xs).gt(0.0).where(a(xs), b(xs).exp()), away(2, 3), n(2, 3)));

        cases.add(c("neg", xs -> a(xs).neg(), n(3, 4)));
        cases.add(c("pow(3)", xs -> a(xs).pow(3), n(3, 4)));
        cases.add(c("pow(2)", xs -> a(xs).pow(2), n(3, 4)));
        cases.add(c("pow(-1.5)", xs -> a(xs).pow(-1.5), pos(3, 4)));
        cases.add(c("pow(0.5)", xs -> a(xs).pow(0.5), pos(3, 4)));
        cases.add(c("exp", xs -> a(xs).exp(), n(3, 4)));
        cases.add(c("log", xs -> a(xs).log(), pos(3, 4)));
        cases.add(c("sqrt", xs -> a(xs).sqrt(), pos(3, 4)));
        cases.add(c("abs", xs -> a(xs).abs(), away(3, 4)));
        cases.add(c("sin", xs -> a(xs).sin(), n(3, 4)));
        cases.add(c("cos", xs -> a(xs).cos(), n(3, 4)));
        cases.add(c("tanh", xs -> a(xs).tanh(), n(3, 4)));
        cases.add(c("sigmoid", xs -> a(xs).sigmoid(), n(3, 4)));
        cases.add(c("relu", xs -> a(xs).relu(), away(3, 4)));
        cases.add(c("leakyRelu", xs -> a(xs).leakyRelu(0.1), away(3, 4)));
        cases.add(c("gelu", xs -> a(xs).gelu(), n(3, 4)));
        cases.add(c("erf", xs -> a(xs).erf(), n(3, 4)));
        cases.add(c("square", xs -> a(xs).square(), n(3, 4)));
        cases.add(c("reciprocal", xs -> a(xs).reciprocal(), away(3, 4)));
        cases.add(c("clamp", xs -> a(xs).clamp(-0.5, 0.5), awayFromHalf(4, 5)));
        cases.add(c("exp 0-d", xs -> a(xs).exp(), n()));

        // matmul: every rank combination of torch.matmul, broadcast batches, transposed views as operands
        cases.add(c("matmul 1-D.1-D", xs -> a(xs).matmul(b(xs)), n(4), n(4)));
        cases.add(c("matmul 2-D.1-D", xs -> a(xs).matmul(b(xs)), n(3, 4), n(4)));
        cases.add(c("matmul 1-D.2-D", xs -> a(xs).matmul(b(xs)), n(4), n(4, 3)));
        cases.add(c("matmul 2-D", xs -> a(xs).matmul(b(xs)), n(3, 4), n(4, 2)));
        cases.add(c("matmul 3-D.2-D", xs -> a(xs).matmul(b(xs)), n(2, 3, 4), n(4, 2)));
        cases.add(c("matmul 2-D.3-D", xs -> a(xs).matmul(b(xs)), n(3, 4), n(2, 4, 2)));
        cases.add(c("matmul 1-D.3-D", xs -> a(xs).matmul(b(xs)), n(4), n(2, 4, 3)));
        cases.add(c("matmul 3-D.1-D", xs -> a(xs).matmul(b(xs)), n(2, 3, 4), n(4)));
        cases.add(c("matmul broadcast batch", xs -> a(xs).matmul(b(xs)), n(2, 1, 2, 3), n(3, 3, 2)));
        cases.add(c("matmul a.t()", xs -> a(xs).t().matmul(b(xs)), n(4, 3), n(4, 2)));
        cases.add(c("matmul b.t()", xs -> a(xs).matmul(b(xs).t()), n(3, 4), n(2, 4)));
        cases.add(c("matmul both transposed", xs -> a(xs).t().matmul(b(xs).t()), n(4, 3), n(2, 4)));
        cases.add(c("matmul batched transposes", xs -> a(xs).transpose(-1, -2).matmul(b(xs).permute(0, 2, 1)),
                n(2, 4, 3), n(2, 2, 4)));
        cases.add(c("matmul same operand", xs -> a(xs).matmul(a(xs).t()), n(3, 4)));
        cases.add(c("matmul narrowed", xs -> a(xs).narrow(1, 1, 3).matmul(b(xs)), n(3, 5), n(3, 2)));

        // shape ops
        cases.add(c("t", xs -> a(xs).t(), n(3, 4)));
        cases.add(c("reshape", xs -> a(xs).reshape(4, -1), n(2, 3, 4)));
        cases.add(c("reshape of transpose (copy)", xs -> a(xs).t().reshape(-1), n(3, 4)));
        cases.add(c("view", xs -> a(xs).view(6, 4), n(2, 3, 4)));
        cases.add(c("reshape to 0-d", xs -> a(xs).reshape(), n(1, 1)));
        cases.add(c("transpose", xs -> a(xs).transpose(0, -1), n(2, 3, 4)));
        cases.add(c("permute", xs -> a(xs).permute(2, 0, 1), n(2, 3, 4)));
        cases.add(c("unsqueeze", xs -> a(xs).unsqueeze(1).mul(b(xs)), n(3, 4), n(3, 2, 1)));
        cases.add(c("unsqueeze(-1)", xs -> a(xs).unsqueeze(-1), n(3, 4)));
        cases.add(c("squeeze(dim)", xs -> a(xs).squeeze(1), n(3, 1, 4)));
        cases.add(c("squeeze()", xs -> a(xs).squeeze(), n(3, 1, 4, 1)));
        cases.add(c("flatten", xs -> a(xs).flatten(), n(2, 3, 4)));
        cases.add(c("flatten(1,2)", xs -> a(xs).flatten(1, 2), n(2, 3, 4)));
        cases.add(c("expand", xs -> a(xs).expand(2, 3, 4), n(3, 1)));
        cases.add(c("expand -1", xs -> a(xs).expand(-1, 4), n(3, 1)));
        cases.add(c("broadcastTo", xs -> a(xs).broadcastTo(2, 3, 4), n(4)));
        cases.add(c("narrow", xs -> a(xs).narrow(1, 1, 2), n(3, 4)));
        cases.add(c("narrow negative dim", xs -> a(xs).narrow(-1, 2, 2), n(2, 3, 4)));
        cases.add(c("select", xs -> a(xs).select(0, 1), n(3, 4)));
        cases.add(c("select negative", xs -> a(xs).select(-1, -1), n(2, 3, 4)));
        Tensor rowIndex = Tensor.of(new long[] {2, 0, 2, 1});
        cases.add(c("indexSelect", xs -> a(xs).indexSelect(1, rowIndex), n(3, 3)));
        cases.add(c("indexSelect dim 0", xs -> a(xs).indexSelect(0, rowIndex), n(3, 2)));
        Tensor gatherIndex = Tensor.of(new long[] {0, 0, 3, 1, 2, 2}, 3, 2);
        cases.add(c("gather", xs -> a(xs).gather(1, gatherIndex), n(3, 4)));
        Tensor gatherIndex0 = Tensor.of(new long[] {2, 0, 1, 1}, 1, 4);
        cases.add(c("gather dim 0", xs -> a(xs).gather(0, gatherIndex0), n(3, 4)));
        cases.add(c("indexAdd", xs -> a(xs).indexAdd(0, Tensor.of(new long[] {1, 1, 0}), b(xs)), n(2, 3), n(3, 3)));
        cases.add(c("scatterAdd", xs -> a(xs).scatterAdd(1, gatherIndex, b(xs)), n(3, 4), n(3, 2)));
        cases.add(c("scatterAdd src larger than index", xs -> a(xs).scatterAdd(1, gatherIndex, b(xs)), n(3, 4), n(3, 3)));
        cases.add(c("cat", xs -> Tensor.cat(List.of(a(xs), b(xs), a(xs).mul(2.0)), 1), n(2, 3), n(2, 2)));
        cases.add(c("cat negative dim", xs -> Tensor.cat(List.of(a(xs), b(xs)), -2), n(2, 3), n(1, 3)));
        cases.add(c("stack", xs -> Tensor.stack(List.of(a(xs), b(xs)), 1), n(2, 3), n(2, 3)));
        cases.add(c("stack at end", xs -> Tensor.stack(List.of(a(xs), b(xs)), -1), n(3), n(3)));
        cases.add(c("split", xs -> {
            List<Tensor> parts = a(xs).split(2, 1);
            return Tensor.cat(List.of(parts.get(2).mul(3.0), parts.get(0).exp(), parts.get(1)), 1);
        }, n(2, 5)));
        cases.add(c("contiguous", xs -> a(xs).t().contiguous(), n(3, 4)));
        cases.add(c("clone", xs -> a(xs).clone(), n(3, 4)));
        cases.add(c("to(FLOAT64)", xs -> a(xs).to(DType.FLOAT64).mul(2.0), n(3, 4)));

        // reductions: all-element and per-dim forms, keepDim both ways, negative dims
        cases.add(c("sum()", xs -> a(xs).sum(), n(3, 4)));
        cases.add(c("mean()", xs -> a(xs).mean(), n(3, 4)));
        cases.add(c("max()", xs -> a(xs).max(), distinct(3, 4)));
        cases.add(c("min()", xs -> a(xs).min(), distinct(3, 4)));
        cases.add(c("prod()", xs -> a(xs).prod(), away(3, 3)));
        cases.add(c("var()", xs -> a(xs).var(), n(3, 4)));
        cases.add(c("std()", xs -> a(xs).std(), n(3, 4)));
        cases.add(c("logSumExp()", xs -> a(xs).logSumExp(), n(3, 4)));
        cases.add(c("norm()", xs -> a(xs).norm(), n(3, 4)));
        cases.add(c("sum() 0-d", xs -> a(xs).sum(), n()));
        cases.add(c("sum(0) 0-d", xs -> a(xs).sum(0, false), n()));
        cases.add(c("mean(-1) 0-d", xs -> a(xs).mean(-1, true), n()));
        cases.add(c("prod() 0-d", xs -> a(xs).prod(), n()));
        cases.add(c("logSumExp(0) 0-d", xs -> a(xs).logSumExp(0, false), n()));
        cases.add(c("max(0) 0-d", xs -> a(xs).max(0, false), n()));
        cases.add(c("prod() with one zero", xs -> a(xs).mul(Tensor.of(new double[] {1, 0, 1, 1}, 2, 2)).prod(), away(2, 2)));
        for (int dim : new int[] {0, 1, -1, -3}) {
            for (boolean keep : new boolean[] {true, false}) {
                String tag = "(" + dim + ", " + keep + ")";
                int[] shape = {2, 3, 4};
                cases.add(c("sum" + tag, xs -> a(xs).sum(dim, keep), n(shape)));
                cases.add(c("mean" + tag, xs -> a(xs).mean(dim, keep), n(shape)));
                cases.add(c("max" + tag, xs -> a(xs).max(dim, keep), distinct(shape)));
                cases.add(c("min" + tag, xs -> a(xs).min(dim, keep), distinct(shape)));
                cases.add(c("prod" + tag, xs -> a(xs).prod(dim, keep), away(shape)));
                cases.add(c("var" + tag, xs -> a(xs).var(dim, keep), n(shape)));
                cases.add(c("std" + tag, xs -> a(xs).std(dim, keep), n(shape)));
                cases.add(c("logSumExp" + tag, xs -> a(xs).logSumExp(dim, keep), n(shape)));
            }
        }
        for (int dim : new int[] {0, 1, -1}) {
            cases.add(c("softmax(" + dim + ")", xs -> a(xs).softmax(dim), n(3, 4)));
            cases.add(c("logSoftmax(" + dim + ")", xs -> a(xs).logSoftmax(dim), n(3, 4)));
        }
        cases.add(c("softmax 3-D middle", xs -> a(xs).softmax(1), n(2, 3, 2)));
        // strided inputs (transposed, narrowed with an offset, expanded) into every kind of kernel
        cases.add(c("exp of narrow", xs -> a(xs).narrow(0, 1, 2).exp(), n(3, 4)));
        cases.add(c("mul of transposes", xs -> a(xs).t().mul(b(xs).narrow(1, 1, 4)), n(4, 3), n(3, 5)));
        cases.add(c("sum(dim) of transpose", xs -> a(xs).transpose(0, 2).sum(1, false), n(2, 3, 4)));
        cases.add(c("softmax of transpose", xs -> a(xs).t().softmax(1), n(3, 4)));
        cases.add(c("max(dim) of narrow", xs -> a(xs).narrow(1, 1, 3).max(1, false), distinct(3, 5)));
        cases.add(c("gather of transpose", xs -> a(xs).t().gather(1, gatherIndex.narrow(1, 0, 2)), n(4, 3)));
        cases.add(c("indexSelect of narrow", xs -> a(xs).narrow(0, 1, 2).indexSelect(1, rowIndex), n(3, 3)));
        cases.add(c("cat of views", xs -> Tensor.cat(List.of(a(xs).t(), b(xs).narrow(0, 1, 2)), 0), n(3, 2), n(4, 3)));
        cases.add(c("where of transposes", xs -> Tensor.where(cond.t(), a(xs).t(), b(xs)), n(3, 3), n(3)));
        cases.add(c("reshape of expand", xs -> a(xs).expand(2, 3, 4).reshape(6, 4), n(3, 1)));
        cases.add(c("reshape of permute", xs -> a(xs).permute(1, 2, 0).reshape(3, 8), n(2, 3, 4)));
        cases.add(c("prod of select", xs -> a(xs).select(1, 2).prod(), away(3, 4)));
        cases.add(c("scatterAdd into transpose", xs -> a(xs).t().scatterAdd(1, gatherIndex.narrow(1, 0, 1), b(xs)), n(4, 3), n(3, 1)));
        cases.add(c("composite: cross-entropy", xs -> a(xs).logSoftmax(1).gather(1, Tensor.of(new long[] {2, 0, 1}, 3, 1)).mean().neg(),
                n(3, 4)));

        // the fused LSTM: x [seq, batch, in], h0, c0 [batch, hidden], W_ih [4h, in], W_hh [4h, h], b_ih, b_hh [4h]
        cases.add(c("lstm", OpGradCheckTest::lstm, n(3, 2, 3), n(2, 2), n(2, 2), n(8, 3), n(8, 2), n(8), n(8)));
        cases.add(c("lstm without biases", xs -> LayerPrimitives.lstm(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), null, null),
                n(2, 3, 2), n(3, 1), n(3, 1), n(4, 2), n(4, 1)));
        cases.add(c("gru", xs -> LayerPrimitives.gru(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5)),
                n(3, 2, 3), n(2, 2), n(6, 3), n(6, 2), n(6), n(6)));
        cases.add(c("rnn tanh", xs -> LayerPrimitives.rnn(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), null, "tanh"),
                n(3, 2, 3), n(2, 2), n(2, 3), n(2, 2), n(2)));
        // relu away from its kink: inputs, weights and bias positive
        cases.add(c("rnn relu", xs -> LayerPrimitives.rnn(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5), "relu"),
                pos(3, 2, 3), pos(2, 2), pos(2, 3), pos(2, 2), pos(2), pos(2)));
        cases.add(c("lstm of a transposed input", xs -> LayerPrimitives.lstm(xs.get(0).transpose(0, 1), xs.get(1), xs.get(2), xs.get(3),
                xs.get(4), xs.get(5), null), n(2, 3, 2), n(2, 2), n(2, 2), n(8, 2), n(8, 2), n(8)));
        return cases.stream();
    }

    static Stream<Case> secondOrderCases() {
        Tensor index = Tensor.of(new long[] {0, 2, 2, 1}, 2, 2);
        return Stream.of(
                c("exp", xs -> a(xs).exp(), n(2, 3)),
                c("log", xs -> a(xs).log(), pos(2, 3)),
                c("sin", xs -> a(xs).sin(), n(2, 3)),
                c("cos", xs -> a(xs).cos(), n(2, 3)),
                c("tanh", xs -> a(xs).tanh(), n(2, 3)),
                c("sigmoid", xs -> a(xs).sigmoid(), n(2, 3)),
                c("gelu", xs -> a(xs).gelu(), n(2, 3)),
                c("erf", xs -> a(xs).erf(), n(2, 3)),
                c("sqrt", xs -> a(xs).sqrt(), pos(2, 3)),
                c("pow(3)", xs -> a(xs).pow(3), n(2, 3)),
                c("pow(-0.5)", xs -> a(xs).pow(-0.5), pos(2, 3)),
                c("pow(Tensor)", xs -> a(xs).pow(b(xs)), pos(2, 3), n(3)),
                c("div", xs -> a(xs).div(b(xs)), n(2, 3), away(2, 1)),
                c("mul", xs -> a(xs).mul(b(xs)), n(2, 3), n(3)),
                c("mul self", xs -> a(xs).mul(a(xs)), n(2, 3)),
                c("reciprocal", xs -> a(xs).reciprocal(), away(2, 3)),
                c("matmul", xs -> a(xs).matmul(b(xs)), n(2, 3), n(3, 2)),
                c("matmul batched", xs -> a(xs).matmul(b(xs)), n(2, 2, 3), n(3, 2)),
                c("matmul 1-D", xs -> a(xs).matmul(b(xs)), n(3), n(3, 2)),
                c("softmax", xs -> a(xs).softmax(1), n(2, 3)),
                c("logSoftmax", xs -> a(xs).logSoftmax(-1), n(2, 3)),
                c("logSumExp()", xs -> a(xs).logSumExp(), n(2, 3)),
                c("logSumExp(dim)", xs -> a(xs).logSumExp(0, false), n(2, 3)),
                c("sum", xs -> a(xs).square().sum(1, true), n(2, 3)),
                c("mean", xs -> a(xs).square().mean(), n(2, 3)),
                c("var", xs -> a(xs).var(), n(2, 3)),
                c("var(dim)", xs -> a(xs).var(1, false), n(2, 3)),
                c("std", xs -> a(xs).std(), n(2, 3)),
                c("norm", xs -> a(xs).norm(), n(2, 3)),
                c("prod", xs -> a(xs).prod(1, false), away(2, 3)),
                c("reshape", xs -> a(xs).reshape(3, 2).exp(), n(2, 3)),
                c("transpose", xs -> a(xs).transpose(0, 1).square(), n(2, 3)),
                c("narrow", xs -> a(xs).narrow(1, 1, 2).square(), n(2, 3)),
                c("cat", xs -> Tensor.cat(List.of(a(xs).square(), b(xs).exp()), 0), n(2, 3), n(1, 3)),
                c("gather", xs -> a(xs).square().gather(1, index), n(2, 3)),
                c("scatterAdd", xs -> a(xs).scatterAdd(1, index, b(xs).square()), n(2, 3), n(2, 3)),
                c("indexSelect", xs -> a(xs).exp().indexSelect(0, Tensor.of(new long[] {1, 1, 0})), n(2, 3)),
                c("where", xs -> Tensor.where(a(xs).gt(0.0), a(xs).square(), b(xs).exp()), away(2, 3), n(3)),
                c("cross-entropy", xs -> a(xs).logSoftmax(1).gather(1, Tensor.of(new long[] {2, 0}, 2, 1)).mean().neg(), n(2, 3)),
                c("lstm", OpGradCheckTest::lstm, n(2, 2, 2), n(2, 2), n(2, 2), n(8, 2), n(8, 2), n(8), n(8)),
                c("gru", xs -> LayerPrimitives.gru(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5)),
                        n(2, 2, 2), n(2, 2), n(6, 2), n(6, 2), n(6), n(6)),
                c("rnn tanh", xs -> LayerPrimitives.rnn(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5), "tanh"),
                        n(2, 2, 2), n(2, 2), n(2, 2), n(2, 2), n(2), n(2)));
    }

    private static Tensor lstm(List<Tensor> xs) {
        return LayerPrimitives.lstm(xs.get(0), xs.get(1), xs.get(2), xs.get(3), xs.get(4), xs.get(5), xs.get(6));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("firstOrderCases")
    void gradCheck(Case c) {
        assertTrue(GradCheck.check(c.f(), c.draw()), c.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("secondOrderCases")
    void gradGradCheck(Case c) {
        assertTrue(GradCheck.gradGradCheck(c.f(), c.draw()), c.name());
    }

    /** GradCheck itself must catch a wrong derivative: a check that cannot fail proves nothing. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenCases")
    void gradCheckRejectsAWrongGradient(Case c) {
        GradCheck.GradCheckException e = assertThrows(GradCheck.GradCheckException.class, () -> GradCheck.check(c.f(), c.draw()));
        assertTrue(e.getMessage().contains("input 0"), e.getMessage());
    }

    /** Functions whose autograd gradient is deliberately wrong: detach hides part of the dependency. */
    static Stream<Case> brokenCases() {
        return Stream.of(
                c("x * detach(x)", xs -> a(xs).mul(a(xs).detach()), n(2, 3)),
                c("exp computed through detach", xs -> a(xs).add(a(xs).detach().exp().sub(a(xs).detach())), n(3)));
    }
}
