package io.chainrule.onnx;

import io.chainrule.DType;
import io.chainrule.Tensor;

import java.util.Arrays;

/**
 * Ops that move values around without computing new ones: the shape arithmetic {@code torch.onnx.export} emits
 * (Shape, Gather, Slice, Concat, Unsqueeze, Reshape, Constant, ConstantOfShape, Expand, Range, ...) and the layout ops
 * (Transpose, Flatten, Split, Tile, Pad). Shapes travel as INT64 tensors and are read back as plain longs; data ops
 * are chainrule views and copies, so gradients pass through them.
 */
final class ShapeOps {
    private ShapeOps() {}

    static OpCompiler shape() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long start = node.attrInt("start", 0);
            Long end = node.has("end") ? node.attrInt("end", 0) : null;
            return Kernel.of(in -> {
                int[] s = in[0].shape();
                int r = s.length;
                int from = (int) clamp(start < 0 ? start + r : start, 0, r);
                int to = end == null ? r : (int) clamp(end < 0 ? end + r : end, 0, r);
                long[] out = new long[Math.max(0, to - from)];
                for (int i = 0; i < out.length; i++) out[i] = s[from + i];
                return Values.ofLongs(out);
            });
        };
    }

    static Tensor size(Tensor x) {
        return Tensor.scalar(x.numel(), DType.INT64);
    }

    static Tensor identity(Tensor x) {
        return x;
    }

    private static long clamp(long v, long lo, long hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    // ------------------------------------------------------------------------------------------------- Gather

    static OpCompiler gather() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            long axis = node.attrInt("axis", 0);
            return Kernel.of(in -> gather(node, in[0], in[1], axis));
        };
    }

    /** Picks slices of {@code data} along {@code axis} (Embedding is this along 0); negative indices count from the end. */
    static Tensor gather(OnnxNode node, Tensor data, Tensor indices, long axis) {
        if (indices.dtype() != DType.INT64) throw node.badInput("indices must be integers, got " + indices.dtype());
        int[] ds = data.shape();
        int a = Values.axis(node, axis, ds.length);
        long[] idx = indices.toLongArray();
        for (int i = 0; i < idx.length; i++) {
            if (idx[i] < -ds[a] || idx[i] >= ds[a]) {
                throw node.badInput("index " + idx[i] + " is out of range for dimension " + a + " of size " + ds[a]);
            }
            if (idx[i] < 0) idx[i] += ds[a];
        }
        int[] is = indices.shape();
        int[] out = new int[ds.length - 1 + is.length];
        System.arraycopy(ds, 0, out, 0, a);
        System.arraycopy(is, 0, out, a, is.length);
        System.arraycopy(ds, a + 1, out, a + is.length, ds.length - a - 1);
        return data.indexSelect(a, Values.ofLongs(idx)).reshape(out);
    }

    static OpCompiler gatherElements() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            long axis = node.attrInt("axis", 0);
            return Kernel.of(in -> {
                int a = Values.axis(node, axis, in[0].dim());
                int n = in[0].shape()[a];
                Tensor idx = in[1];
                if (idx.dtype() != DType.INT64) throw node.badInput("indices must be integers, got " + idx.dtype());
                idx = idx.lt(0).where(idx.add(n), idx); // negative indices count from the end
                return in[0].gather(a, idx);
            });
        };
    }

    // -------------------------------------------------------------------------------------------------- Slice

    static OpCompiler slice() {
        return node -> {
            node.expectOutputs(1, 1);
            if (node.opset < 10) { // starts, ends and axes were attributes
                node.expectInputs(1, 1);
                long[] starts = node.attrInts("starts"), ends = node.attrInts("ends"), axes = node.attrInts("axes");
                if (starts == null || ends == null) throw node.malformed("needs the starts and ends attributes");
                return Kernel.of(in -> slice(node, in[0], starts, ends, axes, null));
            }
            node.expectInputs(3, 5);
            return Kernel.of(in -> slice(node, in[0], Values.longs(node, in[1], "starts"), Values.longs(node, in[2], "ends"),
                    in.length > 3 && in[3] != null ? Values.longs(node, in[3], "axes") : null,
                    in.length > 4 && in[4] != null ? Values.longs(node, in[4], "steps") : null));
        };
    }

    static Tensor slice(OnnxNode node, Tensor x, long[] starts, long[] ends, long[] axes, long[] steps) {
        int r = x.dim();
        if (starts.length != ends.length || (axes != null && axes.length != starts.length)
                || (steps != null && steps.length != starts.length)) {
            throw node.badInput("starts, ends, axes and steps differ in length");
        }
        int[] ax = axes == null ? null : Values.axes(node, axes, r);
        Tensor y = x;
        for (int i = 0; i < starts.length; i++) {
            int a = ax == null ? i : ax[i];
            if (a >= r) throw node.badInput("slices " + starts.length + " axes of a rank-" + r + " tensor");
            long dim = x.shape()[a], step = steps == null ? 1 : steps[i];
            if (step == 0) throw node.badInput("step must not be 0");
            long start = starts[i] < 0 ? starts[i] + dim : starts[i];
            long end = ends[i] < 0 && ends[i] != Long.MIN_VALUE ? ends[i] + dim : ends[i];
            long count;
            if (step > 0) {
                start = clamp(start, 0, dim);
                end = clamp(end, 0, dim);
                count = end > start ? (end - start + step - 1) / step : 0;
            } else {
                start = clamp(start, 0, dim - 1);
                end = clamp(end, -1, dim - 1);
                count = start > end ? (start - end - step - 1) / -step : 0;
            }
            if (step == 1) {
                y = y.narrow(a, (int) start, (int) count);
            } else {
                long[] idx = new long[(int) count];
                for (int k = 0; k < idx.length; k++) idx[k] = start + k * step;
                y = y.indexSelect(a, Values.ofLongs(idx));
            }
        }
        return y;
    }

    // ------------------------------------------------------------------------------------ Concat, Split, Tile

    static OpCompiler concat() {
        return node -> {
            node.expectInputs(1, Integer.MAX_VALUE);
            node.expectOutputs(1, 1);
            if (!node.has("axis")) throw node.malformed("needs the axis attribute");
            long axis = node.attrInt("axis", 0);
            return Kernel.of(in -> Tensor.cat(Arrays.asList(in), Values.axis(node, axis, in[0].dim())));
        };
    }

    static OpCompiler split() {
        return node -> {
            node.expectInputs(1, 2);
            int outputs = node.outputs.size();
            node.expectOutputs(outputs, outputs);
            long axis = node.attrInt("axis", 0);
            long[] splitAttr = node.attrInts("split");
            long numOutputs = node.attrInt("num_outputs", outputs);
            if (numOutputs != outputs) throw node.malformed("num_outputs " + numOutputs + " but " + outputs + " outputs");
            return in -> {
                Tensor x = in[0];
                int a = Values.axis(node, axis, x.dim());
                int n = x.shape()[a];
                long[] sizes = in.length > 1 && in[1] != null ? Values.longs(node, in[1], "split") : splitAttr;
                if (sizes == null) { // equal parts; with opset 18's num_outputs the last may be smaller
                    int part = (n + outputs - 1) / outputs;
                    if (node.opset < 18 && n % outputs != 0) throw node.badInput("dimension " + n + " does not split into " + outputs + " equal parts");
                    sizes = new long[outputs];
                    for (int i = 0; i < outputs; i++) sizes[i] = Math.max(0, Math.min(part, n - (long) part * i));
                }
                if (sizes.length != outputs || Arrays.stream(sizes).sum() != n || Arrays.stream(sizes).anyMatch(s -> s < 0)) {
                    throw node.badInput("split sizes " + Arrays.toString(sizes) + " do not cover dimension " + a + " of size " + n
                            + " in " + outputs + " parts");
                }
                Tensor[] out = new Tensor[outputs];
                int at = 0;
                for (int i = 0; i < outputs; i++) {
                    out[i] = x.narrow(a, at, (int) sizes[i]);
                    at += (int) sizes[i];
                }
                return out;
            };
        };
    }

    static OpCompiler tile() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> {
                Tensor x = in[0];
                long[] reps = Values.longs(node, in[1], "repeats");
                if (reps.length != x.dim()) throw node.badInput("repeats " + Arrays.toString(reps) + " for a rank-" + x.dim() + " tensor");
                long[] target = new long[reps.length];
                for (int i = 0; i < reps.length; i++) {
                    if (reps[i] < 0) throw node.badInput("negative repeat " + reps[i]);
                    target[i] = reps[i] * x.shape()[i];
                }
                Values.shape(node, target, "tiled shape");
                for (int i = 0; i < reps.length; i++) {
                    if (reps[i] != 1) x = Tensor.cat(java.util.Collections.nCopies((int) reps[i], x), i);
                }
                return x;
            });
        };
    }

    // ----------------------------------------------------------------------------------- rank and layout changes

    static OpCompiler unsqueeze() {
        return node -> {
            node.expectOutputs(1, 1);
            long[] attr = node.attrInts("axes");
            node.expectInputs(attr == null ? 2 : 1, attr == null ? 2 : 1);
            return Kernel.of(in -> {
                long[] axes = attr != null ? attr : Values.longs(node, in[1], "axes");
                int[] ax = Values.axes(node, axes, in[0].dim() + axes.length);
                Arrays.sort(ax);
                Tensor y = in[0];
                for (int a : ax) y = y.unsqueeze(a);
                return y;
            });
        };
    }

    static OpCompiler squeeze() {
        return node -> {
            node.expectOutputs(1, 1);
            long[] attr = node.attrInts("axes");
            node.expectInputs(1, attr == null ? 2 : 1);
            return Kernel.of(in -> {
                long[] axes = attr != null ? attr : in.length > 1 && in[1] != null ? Values.longs(node, in[1], "axes") : null;
                Tensor y = in[0];
                if (axes == null) return y.dim() == 0 ? y : y.squeeze();
                int[] ax = Values.axes(node, axes, y.dim());
                Arrays.sort(ax);
                for (int i = ax.length - 1; i >= 0; i--) {
                    if (y.shape()[ax[i]] != 1) {
                        throw node.badInput("cannot squeeze dimension " + ax[i] + " of shape " + Arrays.toString(in[0].shape()));
                    }
                    y = y.squeeze(ax[i]);
                }
                return y;
            });
        };
    }

    static OpCompiler reshape() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            boolean allowZero = node.attrInt("allowzero", 0) != 0;
            return Kernel.of(in -> in[0].reshape(reshapeTarget(node, in[0].shape(), Values.longs(node, in[1], "shape"), allowZero)));
        };
    }

    /** ONNX Reshape's rules: 0 copies the input's dimension (unless allowzero), one −1 is inferred. */
    static int[] reshapeTarget(OnnxNode node, int[] from, long[] spec, boolean allowZero) {
        long known = 1, numel = 1;
        for (int d : from) numel *= d;
        int infer = -1;
        long[] dims = spec.clone();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0 && !allowZero) {
                if (i >= from.length) throw node.badInput("shape " + Arrays.toString(spec) + " copies dimension " + i + " of " + Arrays.toString(from));
                dims[i] = from[i];
            }
            if (dims[i] == -1) {
                if (infer >= 0) throw node.badInput("shape " + Arrays.toString(spec) + " has more than one -1");
                infer = i;
            } else if (dims[i] < 0) {
                throw node.badInput("shape " + Arrays.toString(spec) + " has a negative dimension");
            } else {
                known = Math.multiplyExact(known, Math.min(dims[i], Integer.MAX_VALUE + 1L));
                if (known > Integer.MAX_VALUE) known = Integer.MAX_VALUE + 1L;
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw node.badInput("cannot reshape " + Arrays.toString(from) + " to " + Arrays.toString(spec));
            }
            dims[infer] = numel / known;
        } else if (known != numel) {
            throw node.badInput("cannot reshape " + Arrays.toString(from) + " (" + numel + " elements) to " + Arrays.toString(spec));
        }
        return Values.shape(node, dims, "shape");
    }

    static OpCompiler flatten() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long axis = node.attrInt("axis", 1);
            return Kernel.of(in -> {
                int[] s = in[0].shape();
                if (axis < -s.length || axis > s.length) throw node.badInput("axis " + axis + " is out of range for rank " + s.length);
                int a = (int) (axis < 0 ? axis + s.length : axis);
                int outer = 1, inner = 1;
                for (int i = 0; i < s.length; i++) {
                    if (i < a) outer *= s[i];
                    else inner *= s[i];
                }
                return in[0].reshape(outer, inner);
            });
        };
    }

    static OpCompiler transpose() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            long[] perm = node.attrInts("perm");
            return Kernel.of(in -> {
                int r = in[0].dim();
                int[] p = new int[r];
                for (int i = 0; i < r; i++) p[i] = r - 1 - i;
                if (perm != null) {
                    if (perm.length != r) throw node.badInput("perm " + Arrays.toString(perm) + " for a rank-" + r + " tensor");
                    p = Values.axes(node, perm, r);
                }
                return r == 0 ? in[0] : in[0].permute(p);
            });
        };
    }

    static OpCompiler expand() {
        return node -> {
            node.expectInputs(2, 2);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> {
                long[] spec = Values.longs(node, in[1], "shape");
                int[] target = Values.broadcast(node, in[0].shape(), Values.shape(node, spec, "shape"));
                Values.shape(node, Arrays.stream(target).asLongStream().toArray(), "expanded shape");
                return in[0].expand(target);
            });
        };
    }

    // -------------------------------------------------------------------------------------- constants, ranges

    static OpCompiler constant() {
        return node -> {
            node.expectInputs(0, 0);
            node.expectOutputs(1, 1);
            Tensor value;
            if (node.has("value")) value = node.attrTensor("value");
            else if (node.has("value_float")) value = Tensor.scalar(node.attrFloat("value_float", 0));
            else if (node.has("value_floats")) {
                float[] f = node.attrFloats("value_floats");
                value = Tensor.of(f, f.length);
            } else if (node.has("value_int")) value = Tensor.scalar(node.attrInt("value_int", 0), DType.INT64);
            else if (node.has("value_ints")) value = Values.ofLongs(node.attrInts("value_ints"));
            else throw node.unsupported("a Constant without a value, value_float(s) or value_int(s) attribute");
            Tensor v = value;
            return Kernel.of(in -> v);
        };
    }

    static OpCompiler constantOfShape() {
        return node -> {
            node.expectInputs(1, 1);
            node.expectOutputs(1, 1);
            Tensor value = node.attrTensor("value");
            if (value != null && value.numel() != 1) throw node.malformed("value must hold one element, has " + value.numel());
            DType type = value == null ? DType.FLOAT32 : value.dtype();
            double v = value == null ? 0 : value.toDoubleArray()[0];
            return Kernel.of(in -> {
                int[] shape = Values.shape(node, Values.longs(node, in[0], "shape"), "shape");
                return type == DType.BOOL ? Tensor.zeros(DType.INT64, shape).add(v != 0 ? 1 : 0).ne(0)
                        : Tensor.full(type, v, shape);
            });
        };
    }

    static OpCompiler range() {
        return node -> {
            node.expectInputs(3, 3);
            node.expectOutputs(1, 1);
            return Kernel.of(in -> {
                double start = Values.scalar(node, in[0], "start"), limit = Values.scalar(node, in[1], "limit");
                double delta = Values.scalar(node, in[2], "delta");
                if (delta == 0) throw node.badInput("delta must not be 0");
                double steps = Math.ceil((limit - start) / delta);
                long n = Double.isNaN(steps) ? 0 : (long) Math.max(0, Math.min(steps, Long.MAX_VALUE));
                Values.checkAllocation(node, n, "a range of " + n + " values");
                DType t = in[0].dtype();
                if (t == DType.INT64) {
                    long[] v = new long[(int) n];
                    long s = (long) start, d = (long) delta;
                    for (int i = 0; i < v.length; i++) v[i] = s + i * d;
                    return Values.ofLongs(v);
                }
                double[] v = new double[(int) n];
                for (int i = 0; i < v.length; i++) v[i] = start + i * delta;
                return Tensor.of(v, v.length).to(t);
            });
        };
    }

    // ----------------------------------------------------------------------------------------------------- Pad

    /**
     * Edge and reflect padding as index selection along each padded axis (edge repeats the border element, reflect
     * mirrors without repeating it), so the gradient of a repeated element is summed back onto it.
     */
    private static Tensor padByIndex(OnnxNode node, Tensor x, long[] full, boolean reflect) {
        int r = x.dim();
        Tensor y = x;
        for (int a = 0; a < r; a++) {
            long before = full[a], after = full[r + a];
            if (before == 0 && after == 0) continue;
            int n = x.size(a);
            if (before < 0 || after < 0) throw node.unsupported("negative pads with mode " + (reflect ? "reflect" : "edge"));
            if (n == 0 || reflect && (n < 2 || before >= n || after >= n)) {
                throw node.badInput("cannot " + (reflect ? "reflect" : "edge") + "-pad " + before + " and " + after + " around size " + n);
            }
            long[] idx = new long[(int) (n + before + after)];
            for (int i = 0; i < idx.length; i++) {
                long j = i - before;
                if (j < 0) j = reflect ? -j : 0;
                else if (j >= n) j = reflect ? 2L * (n - 1) - j : n - 1;
                idx[i] = j;
            }
            y = y.indexSelect(a, Values.ofLongs(idx));
        }
        return y;
    }

    /** Pad with a constant, the edge values or a reflection: pads are [begin of each axis..., end of each axis...]. */
    static OpCompiler pad() {
        return node -> {
            node.expectOutputs(1, 1);
            String mode = node.attrString("mode", "constant");
            node.require(mode.equals("constant") || mode.equals("edge") || mode.equals("reflect"), "mode '" + mode + "'");
            long[] attrPads = node.attrInts("pads");
            double attrValue = node.attrFloat("value", 0);
            if (attrPads != null) node.expectInputs(1, 1);
            else node.expectInputs(2, 4);
            return Kernel.of(in -> {
                Tensor x = in[0];
                int r = x.dim();
                long[] pads = attrPads != null ? attrPads : Values.longs(node, in[1], "pads");
                double value = in.length > 2 && in[2] != null ? Values.scalar(node, in[2], "constant_value") : attrValue;
                int[] axes = in.length > 3 && in[3] != null ? Values.axes(node, Values.longs(node, in[3], "axes"), r) : null;
                int k = axes == null ? r : axes.length;
                if (pads.length != 2 * k) throw node.badInput("pads " + Arrays.toString(pads) + " for " + k + " axes");
                long[] full = new long[2 * r];
                for (int i = 0; i < k; i++) {
                    int a = axes == null ? i : axes[i];
                    full[a] = pads[i];
                    full[r + a] = pads[k + i];
                }
                long[] padded = new long[r];
                for (int a = 0; a < r; a++) padded[a] = x.shape()[a] + full[a] + full[r + a];
                Values.shape(node, padded, "padded shape");
                if (!mode.equals("constant")) return padByIndex(node, x, full, mode.equals("reflect"));
                int[] torchOrder = new int[2 * r]; // last dimension first, (begin, end) pairs
                for (int a = 0; a < r; a++) {
                    torchOrder[2 * (r - 1 - a)] = (int) full[a];
                    torchOrder[2 * (r - 1 - a) + 1] = (int) full[r + a];
                }
                return Values.padConstant(x, torchOrder, value);
            });
        };
    }
}
