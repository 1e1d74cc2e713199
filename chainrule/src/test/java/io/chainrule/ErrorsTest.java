package io.chainrule;

import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * API.md "Errors": bad arguments throw IllegalArgumentException, autograd misuse IllegalStateException, and every
 * message names the op and the offending shapes or values.
 */
class ErrorsTest {

    /** Asserts {@code type} is thrown and its message contains every one of {@code parts}. */
    private static <T extends Throwable> T fails(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        String m = e.getMessage();
        for (String p : parts) assertTrue(m != null && m.contains(p), "message lacks '" + p + "': " + m);
        return e;
    }

    private static Tensor t(int... shape) {
        return Tensor.zeros(shape);
    }

    @Test
    void matmulShapeMismatch() {
        fails(IllegalArgumentException.class, () -> t(2, 3).matmul(t(4, 5)), "matmul", "[2, 3]", "[4, 5]");
        fails(IllegalArgumentException.class, () -> t(3).matmul(t(4)), "matmul", "[3]", "[4]");
        fails(IllegalArgumentException.class, () -> t(2, 3, 4).matmul(t(3, 4, 2)), "matmul", "[2]", "[3]");
        fails(IllegalArgumentException.class, () -> t().matmul(t(3)), "matmul", "[]", "[3]");
    }

    @Test
    void matmulErrorsShowTheCallersFullShapes() {
        // a batch mismatch names both operands, not just their batch dimensions
        fails(IllegalArgumentException.class, () -> t(2, 3, 4).matmul(t(5, 4, 3)), "matmul", "[2, 3, 4]", "[5, 4, 3]");
        // a 1-D operand is shown as given, not as the matrix it becomes inside
        String m = fails(IllegalArgumentException.class, () -> t(3).matmul(t(2, 4, 5)), "matmul", "[3]", "[2, 4, 5]").getMessage();
        assertTrue(!m.contains("[1, 3]"), m);
        m = fails(IllegalArgumentException.class, () -> t(2, 4, 5).matmul(t(3)), "matmul", "[2, 4, 5]", "[3]").getMessage();
        assertTrue(!m.contains("[3, 1]"), m);
    }

    @Test
    void convolutionErrorsShowTheCallersShapes() {
        // conv1d runs as a 2-D convolution of height 1; its errors must still show [2, 3, 8], not [2, 3, 1, 8]
        String m = fails(IllegalArgumentException.class,
                () -> io.chainrule.nn.F.conv1d(t(2, 3, 8), t(4, 2, 3), null, 1, 0), "conv1d", "[2, 3, 8]", "[4, 2, 3]").getMessage();
        assertTrue(!m.contains("[2, 3, 1, 8]") && !m.contains("conv2d"), m);
        m = fails(IllegalArgumentException.class,
                () -> io.chainrule.nn.F.conv1d(t(2, 3, 2), t(4, 3, 5), null, 1, 0), "conv1d", "[2, 3, 2]", "length").getMessage();
        assertTrue(!m.contains("[2, 3, 1, 2]"), m);
        fails(IllegalArgumentException.class, () -> io.chainrule.nn.F.conv1d(t(2, 3, 8), t(4, 3, 3), t(5), 1, 0),
                "conv1d", "bias", "[4, 3, 3]");
        fails(IllegalArgumentException.class, () -> io.chainrule.nn.F.conv1d(t(2, 3, 8), t(4, 3, 3), null, 0, 0),
                "conv1d", "stride 0");
        // an unbatched image keeps its 3-D shape in messages too
        m = fails(IllegalArgumentException.class, () -> io.chainrule.nn.F.conv2d(t(3, 8, 8), t(4, 2, 3, 3), null, 1, 0),
                "conv2d", "[3, 8, 8]").getMessage();
        assertTrue(!m.contains("[1, 3, 8, 8]"), m);
        m = fails(IllegalArgumentException.class, () -> io.chainrule.nn.F.maxPool2d(t(3, 2, 2), 5, 1, 0),
                "maxPool2d", "[3, 2, 2]").getMessage();
        assertTrue(!m.contains("[1, 3, 2, 2]"), m);
        m = fails(IllegalArgumentException.class, () -> io.chainrule.nn.F.avgPool2d(t(3, 2, 2), 5, 1, 0),
                "avgPool2d", "[3, 2, 2]").getMessage();
        assertTrue(!m.contains("[1, 3, 2, 2]"), m);
    }

