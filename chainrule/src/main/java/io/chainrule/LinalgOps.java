package io.chainrule;

import io.chainrule.autograd.Autograd;
import io.chainrule.tensor.Gemm;
import io.chainrule.tensor.Shapes;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;

/**
 * Matrix products, forward next to derivative: for Y = X·W, dX = dY·Wᵀ and dW = Xᵀ·dY. Every product goes through
 * the one GEMM entry point ({@link Gemm}); transposed operands are passed as such, not copied.
 */
final class LinalgOps {
    private LinalgOps() {}

    /** torch.matmul: 1-D operands are promoted to matrices and the added dimension removed afterwards. */
    static Tensor matmul(Tensor a, Tensor b) {
        int ra = a.shape.length, rb = b.shape.length;
        if (ra == 0 || rb == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Arrays.toString(a.shape) + " and " + Arrays.toString(b.shape));
        }
        // 1-D operands become matrices here; errors show the caller's shapes, not these
        int[] as = a.shape, bs = b.shape;
        if (ra == 1 && rb == 1) {
            checkInner(as, bs, a.shape[0], b.shape[0]);
            return Recorder.named(batched(a.unsqueeze(0), b.unsqueeze(1), as, bs).reshape().ownsStorage(), "DotBackward0");
        }
        // views of a fresh product: the result is the only handle on that storage
        if (ra == 1) return batched(a.unsqueeze(0), b, as, bs).squeeze(-2).ownsStorage();
        if (rb == 1) {
            Tensor product = batched(a, b.unsqueeze(1), as, bs).squeeze(-1).ownsStorage();
            return ra == 2 ? Recorder.named(product, "MvBackward0") : product;
        }
        return batched(a, b, as, bs);
    }

    /**
     * x·Wᵀ + b as one node (shapes checked by the caller): x [..., in], W [out, in], b [out] or null. One node rather
     * than transpose, matmul and add, so the backward hands each parameter a fresh contiguous gradient of its own
     * layout, which the engine can keep as the parameter's {@code grad()} without a copy:
     * dX = dY·W, dW = dYᵀ·X (over all leading dimensions), db = Σ dY.
     */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        Tensor y;
        try (var g = Autograd.noGrad()) {
            y = x.matmul(w.t());
            // in place on the fresh product unless b promotes it (an integer product plus a float bias)
            if (b != null) y = b.dtype == y.dtype ? y.addi(b) : y.add(b);
        }
        int in = w.shape[1], out = w.shape[0];
        // PyTorch's node names for nn.Linear: addmm with a bias, mm without
        return record(y, b == null ? "MmBackward0" : "AddmmBackward0", (g, need) -> {
            Tensor g2 = g.reshape(-1, out);
            return new Tensor[] {
                    need[0] ? g.matmul(w) : null,
                    need[1] ? g2.t().matmul(x.reshape(-1, in)) : null,
                    need[2] ? g2.sum(0, false) : null};
        }, inputs(x, w, b), x, w);
    }

    private static void checkInner(int[] as, int[] bs, int k1, int k2) {
        if (k1 != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs)
                    + " cannot be multiplied (" + k1 + " != " + k2 + ")");
        }
    }

    /**
     * [..., M, K] · [..., K, N] with broadcast batch dimensions; {@code userA} and {@code userB} are the shapes the
     * caller passed (before 1-D operands became matrices), for error messages.
     */
    private static Tensor batched(Tensor a, Tensor b, int[] userA, int[] userB) {
        int ra = a.shape.length, rb = b.shape.length;
        int m = a.shape[ra - 2], k = a.shape[ra - 1], k2 = b.shape[rb - 2], n = b.shape[rb - 1];
        checkInner(userA, userB, k, k2);
        int[] batchA = Arrays.copyOf(a.shape, ra - 2), batchB = Arrays.copyOf(b.shape, rb - 2);
        if (!Shapes.canBroadcast(batchA, batchB)) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(userA) + " and " + Arrays.toString(userB)
                    + " cannot be multiplied: their batch dimensions " + Arrays.toString(batchA) + " and "
                    + Arrays.toString(batchB) + " do not broadcast");
        }
        int[] batch = Shapes.broadcast("matmul", batchA, batchB);
        DType type = DType.promote(a.dtype, b.dtype);
        DType compute = type.isFloatingPoint() ? type : DType.FLOAT64;
        Tensor x = a.castRaw(compute), y = b.castRaw(compute);
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        Shapes.check("matmul", outShape); // [n, 1]·[1, n] holds n² elements
        Tensor out = Tensor.allocate(compute, outShape);
        multiply(x, y, batch, m, n, k, out);
        if (!type.isFloatingPoint()) out = out.castRaw(type);
        String name = ra == 2 && rb == 2 ? "MmBackward0" : "BmmBackward0";
        return record(out, name, (g, need) -> new Tensor[] {
                need[0] ? gradLeft(g, a, b) : null,
                need[1] ? gradRight(g, a, b) : null}, inputs(a, b), a, b);
    }

    /**
     * dA = dY·Bᵀ. When A is the transpose of a contiguous matrix (a weight used as {@code w.t()}), the gradient is
     * computed as (B·dYᵀ)ᵀ instead: the same numbers, but laid out like A's base, so the transpose's backward hands
     * a contiguous gradient to the weight and accumulating it needs no strided copy (PyTorch does the same).
     */
    private static Tensor gradLeft(Tensor g, Tensor a, Tensor b) {
        if (isTransposedMatrix(a)) return b.matmul(g.transpose(-1, -2)).transpose(-1, -2);
        return g.matmul(b.transpose(-1, -2));
    }

    /** dB = Aᵀ·dY, or (dYᵀ·A)ᵀ when B is the transpose of a contiguous matrix; see {@link #gradLeft}. */
    private static Tensor gradRight(Tensor g, Tensor a, Tensor b) {
        if (isTransposedMatrix(b)) return g.transpose(-1, -2).matmul(a).transpose(-1, -2);
        return a.transpose(-1, -2).matmul(g);
    }

    /** A 2-D non-contiguous view whose transpose is contiguous. */
    private static boolean isTransposedMatrix(Tensor t) {
        return t.shape.length == 2 && !t.isContiguous() && t.strides[0] == 1 && t.strides[1] == t.shape[0];
    }

    /** One GEMM per batch entry; batch offsets come from broadcast strides (0 on repeated dimensions). */
    private static void multiply(Tensor x, Tensor y, int[] batch, int m, int n, int k, Tensor out) {
        Tensor xs = asMatrices(x), ys = asMatrices(y);
        int[] xBatchStrides = Shapes.broadcastStrides(Arrays.copyOf(xs.shape, xs.shape.length - 2),
                Arrays.copyOf(xs.strides, xs.strides.length - 2), batch);
        int[] yBatchStrides = Shapes.broadcastStrides(Arrays.copyOf(ys.shape, ys.shape.length - 2),
                Arrays.copyOf(ys.strides, ys.strides.length - 2), batch);
        Operand xo = Operand.of(xs), yo = Operand.of(ys);
        int count = Shapes.numel(batch);
        int[] idx = new int[batch.length];
        for (int bi = 0; bi < count; bi++) {
            int xOff = xs.offset, yOff = ys.offset;
            for (int d = 0; d < batch.length; d++) {
                xOff += idx[d] * xBatchStrides[d];
                yOff += idx[d] * yBatchStrides[d];
            }
            int cOff = bi * m * n;
            if (out.data() instanceof float[] c) {
                Gemm.sgemm(xo.trans, yo.trans, m, n, k, (float[]) xs.data(), xOff, xo.ld, (float[]) ys.data(), yOff, yo.ld, c, cOff, n, false);
            } else {
                Gemm.dgemm(xo.trans, yo.trans, m, n, k, (double[]) xs.data(), xOff, xo.ld, (double[]) ys.data(), yOff, yo.ld,
                        (double[]) out.data(), cOff, n, false);
            }
            for (int d = batch.length - 1; d >= 0; d--) {
                if (++idx[d] < batch[d]) break;
                idx[d] = 0;
            }
        }
    }

    /** The tensor itself when each matrix is row- or column-major with a usable leading dimension, else a copy. */
    private static Tensor asMatrices(Tensor t) {
        return Operand.layout(t) != null ? t : t.cloneRaw();
    }

    /** How GEMM reads one matrix: transposed or not, with its leading dimension. */
    private record Operand(boolean trans, int ld) {
        static Operand of(Tensor t) {
            return layout(t);
        }

        static Operand layout(Tensor t) {
            int r = t.shape.length;
            int rows = t.shape[r - 2], cols = t.shape[r - 1];
            int rs = t.strides[r - 2], cs = t.strides[r - 1];
            if ((cs == 1 || cols == 1) && rs >= Math.max(cols, 1)) return new Operand(false, rs);
            if ((rs == 1 || rows == 1) && cs >= Math.max(rows, 1)) return new Operand(true, cs);
            return null;
        }
    }
}
