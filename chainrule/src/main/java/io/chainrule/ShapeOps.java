package io.chainrule;

import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Shapes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;
import static io.chainrule.Recorder.traced;

/**
 * Shape ops, each forward next to its derivative. Most are views (shared storage, new strides); the gradient of a
 * view op is the inverse view, and expand's is the engine's sum back to the input shape.
 */
final class ShapeOps {
    private ShapeOps() {}

    private static Tensor view(Tensor x, int[] shape, int[] strides, int offset) {
        Tensor v = x.viewRaw(shape, strides, offset);
        v.isView = true;
        return v;
    }

    /**
     * A new view of all of {@code x}: what a view op returns when the layout does not change. Never {@code x}
     * itself, so requiresGrad, retainGrad or a gradient on the result cannot touch {@code x} (as in PyTorch).
     */
    static Tensor alias(Tensor x, String name) {
        return record(view(x, x.shape, x.strides, x.offset), name, (g, need) -> new Tensor[] {g}, inputs(x));
    }

    // --------------------------------------------------------------------------------------- type and copies

    static Tensor to(Tensor x, DType type) {
        if (x.dtype == type) return x;
        Tensor out = x.castRaw(type);
        DType from = x.dtype;
        Tensor r = record(out, "ToCopyBackward0", (g, need) -> new Tensor[] {g.to(from)}, inputs(from.isFloatingPoint() ? x : null));
        return OpTracer.isTracing() ? traced(r, "source", x) : r; // an integer source is no gradient input, but is the op's
    }

    static Tensor contiguous(Tensor x) {
        return x.isContiguous() ? x : cloneOp(x);
    }

    static Tensor cloneOp(Tensor x) {
        return record(x.cloneRaw(), "CloneBackward0", (g, need) -> new Tensor[] {g}, inputs(x));
    }

    // ---------------------------------------------------------------------------------------- reshape, view

    static Tensor reshape(Tensor x, int[] requested, boolean viewOnly) {
        String op = viewOnly ? "view" : "reshape";
        int[] shape = inferShape(op, requested, x.numel());
        int[] strides = viewStrides(x.shape, x.strides, shape);
        Tensor out;
        if (strides != null) {
            out = view(x, shape, strides, x.offset);
        } else if (viewOnly) {
            throw new IllegalArgumentException("view: a tensor of shape " + Arrays.toString(x.shape) + " and strides "
                    + Arrays.toString(x.strides) + " cannot be viewed as " + Arrays.toString(shape)
                    + " without copying; call contiguous() first or use reshape()");
        } else {
            Tensor c = x.cloneRaw();
            out = c.viewRaw(shape, Shapes.contiguousStrides(shape), 0);
        }
        int[] inShape = x.shape;
        // PyTorch's names: a reshape that could view is a view; one that copied is _unsafe_view of the copy
        return record(out, strides != null ? "ViewBackward0" : "UnsafeViewBackward0",
                (g, need) -> new Tensor[] {g.reshape(inShape)}, inputs(x));
    }