    @Test
    void broadcastMismatch() {
        fails(IllegalArgumentException.class, () -> t(2, 3).add(t(4)), "add", "[2, 3]", "[4]");
        fails(IllegalArgumentException.class, () -> t(2, 3).mul(t(3, 2)), "mul", "[2, 3]", "[3, 2]");
        fails(IllegalArgumentException.class, () -> t(2, 3).gt(t(2)), "gt", "[2, 3]", "[2]");
        fails(IllegalArgumentException.class, () -> t(2).expand(3), "expand", "[2]", "[3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).broadcastTo(3), "broadcastTo", "[2, 3]", "[3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).addi(t(4, 2, 3)), "addi", "[4, 2, 3]", "[2, 3]");
        fails(IllegalArgumentException.class, () -> Tensor.where(t(2).gt(0.0), t(3), t(2)), "where", "[2]", "[3]");
    }

    @Test
    void badDim() {
        fails(IllegalArgumentException.class, () -> t(2, 3).sum(2, false), "sum", "2", "rank 2");
        fails(IllegalArgumentException.class, () -> t(2, 3).softmax(-3), "softmax", "-3");
        fails(IllegalArgumentException.class, () -> t(2, 3).transpose(0, 5), "transpose", "5");
        fails(IllegalArgumentException.class, () -> t(2, 3).max(4, true), "max", "4");
        fails(IllegalArgumentException.class, () -> t(2, 3).argmax(2, true), "argmax", "2");
        fails(IllegalArgumentException.class, () -> t(2, 3).unsqueeze(4), "unsqueeze", "4");
        fails(IllegalArgumentException.class, () -> t(2, 3).permute(0, 0), "permute", "[0, 0]");
        fails(IllegalArgumentException.class, () -> t(2, 3).permute(0), "permute", "[2, 3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).narrow(1, 2, 2), "narrow", "[2, 3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).select(0, 2), "select", "2", "[2, 3]");
        fails(IllegalArgumentException.class, () -> Tensor.cat(List.of(t(2, 3), t(2, 4)), 0), "cat", "[2, 4]", "[2, 3]");
        fails(IllegalArgumentException.class, () -> Tensor.stack(List.of(t(2, 3), t(3, 2)), 0), "stack", "[2, 3]", "[3, 2]");
    }

