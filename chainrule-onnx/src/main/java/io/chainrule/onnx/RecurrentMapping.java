package io.chainrule.onnx;

import io.chainrule.Tensor;
import io.chainrule.onnx.ExportGraph.OpContext;
import io.chainrule.onnx.ExportGraph.Operand;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One recurrent layer (chainrule's fused LSTM, GRU or RNN op, one per stacked layer) as ONNX's LSTM, GRU or RNN
 * node. Gate order differs: PyTorch stacks LSTM gates i, f, g, o and ONNX i, o, f, c; GRU r, z, n against ONNX's
 * z, r, h (with {@code linear_before_reset=1}, which is PyTorch's GRU). The re-ordered W, R and B are computed in the
 * graph (Split, Concat, Unsqueeze) from the state-dict initializers ({@code weight_ih_l0}, ...), so the file keeps
 * one copy of each weight under its PyTorch name and ONNX Runtime folds the re-ordering once when it loads.
 *
 * <p>chainrule's op takes {@code [seq, batch, in]} and returns h after every step (the LSTM's with its last c as one
 * more row); ONNX returns Y {@code [seq, 1, batch, hidden]}, which is squeezed (and, for the LSTM, concatenated with
 * Y_c) to the same tensor. An initial state of zeros, as the layers make when none is given, is left out (ONNX's
 * default), so it does not freeze the example's batch size into the file.
 */
final class RecurrentMapping {
    private RecurrentMapping() {}

    static void emit(OpContext c) {
        String name = c.a.name();
        boolean lstm = name.equals("LstmBackward"), gru = name.equals("GruBackward");
        int[] order = lstm ? new int[] {0, 3, 1, 2} : gru ? new int[] {1, 0, 2} : new int[] {0};
        int hidden = c.inShape(4)[1];
        String w = unsqueeze0(c, reorder(c, c.in(3), hidden, order), "W");
        String r = unsqueeze0(c, reorder(c, c.in(4), hidden, order), "R");
        String b = "";
        if (c.present(5) || c.present(6)) {
            String bi = c.present(5) ? reorder(c, c.in(5), hidden, order) : zeros(c, order.length * hidden);
            String bh = c.present(6) ? reorder(c, c.in(6), hidden, order) : zeros(c, order.length * hidden);
            String both = c.tmp("B");
            c.node("Concat", List.of(bi, bh), List.of(both), Attrs.i("axis", 0));
            b = unsqueeze0(c, both, "B");
        }
        String h0 = isZero(c, 1) ? "" : unsqueeze0(c, c.in(1), "initial_h");
        List<String> ins = new ArrayList<>(List.of(c.in(0), w, r, b, "", h0));
        String y = c.tmp("Y"), yc = lstm ? c.tmp("Y_c") : "";
        List<String> outs = lstm ? List.of(y, "", yc) : List.of(y);
        if (lstm) ins.add(c.present(2) && !isZero(c, 2) ? unsqueeze0(c, c.in(2), "initial_c") : "");
        while (!ins.isEmpty() && ins.get(ins.size() - 1).isEmpty()) ins.remove(ins.size() - 1);
        String op = lstm ? "LSTM" : gru ? "GRU" : "RNN";
        List<ai.onnx.proto.OnnxMl.AttributeProto> attrs = new ArrayList<>(List.of(Attrs.i("hidden_size", hidden)));
        if (gru) attrs.add(Attrs.i("linear_before_reset", 1));
        if (name.equals("RnnTanhBackward")) attrs.add(Attrs.strings("activations", "Tanh"));
        if (name.equals("RnnReluBackward")) attrs.add(Attrs.strings("activations", "Relu"));
        c.node(op, ins, outs, attrs.toArray(new ai.onnx.proto.OnnxMl.AttributeProto[0]));
        String steps = lstm ? c.tmp("Y_steps") : c.out();
        c.node("Squeeze", List.of(y, c.longs(1)), List.of(steps)); // [seq, 1, batch, hidden] → [seq, batch, hidden]
        if (lstm) c.node("Concat", List.of(steps, yc), List.of(c.out()), Attrs.i("axis", 0));
    }

    /** The gate blocks of {@code value} (rows of size hidden on axis 0) in ONNX's order. */
    private static String reorder(OpContext c, String value, int hidden, int[] order) {
        if (order.length == 1) return value;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < order.length; i++) parts.add(c.tmp("gate" + i));
        long[] sizes = new long[order.length];
        Arrays.fill(sizes, hidden);
        c.node("Split", List.of(value, c.longs(sizes)), parts, Attrs.i("axis", 0));
        List<String> reordered = new ArrayList<>();
        for (int g : order) reordered.add(parts.get(g));
        String out = c.tmp("reordered");
        c.node("Concat", reordered, List.of(out), Attrs.i("axis", 0));
        return out;
    }

    private static String unsqueeze0(OpContext c, String value, String what) {
        String out = c.tmp(what);
        c.node("Unsqueeze", List.of(value, c.longs(0)), List.of(out));
        return out;
    }

    private static String zeros(OpContext c, int n) {
        return c.constant(Tensor.zeros(c.outType(), n));
    }

    /** A state made as zeros inside forward (a constant, neither from the input nor a parameter), in both traces. */
    private static boolean isZero(OpContext c, int i) {
        if (!c.present(i)) return true;
        Operand o = c.operand(i);
        return c.isConstant(i) && allZero(o.a()) && allZero(o.b());
    }

    private static boolean allZero(Tensor t) {
        for (double v : t.toDoubleArray()) if (v != 0) return false;
        return true;
    }
}
