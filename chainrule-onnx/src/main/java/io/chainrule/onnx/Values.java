package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * Helpers shared by the op families: reading shape arithmetic (INT64 tensors) as plain Java values, axes, and the
 * allocation guard that keeps a shape computed from a file's constants from asking for more memory than there is.
 */
final class Values {
    private Values() {}

    /** The values of an integer tensor (a shape, axes, indices) as longs. */
    static long[] longs(OnnxNode node, Tensor t, String what) {
        if (t.dtype() != DType.INT64) throw node.badInput(what + " must be an integer tensor, got " + t.dtype());
        if (t.dim() > 1) throw node.badInput(what + " must be 0-D or 1-D, got shape " + Arrays.toString(t.shape()));
        return t.toLongArray();
    }

    /** The one value of a scalar (or one-element) tensor. */
    static double scalar(OnnxNode node, Tensor t, String what) {
        if (t.numel() != 1) throw node.badInput(what + " must hold one value, got shape " + Arrays.toString(t.shape()));
        return t.item();
    }

    /** {@code axis} in [-rank, rank) made non-negative. */
    static int axis(OnnxNode node, long axis, int rank) {
        if (axis < -rank || axis >= Math.max(rank, 1)) {
            throw node.badInput("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) (axis < 0 ? axis + rank : axis);
    }

    /** Each of {@code axes} made non-negative; repeated axes are an error. */
    static int[] axes(OnnxNode node, long[] axes, int rank) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(node, axes[i], rank);
            if (seen[out[i]]) throw node.badInput("axis " + axes[i] + " is repeated in " + Arrays.toString(axes));
            seen[out[i]] = true;
        }
        return out;
    }

    /** Bytes the largest tensor a shape computed from the data may take: half of what the heap can still give. */
    private static long allocationLimit() {
        Runtime r = Runtime.getRuntime();
        return (r.maxMemory() - (r.totalMemory() - r.freeMemory())) / 2;
    }

    /**
     * {@code dims} (from a file or computed from its constants) as an {@code int[]} shape, checked: non-negative, and
     * small enough to allocate — a lying constant fails with the node's name instead of an out-of-memory error.
     */
    static int[] shape(OnnxNode node, long[] dims, String what) {
        int[] shape = new int[dims.length];
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) throw node.badInput(what + " " + Arrays.toString(dims) + " has a bad dimension");
            shape[i] = (int) dims[i];
            n = Math.multiplyHigh(n, dims[i]) != 0 ? Long.MAX_VALUE : n * dims[i];
            if (n > Integer.MAX_VALUE) n = Long.MAX_VALUE;
        }
        checkAllocation(node, n, what + " " + Arrays.toString(dims));
        return shape;
    }

    /** Fails when {@code numel} eight-byte elements could not be allocated. */
    static void checkAllocation(OnnxNode node, long numel, String what) {
        if (numel > Integer.MAX_VALUE || numel * 8 > allocationLimit()) {
            throw node.badInput(what + " would need " + (numel == Long.MAX_VALUE ? "more than 2⁶³" : numel) + " elements, "
                    + "more than the heap can hold");
        }
    }

    /** An INT64 tensor of {@code values}, 1-D. */
    static Tensor ofLongs(long... values) {
        return Tensor.of(values, values.length);
    }

    static int[] toInts(long[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v[i]));
        return out;
    }

    /** NumPy broadcasting of two shapes. */
    static int[] broadcast(OnnxNode node, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw node.badInput("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }

    /**
     * {@code x} padded with {@code value} ({@code torchOrder}: last dimension first, (begin, end) pairs; negative widths
     * crop). Zero padding, then the constant put where the padding went, so x's own values pass unchanged and keep
     * their gradient.
     */
    static Tensor padConstant(Tensor x, int[] torchOrder, double value) {
        Tensor padded = LayerPrimitives.pad(x, torchOrder);
        if (value == 0 || x.dtype() == DType.BOOL) return padded;
        Tensor border = LayerPrimitives.pad(Tensor.ones(DType.INT64, x.shape()), torchOrder).eq(0);
        return Tensor.where(border, Tensor.scalar(value, x.dtype()), padded);
    }
}