    @Test
    void dimOnZeroDimensionalTensorsFollowsPyTorch() {
        // PyTorch accepts dim 0 and -1 on a 0-d tensor and rejects the rest
        assertEquals(5.0, Tensor.scalar(5).sum(0, false).item());
        assertEquals(5.0, Tensor.scalar(5).max(-1, false).item());
        assertEquals(0, Tensor.scalar(5).argmax(0, false).item());
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).max(1, false), "max", "1");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).argmin(2, false), "argmin", "2");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).sum(1, true), "sum", "1");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).prod(1, true), "prod", "1");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).transpose(0, 1), "transpose", "1");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).squeeze(2), "squeeze", "2");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).flatten(0, 1), "flatten", "1");
        fails(IllegalArgumentException.class, () -> Tensor.scalar(5).gather(0, Tensor.scalar(1, DType.INT64)), "gather", "1");
        assertEquals(5.0, Tensor.scalar(5).gather(0, Tensor.scalar(0, DType.INT64)).item());
        assertArrayEquals(new int[0], Tensor.scalar(5).transpose(0, -1).shape());
    }

    @Test
    void badReshapeAndView() {
        fails(IllegalArgumentException.class, () -> t(2, 3).reshape(4), "reshape", "[4]", "6");
        fails(IllegalArgumentException.class, () -> t(2, 3).reshape(-1, -1), "reshape", "[-1, -1]");
        fails(IllegalArgumentException.class, () -> t(2, 3).reshape(4, -1), "reshape", "[4, -1]", "6");
        fails(IllegalArgumentException.class, () -> t(2, 3).t().view(6), "view", "[3, 2]", "[6]", "contiguous");
        fails(IllegalArgumentException.class, () -> t(2, 3).view(-2, 3), "view", "-2");
    }

    @Test
    void nonScalarBackwardAndBackwardTwice() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        fails(IllegalStateException.class, () -> x.mul(2.0).backward(), "backward", "[2, 3]", "scalar");
        Tensor y = x.exp().sum();
        y.backward();
        fails(IllegalStateException.class, y::backward, "second time", "SumBackward0");
        fails(IllegalArgumentException.class, () -> x.mul(2.0).backward(Tensor.ones(3, 2)), "backward", "[3, 2]", "[2, 3]");
    }

    @Test
    void requiresGradMisuse() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        fails(IllegalStateException.class, () -> x.mul(2.0).requiresGrad(true), "requiresGrad", "leaf", "MulBackward0");
        fails(IllegalArgumentException.class, () -> Tensor.of(new long[] {1, 2}).requiresGrad(true), "requiresGrad", "int64", "[2]");
        fails(IllegalArgumentException.class, () -> Tensor.ones(2).gt(0.0).requiresGrad(true), "requiresGrad", "bool");
        fails(IllegalStateException.class, () -> Tensor.ones(2).retainGrad(), "retainGrad", "[2]");
    }

    @Test
    void inPlaceOnSavedDataAndOnGradLeaves() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y = x.sigmoid();
        y.addi(1.0);
        fails(IllegalStateException.class, () -> y.sum().backward(), "SigmoidBackward0", "inplace", "[2]");
        fails(IllegalStateException.class, () -> x.muli(2.0), "muli", "leaf", "[2]");
        fails(IllegalStateException.class, () -> x.copyFrom(Tensor.zeros(2)), "copyFrom", "leaf");
    }

    @Test
    void itemAndGet() {
        fails(IllegalArgumentException.class, () -> t(2, 3).item(), "item", "[2, 3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).get(2, 0), "get", "2", "[2, 3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).get(0, -4), "get", "-4", "[2, 3]");
        fails(IllegalArgumentException.class, () -> t(2, 3).get(0), "get", "[2, 3]");
        assertEquals(0.0, t(2, 3).get(-1, -1));
    }

    @Test
    void outOfRangeIndices() {
        Tensor x = t(3, 4);
        fails(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new long[] {0, 3})), "indexSelect", "3", "size 3");
        fails(IllegalArgumentException.class, () -> x.indexSelect(1, Tensor.of(new long[] {-1})), "indexSelect", "-1");
        fails(IllegalArgumentException.class, () -> x.indexSelect(0, Tensor.of(new float[] {0})), "indexSelect", "float32");
        fails(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new long[] {0, 4}, 1, 2)), "gather", "4", "size 4");
        fails(IllegalArgumentException.class, () -> x.gather(1, Tensor.of(new long[] {0, 1})), "gather", "rank");
        fails(IllegalArgumentException.class, () -> x.scatterAdd(0, Tensor.of(new long[] {5}, 1, 1), t(1, 1)), "scatterAdd", "5");
        fails(IllegalArgumentException.class, () -> x.indexAdd(0, Tensor.of(new long[] {0}), t(2, 4)), "indexAdd", "[2, 4]");
    }

    @Test
    void whereNeedsABoolCondition() {
        fails(IllegalArgumentException.class, () -> Tensor.where(Tensor.ones(2), t(2), t(2)), "where", "BOOL", "float32");
        fails(IllegalArgumentException.class, () -> Tensor.of(new long[] {1, 0}).where(t(2), t(2)), "where", "int64");
    }

    @Test
    void creationErrors() {
        fails(IllegalArgumentException.class, () -> Tensor.of(new float[] {1, 2, 3}, 2, 2), "Tensor.of", "[2, 2]", "3");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(2, -1), "zeros", "[2, -1]");
        fails(IllegalArgumentException.class, () -> Tensor.of(new double[][] {{1, 2}, {3}}), "Tensor.of", "row 1");
        fails(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0), "arange", "step");
        fails(IllegalArgumentException.class, () -> Tensor.arange(1, 0, 1), "arange");
        fails(IllegalArgumentException.class, () -> Tensor.randint(5, 5, 2), "randint", "5");
        fails(IllegalArgumentException.class, () -> Tensor.randint(Long.MIN_VALUE, Long.MAX_VALUE, 2), "randint");
        fails(IllegalArgumentException.class, () -> Tensor.ones(2).clamp(Double.NaN, 0), "clamp", "NaN");
        fails(IllegalArgumentException.class, () -> Tensor.of(new long[] {2}).pow(-1), "pow", "negative", "int64");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(0).max(), "max", "[0]");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(2, 0).argmax(1, false), "argmax", "[2, 0]");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(2, 0).min(-1, false), "min", "[2, 0]");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(2).expand(-1, 2), "expand", "-1");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(2).split(0, 0), "split", "0");
        fails(IllegalArgumentException.class, () -> Tensor.zeros(1 << 16, 1 << 16), "zeros", "65536");
    }

    @Test
    void floatOnlyOpsRejectIntegers() {
        Tensor ints = Tensor.of(new long[] {1, 2, 3});
        fails(IllegalArgumentException.class, ints::mean, "mean", "int64");
        fails(IllegalArgumentException.class, ints::var, "var", "int64");
        fails(IllegalArgumentException.class, ints::logSumExp, "logSumExp", "int64");
        fails(IllegalArgumentException.class, () -> ints.addi(0.5), "addi", "int64");
        fails(IllegalArgumentException.class, () -> ints.divi(2), "divi", "int64");
    }

    @Test
    void dtypeBehaviourOfMathOnIntegers() {
        // exp of INT64 promotes to FLOAT32, like PyTorch (the documented choice)
        Tensor e = Tensor.of(new long[] {0, 1, 2}).exp();
        assertEquals(DType.FLOAT32, e.dtype());
        assertArrayEquals(new float[] {1f, (float) Math.E, (float) Math.exp(2)}, e.toFloatArray(), 1e-6f);
        assertEquals(DType.FLOAT32, Tensor.of(new long[] {4}).sqrt().dtype());
        assertEquals(DType.FLOAT32, Tensor.of(new long[] {4}).sigmoid().dtype());
        assertEquals(DType.INT64, Tensor.of(new long[] {-4}).abs().dtype());
        assertEquals(DType.INT64, Tensor.of(new long[] {-4}).neg().dtype());
        assertEquals(DType.INT64, Tensor.of(new long[] {1, 2}).sum().dtype());
        assertEquals(DType.INT64, Tensor.ones(2).gt(0.0).sum().dtype());
        assertEquals(2, Tensor.ones(2).gt(0.0).sum().item());
        // integer results never carry gradients, and recording skips them quietly
        Tensor x = Tensor.ones(3).requiresGrad(true);
        Tensor idx = x.argmax(0, false);
        assertEquals(DType.INT64, idx.dtype());
        assertTrue(!idx.requiresGrad());
        try (var g = Autograd.noGrad()) {
            assertTrue(!x.mul(2.0).requiresGrad());
        }
    }
}
