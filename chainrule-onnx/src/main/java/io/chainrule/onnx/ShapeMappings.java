package io.chainrule.onnx;

import io.chainrule.onnx.ExportGraph.OpContext;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape ops with the batch kept symbolic. The two traces give each dimension's size at two batch sizes, so a
 * dimension that follows the batch is written so that ONNX computes it: 0 (copy the input's) or −1 (infer) in a
 * Reshape, 1 in an Expand, an index counted from the end in a Slice. Squeeze and unsqueeze axes are read off the
 * shapes of both traces (so a batch of 1 cannot be mistaken for a squeezable dimension).
 */
final class ShapeMappings {
    private ShapeMappings() {}

    static void reshape(OpContext c) {
        int[] in = c.inShape(0), out = c.outShape();
        boolean[] inBatch = c.inBatchDims(0), outBatch = c.outBatchDims();
        long[] target = new long[out.length];
        int inferred = -1;
        for (int j = 0; j < out.length; j++) {
            target[j] = out[j];
            if (!outBatch[j]) {
                if (out[j] == 0) throw c.unsupported("reshapes to an empty dimension, which ONNX's Reshape reads as 'copy'");
                continue;
            }
            if (j < in.length && inBatch[j] && in[j] == out[j]) {
                target[j] = 0; // ONNX: copy the input's dimension j
            } else if (inferred < 0) {
                target[j] = -1;
                inferred = j;
            } else {
                throw c.unsupported("reshapes " + Arrays.toString(in) + " to " + Arrays.toString(out) + " with more than one "
                        + "dimension following the batch size, which a Reshape cannot keep symbolic");
            }
        }
        c.node("Reshape", List.of(c.in(0), c.longs(target)), List.of(c.out()));
    }

    static void unsqueeze(OpContext c) {
        int[] inA = c.inShape(0), outA = c.outShape();
        int[] inB = c.operand(0).b().shape(), outB = c.b.output().shape();
        List<Long> axes = new ArrayList<>();
        int i = 0;
        for (int j = 0; j < outA.length; j++) {
            if (i < inA.length && inA[i] == outA[j] && inB[i] == outB[j]) i++;
            else axes.add((long) j);
        }
        axesOp(c, "Unsqueeze", axes);
    }

    static void squeeze(OpContext c) {
        int[] inA = c.inShape(0), outA = c.outShape();
        int[] inB = c.operand(0).b().shape(), outB = c.b.output().shape();
        List<Long> axes = new ArrayList<>();
        int j = 0;
        for (int i = 0; i < inA.length; i++) {
            if (j < outA.length && inA[i] == outA[j] && inB[i] == outB[j]) j++;
            else axes.add((long) i);
        }
        axesOp(c, "Squeeze", axes);
    }

    private static void axesOp(OpContext c, String op, List<Long> axes) {
        if (axes.isEmpty()) {
            c.node("Identity", List.of(c.in(0)), List.of(c.out()));
            return;
        }
        c.node(op, List.of(c.in(0), c.longs(axes.stream().mapToLong(Long::longValue).toArray())), List.of(c.out()));
    }

    static void transpose(OpContext c) {
        int rank = c.inShape(0).length;
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) perm[i] = i;
        if (c.a.attributes().containsKey("dims")) {
            perm = c.a.intsAttribute("dims").clone();
            for (int i = 0; i < rank; i++) if (perm[i] < 0) perm[i] += rank;
        } else if (c.a.attributes().containsKey("dim0")) {
            int d0 = c.a.intAttribute("dim0"), d1 = c.a.intAttribute("dim1");
            perm[d0] = d1;
            perm[d1] = d0;
        }
        boolean identity = true;
        for (int i = 0; i < rank; i++) identity &= perm[i] == i;
        if (identity) c.node("Identity", List.of(c.in(0)), List.of(c.out()));
        else c.node("Transpose", List.of(c.in(0)), List.of(c.out()), Attrs.ints("perm", perm));
    }

    /** Expand: a dimension that follows the batch is 1 in the target, so the input's own (batch) size is kept. */
    static void expand(OpContext c) {
        int[] in = c.inShape(0), out = c.outShape();
        boolean[] inBatch = c.inBatchDims(0), outBatch = c.outBatchDims();
        long[] target = new long[out.length];
        int lead = out.length - in.length;
        for (int j = 0; j < out.length; j++) {
            target[j] = out[j];
            if (!outBatch[j]) continue;
            int i = j - lead;
            if (i < 0 || !inBatch[i]) {
                throw c.unsupported("expands a dimension to the batch size (" + Arrays.toString(in) + " to "
                        + Arrays.toString(out) + "), which would freeze the example's batch size into the file");
            }
            target[j] = 1;
        }
        c.node("Expand", List.of(c.in(0), c.longs(target)), List.of(c.out()));
    }

    /** narrow(dim, start, length) as Slice; a bound that moves with the batch is counted from the end. */
    static void slice(OpContext c) {
        int d = c.a.intAttribute("dim");
        int sizeA = c.inShape(0)[d], sizeB = c.operand(0).b().shape()[d];
        int startA = c.a.intAttribute("start"), startB = c.b.intAttribute("start");
        int endA = startA + c.a.intAttribute("length"), endB = startB + c.b.intAttribute("length");
        long start, end;
        if (startA == startB) start = startA;
        else if (sizeA - startA == sizeB - startB) start = startA - sizeA;
        else throw c.unsupported("slices dimension " + d + " at a start that follows the batch size in no fixed way");
        if (endA == sizeA && endB == sizeB) end = Long.MAX_VALUE;
        else if (endA == endB) end = endA;
        else if (sizeA - endA == sizeB - endB) end = endA - sizeA;
        else throw c.unsupported("slices dimension " + d + " to an end that follows the batch size in no fixed way");
        if (start == 0 && end == Long.MAX_VALUE) {
            c.node("Identity", List.of(c.in(0)), List.of(c.out()));
            return;
        }
        c.node("Slice", List.of(c.in(0), c.longs(start), c.longs(end), c.longs(d)), List.of(c.out()));
    }
}