    /** Fills in one -1 and checks the element count. */
    private static int[] inferShape(String op, int[] requested, int numel) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < requested.length; i++) {
            if (requested[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1, got " + Arrays.toString(requested));
                infer = i;
            } else if (requested[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid size " + requested[i] + " in shape " + Arrays.toString(requested));
            } else {
                known *= requested[i];
            }
        }
        int[] shape = requested.clone();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested)
                        + " is invalid for input of size " + numel);
            }
            shape[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(requested)
                    + " is invalid for input of size " + numel);
        }
        Shapes.check(op, shape); // the element count matches a valid tensor's; the rank may still be too high
        return shape;
    }

    /** Strides that view (oldShape, oldStrides) as newShape without copying, or null (PyTorch's computeStride). */
    private static int[] viewStrides(int[] oldShape, int[] oldStrides, int[] newShape) {
        int[] newStrides = new int[newShape.length];
        if (Shapes.numel(oldShape) == 0 || oldShape.length == 0) return Shapes.contiguousStrides(newShape);
        int viewD = newShape.length - 1;
        int chunkBaseStride = oldStrides[oldStrides.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int tensorD = oldShape.length - 1; tensorD >= 0; tensorD--) {
            tensorNumel *= oldShape[tensorD];
            if (tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBaseStride)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    newStrides[viewD] = (int) (viewNumel * chunkBaseStride);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (tensorD > 0) {
                    chunkBaseStride = oldStrides[tensorD - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? newStrides : null;
    }

    static Tensor flatten(Tensor x, int startDim, int endDim) {
        int s = Shapes.normalizeDim("flatten", startDim, x.shape.length);
        int e = Shapes.normalizeDim("flatten", endDim, x.shape.length);
        if (x.shape.length == 0) return x.reshape(1);
        if (s > e) throw new IllegalArgumentException("flatten: startDim " + startDim + " comes after endDim " + endDim);
        int[] shape = new int[x.shape.length - (e - s)];
        int j = 0;
        for (int i = 0; i < s; i++) shape[j++] = x.shape[i];
        shape[j++] = Shapes.prod(x.shape, s, e + 1);
        for (int i = e + 1; i < x.shape.length; i++) shape[j++] = x.shape[i];
        return x.reshape(shape);
    }

    // ------------------------------------------------------------------------------- transpose, permute, squeeze

    static Tensor transpose(Tensor x, int dim0, int dim1) {
        int r = x.shape.length;
        int a = Shapes.normalizeDim("transpose", dim0, r), b = Shapes.normalizeDim("transpose", dim1, r);
        if (r == 0) return alias(x, "TransposeBackward0");
        int[] shape = x.shape.clone(), strides = x.strides.clone();
        shape[a] = x.shape[b];
        shape[b] = x.shape[a];
        strides[a] = x.strides[b];
        strides[b] = x.strides[a];
        Tensor result = record(view(x, shape, strides, x.offset), "TransposeBackward0",
                (g, need) -> new Tensor[] {g.transpose(a, b)}, inputs(x));
        return OpTracer.isTracing() ? traced(result, "dim0", a, "dim1", b) : result;
    }

    static Tensor permute(Tensor x, int[] dims) {
        int r = x.shape.length;
        if (dims.length != r) {
            throw new IllegalArgumentException("permute: " + dims.length + " dims given for a tensor of rank " + r
                    + " (shape " + Arrays.toString(x.shape) + ")");
        }
        int[] shape = new int[r], strides = new int[r], inverse = new int[r];
        boolean[] seen = new boolean[r];
        for (int i = 0; i < r; i++) {
            int d = Shapes.normalizeDim("permute", dims[i], r);
            if (seen[d]) throw new IllegalArgumentException("permute: dimension " + d + " repeats in " + Arrays.toString(dims));
            seen[d] = true;
            shape[i] = x.shape[d];
            strides[i] = x.strides[d];
            inverse[d] = i;
        }
        Tensor result = record(view(x, shape, strides, x.offset), "PermuteBackward0",
                (g, need) -> new Tensor[] {g.permute(inverse)}, inputs(x));
        return OpTracer.isTracing() ? traced(result, "dims", dims.clone()) : result;
    }

    static Tensor unsqueeze(Tensor x, int dim) {
        int r = x.shape.length;
        int d = Shapes.normalizeDim("unsqueeze", dim, r + 1);
        int[] shape = new int[r + 1], strides = new int[r + 1];
        for (int i = 0, j = 0; i <= r; i++) {
            if (i == d) {
                shape[i] = 1;
                strides[i] = d < r ? x.shape[d] * x.strides[d] : 1;
            } else {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j++];
            }
        }
        Shapes.check("unsqueeze", shape); // one more dimension may be one too many
        return record(view(x, shape, strides, x.offset), "UnsqueezeBackward0",
                (g, need) -> new Tensor[] {g.squeeze(d)}, inputs(x));
    }

    static Tensor squeeze(Tensor x, int dim) {
        int d = Shapes.normalizeDim("squeeze", dim, x.shape.length);
        if (x.shape.length == 0 || x.shape[d] != 1) return alias(x, "SqueezeBackward1");
        int[] shape = new int[x.shape.length - 1], strides = new int[x.shape.length - 1];
        for (int i = 0, j = 0; i < x.shape.length; i++) {
            if (i == d) continue;
            shape[j] = x.shape[i];
            strides[j++] = x.strides[i];
        }
        int[] inShape = x.shape;
        return record(view(x, shape, strides, x.offset), "SqueezeBackward1",
                (g, need) -> new Tensor[] {g.reshape(inShape)}, inputs(x));
    }

    static Tensor squeezeAll(Tensor x) {
        int keep = 0;
        for (int s : x.shape) if (s != 1) keep++;
        if (keep == x.shape.length) return alias(x, "SqueezeBackward0");
        int[] shape = new int[keep], strides = new int[keep];
        for (int i = 0, j = 0; i < x.shape.length; i++) {
            if (x.shape[i] == 1) continue;
            shape[j] = x.shape[i];
            strides[j++] = x.strides[i];
        }
        int[] inShape = x.shape;
        return record(view(x, shape, strides, x.offset), "SqueezeBackward0",
                (g, need) -> new Tensor[] {g.reshape(inShape)}, inputs(x));
    }

    // ------------------------------------------------------------------------------------------------- expand

    /** Broadcasts to {@code target} as a view (stride 0 on repeated dims); its gradient is summed back by the engine. */
    static Tensor expand(Tensor x, int[] target, String op) {
        int r = x.shape.length;
        if (target.length < r) {
            throw new IllegalArgumentException(op + ": the target shape " + Arrays.toString(target) + " has fewer "
                    + "dimensions than the tensor's " + Arrays.toString(x.shape));
        }
        int lead = target.length - r;
        int[] shape = new int[target.length], strides = new int[target.length];
        for (int i = 0; i < target.length; i++) {
            int j = i - lead;
            int want = target[i];
            if (j < 0) {
                if (want < 0) throw new IllegalArgumentException(op + ": -1 is not allowed for a new leading dimension in " + Arrays.toString(target));
                shape[i] = want;
                strides[i] = 0;
            } else if (want == -1 || want == x.shape[j]) {
                shape[i] = x.shape[j];
                strides[i] = x.strides[j];
            } else if (x.shape[j] == 1 && want >= 0) {
                shape[i] = want;
                strides[i] = 0;
            } else {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(x.shape) + " cannot be expanded to "
                        + Arrays.toString(target) + " (size " + x.shape[j] + " vs " + want + " at dimension " + i
                        + "; only size-1 dimensions can grow)");
            }
        }
        Shapes.check(op, shape); // a view, but numel() and every op on it must still be able to count its elements
        return record(view(x, shape, strides, x.offset), "ExpandBackward0", (g, need) -> new Tensor[] {g}, inputs(x));
    }

    // ------------------------------------------------------------------------------------ narrow, select, split

    static Tensor narrow(Tensor x, int dim, int start, int length) {
        if (x.shape.length == 0) throw new IllegalArgumentException("narrow: cannot narrow a 0-dimensional tensor");
        int d = Shapes.normalizeDim("narrow", dim, x.shape.length);
        int size = x.shape[d];
        int s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || s + length > size) {
            throw new IllegalArgumentException("narrow: start " + start + " and length " + length + " fall outside "
                    + "dimension " + d + " of size " + size + " (shape " + Arrays.toString(x.shape) + ")");
        }
        int[] shape = x.shape.clone();
        shape[d] = length;
        int[] inShape = x.shape;
        Tensor r = record(view(x, shape, x.strides.clone(), x.offset + s * x.strides[d]), "SliceBackward0",
                (g, need) -> new Tensor[] {unnarrow(g, inShape, d, s)}, inputs(x));
        return OpTracer.isTracing() ? traced(r, "dim", d, "start", s, "length", length) : r;
    }

    /** The adjoint of narrow: zeros of {@code shape} with {@code g} placed at {@code start} along {@code dim}. */
    static Tensor unnarrow(Tensor g, int[] shape, int dim, int start) {
        Tensor out = Tensor.allocate(g.dtype, shape.clone());
        Tensor slot = out.viewRaw(g.shape, out.strides, start * out.strides[dim]);
        Loops.copy(g.data(), g.offset, g.strides, slot.data(), slot.offset, slot.strides, g.shape);
        int length = g.shape[dim];
        return record(out, "SliceBackwardBackward0", (gg, need) -> new Tensor[] {gg.narrow(dim, start, length)}, inputs(g));
    }

    static Tensor select(Tensor x, int dim, int index) {
        if (x.shape.length == 0) throw new IllegalArgumentException("select: cannot select from a 0-dimensional tensor");
        int d = Shapes.normalizeDim("select", dim, x.shape.length);
        int i = index < 0 ? index + x.shape[d] : index;
        if (i < 0 || i >= x.shape[d]) {
            throw new IllegalArgumentException("select: index " + index + " is out of range for dimension " + d
                    + " of size " + x.shape[d] + " (shape " + Arrays.toString(x.shape) + ")");
        }
        return Recorder.named(x.narrow(d, i, 1).squeeze(d), "SelectBackward0");
    }

    static List<Tensor> split(Tensor x, int size, int dim) {
        if (x.shape.length == 0) throw new IllegalArgumentException("split: cannot split a 0-dimensional tensor");
        int d = Shapes.normalizeDim("split", dim, x.shape.length);
        if (size <= 0) throw new IllegalArgumentException("split: size must be positive, got " + size);
        List<Tensor> parts = new ArrayList<>();
        for (int s = 0; s < x.shape[d]; s += size) {
            parts.add(Recorder.named(x.narrow(d, s, Math.min(size, x.shape[d] - s)), "SplitBackward0"));
        }
        if (parts.isEmpty()) parts.add(x);
        return parts;
    }

    // ------------------------------------------------------------------------------------------- cat, stack

    static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) throw new IllegalArgumentException("cat: expects a non-empty list of tensors");
        Tensor first = tensors.get(0);
        int r = first.shape.length;
        if (r == 0) throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack");
        int d = Shapes.normalizeDim("cat", dim, r);
        DType type = first.dtype;
        long total = 0;
        for (int k = 0; k < tensors.size(); k++) {
            Tensor t = tensors.get(k);
            boolean ok = t.shape.length == r;
            for (int i = 0; ok && i < r; i++) ok = i == d || t.shape[i] == first.shape[i];
            if (!ok) {
                throw new IllegalArgumentException("cat: tensor " + k + " has shape " + Arrays.toString(t.shape)
                        + ", which does not match tensor 0's " + Arrays.toString(first.shape) + " outside dimension " + d);
            }
            type = DType.promote(type, t.dtype);
            total += t.shape[d];
        }
        long[] joined = new long[r];
        for (int i = 0; i < r; i++) joined[i] = i == d ? total : first.shape[i];
        String problem = Shapes.problem(joined);
        if (problem != null) throw new IllegalArgumentException("cat: " + problem);
        int[] shape = first.shape.clone();
        shape[d] = (int) total;
        Tensor out = Tensor.allocate(type, shape);
        int[] starts = new int[tensors.size()];
        int at = 0;
        for (int k = 0; k < tensors.size(); k++) {
            Tensor t = tensors.get(k);
            starts[k] = at;
            Loops.copy(t.data(), t.offset, t.strides, out.data(), at * out.strides[d], out.strides, t.shape);
            at += t.shape[d];
        }
        Tensor[] ins = tensors.toArray(new Tensor[0]);
        Tensor result = record(out, "CatBackward0", (g, need) -> {
            Tensor[] grads = new Tensor[ins.length];
            for (int k = 0; k < ins.length; k++) if (need[k]) grads[k] = g.narrow(d, starts[k], ins[k].shape[d]);
            return grads;
        }, ins);
        return OpTracer.isTracing() ? traced(result, "dim", d) : result;
    }

    static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) throw new IllegalArgumentException("stack: expects a non-empty list of tensors");
        int[] shape = tensors.get(0).shape;
        int d = Shapes.normalizeDim("stack", dim, shape.length + 1);
        List<Tensor> expanded = new ArrayList<>(tensors.size());
        for (int k = 0; k < tensors.size(); k++) {
            Tensor t = tensors.get(k);
            if (!Arrays.equals(t.shape, shape)) {
                throw new IllegalArgumentException("stack: expects tensors of equal shape, but tensor 0 has "
                        + Arrays.toString(shape) + " and tensor " + k + " has " + Arrays.toString(t.shape));
            }
            expanded.add(t.unsqueeze(d));
        }
        return Recorder.named(cat(expanded, d), "StackBackward0");
    }
}
