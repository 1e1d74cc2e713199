package io.chainrule.onnx;

import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * ONNX's RNN, LSTM and GRU on chainrule's fused recurrent layers (one op per direction). ONNX orders the gate blocks
 * of W, R and B differently from PyTorch (and so from chainrule): LSTM i, o, f, c against PyTorch's i, f, g, o; GRU
 * z, r, h against r, z, n. The blocks are reordered with narrow and cat, so the gradient reaches the file's tensors.
 * A GRU with linear_before_reset = 0 (ONNX's default; PyTorch exports 1) applies the reset gate before the hidden
 * projection and runs as a loop of tensor ops per step.
 */
final class RecurrentLayers {
    private RecurrentLayers() {}

    enum Kind {
        RNN(1, new int[] {0}, List.of("tanh")),
        LSTM(4, new int[] {0, 2, 3, 1}, List.of("sigmoid", "tanh", "tanh")),
        GRU(3, new int[] {1, 0, 2}, List.of("sigmoid", "tanh"));

        final int gates;
        /** For each of PyTorch's gate blocks, which ONNX block holds it. */
        final int[] torchFromOnnx;
        final List<String> activations;

        Kind(int gates, int[] torchFromOnnx, List<String> activations) {
            this.gates = gates;
            this.torchFromOnnx = torchFromOnnx;
            this.activations = activations;
        }
    }

    /** What a node asks for, read once at load time. */
    private record Spec(Kind kind, int hidden, int directions, boolean reverse, boolean batchFirst, String nonlinearity,
                        boolean linearBeforeReset) {}

    static OpCompiler compiler(Kind kind) {
        return node -> {
            node.expectInputs(3, kind == Kind.LSTM ? 8 : 6);
            node.expectOutputs(kind == Kind.LSTM ? 3 : 2, kind == Kind.LSTM ? 3 : 2);
            Spec spec = read(node, kind);
            return in -> run(node, spec, in);
        };
    }

    private static Spec read(OnnxNode node, Kind kind) throws IOException {
        long hidden = node.attrInt("hidden_size", -1);
        if (!node.has("hidden_size") || hidden < 1 || hidden > Integer.MAX_VALUE) throw node.malformed("needs a positive hidden_size");
        String direction = node.attrString("direction", "forward");
        node.require(List.of("forward", "reverse", "bidirectional").contains(direction), "direction '" + direction + "'");
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        node.require(!node.has("clip"), "attribute 'clip'");
        node.require(node.attrInt("input_forget", 0) == 0, "input_forget 1");
        long layout = node.attrInt("layout", 0);
        node.require(layout == 0 || layout == 1, "layout " + layout);
        boolean lbr = kind == Kind.GRU && node.attrInt("linear_before_reset", 0) != 0;
        List<String> acts = node.attrStrings("activations");
        String nonlinearity = "tanh";
        if (acts != null) {
            List<String> lower = acts.stream().map(a -> a.toLowerCase(Locale.ROOT)).toList();
            List<String> expected = new ArrayList<>();
            if (kind == Kind.RNN && !lower.isEmpty() && lower.get(0).equals("relu")) nonlinearity = "relu";
            for (int d = 0; d < dirs; d++) expected.addAll(kind == Kind.RNN ? List.of(nonlinearity) : kind.activations);
            node.require(lower.equals(expected), "activations " + acts);
        }
        if (kind == Kind.LSTM && node.hasInput(7)) throw node.unsupported("peephole weights (input P)");
        return new Spec(kind, (int) hidden, dirs, direction.equals("reverse"), layout == 1, nonlinearity, lbr);
    }

    private static Tensor[] run(OnnxNode node, Spec spec, Tensor[] in) {
        Tensor x = spec.batchFirst ? in[0].transpose(0, 1) : in[0];
        Tensor w = in[1], r = in[2];
        Tensor b = in.length > 3 ? in[3] : null;
        int h = spec.hidden, g = spec.kind.gates * h;
        check(node, x.dim() == 3 && x.size(0) > 0, "X must be [seq, batch, input] with seq > 0, got " + Arrays.toString(in[0].shape()));
        int seq = x.size(0), batch = x.size(1), inSize = x.size(2);
        check(node, Arrays.equals(w.shape(), new int[] {spec.directions, g, inSize}), "W " + Arrays.toString(w.shape())
                + " does not fit " + spec.directions + " direction(s), " + g + " gate rows and input " + inSize);
        check(node, Arrays.equals(r.shape(), new int[] {spec.directions, g, h}), "R " + Arrays.toString(r.shape()) + " does not fit hidden " + h);
        check(node, b == null || Arrays.equals(b.shape(), new int[] {spec.directions, 2 * g}), "B " + (b == null ? "" : Arrays.toString(b.shape())));
        if (in.length > 4 && in[4] != null) {
            for (long len : Values.longs(node, in[4], "sequence_lens")) {
                if (len != seq) throw node.unsupported("sequence_lens shorter than the sequence (" + len + " of " + seq + ")");
            }
        }
        Tensor h0 = state(node, in.length > 5 ? in[5] : null, spec, batch, "initial_h");
        Tensor c0 = spec.kind == Kind.LSTM ? state(node, in.length > 6 ? in[6] : null, spec, batch, "initial_c") : null;
        List<Tensor> ys = new ArrayList<>(), hs = new ArrayList<>(), cs = new ArrayList<>();
        for (int d = 0; d < spec.directions; d++) {
            boolean reverse = spec.reverse || d == 1;
            Tensor xs = reverse ? flip(x) : x;
            Tensor wd = w.select(0, d), rd = r.select(0, d);
            Tensor bi = b == null ? null : b.select(0, d).narrow(0, 0, g), bh = b == null ? null : b.select(0, d).narrow(0, g, g);
            Tensor hd = h0 == null ? Tensor.zeros(x.dtype(), batch, h) : h0.select(0, d);
            Tensor y;
            switch (spec.kind) {
                case LSTM -> {
                    Tensor cd = c0 == null ? Tensor.zeros(x.dtype(), batch, h) : c0.select(0, d);
                    Tensor out = LayerPrimitives.lstm(xs, hd, cd, torch(wd, spec), torch(rd, spec), torch(bi, spec), torch(bh, spec));
                    y = out.narrow(0, 0, seq);
                    cs.add(out.select(0, seq));
                }
                case GRU -> y = spec.linearBeforeReset
                        ? LayerPrimitives.gru(xs, hd, torch(wd, spec), torch(rd, spec), torch(bi, spec), torch(bh, spec))
                        : gruResetFirst(xs, hd, wd, rd, bi, bh, h);
                default -> y = LayerPrimitives.rnn(xs, hd, wd, rd, bi, bh, spec.nonlinearity);
            }
            hs.add(y.select(0, seq - 1));
            ys.add(reverse ? flip(y) : y);
        }
        Tensor yAll = Tensor.stack(ys, 1), yH = Tensor.stack(hs, 0), yC = cs.isEmpty() ? null : Tensor.stack(cs, 0);
        if (spec.batchFirst) {
            yAll = yAll.permute(2, 0, 1, 3);
            yH = yH.transpose(0, 1);
            if (yC != null) yC = yC.transpose(0, 1);
        }
        return spec.kind == Kind.LSTM ? new Tensor[] {yAll, yH, yC} : new Tensor[] {yAll, yH};
    }

    private static void check(OnnxNode node, boolean ok, String what) {
        if (!ok) throw node.badInput(what);
    }

    /** initial_h / initial_c as [directions, batch, hidden] (from [batch, directions, hidden] with layout 1), or null. */
    private static Tensor state(OnnxNode node, Tensor s, Spec spec, int batch, String name) {
        if (s == null) return null;
        Tensor t = spec.batchFirst ? s.transpose(0, 1) : s;
        check(node, Arrays.equals(t.shape(), new int[] {spec.directions, batch, spec.hidden}), name + " " + Arrays.toString(s.shape())
                + " does not fit " + spec.directions + " direction(s), batch " + batch + ", hidden " + spec.hidden);
        return t;
    }

    /** The gate blocks of an ONNX weight or bias (rows) in PyTorch's order. */
    private static Tensor torch(Tensor m, Spec spec) {
        if (m == null || spec.kind == Kind.RNN) return m;
        List<Tensor> blocks = new ArrayList<>();
        for (int onnxBlock : spec.kind.torchFromOnnx) blocks.add(m.narrow(0, onnxBlock * spec.hidden, spec.hidden));
        return Tensor.cat(blocks, 0);
    }

    /** The sequence in reverse time order (dimension 0). */
    private static Tensor flip(Tensor x) {
        int n = x.size(0);
        long[] idx = new long[n];
        for (int i = 0; i < n; i++) idx[i] = n - 1 - i;
        return x.indexSelect(0, Values.ofLongs(idx));
    }

    /**
     * ONNX's default GRU (linear_before_reset = 0), ONNX gate order z, r, h: z = σ(x·Wzᵀ + h·Rzᵀ + Wbz + Rbz),
     * r likewise, ĥ = tanh(x·Whᵀ + (r∘h)·Rhᵀ + Rbh + Wbh), h = (1 − z)∘ĥ + z∘h.
     */
    private static Tensor gruResetFirst(Tensor xs, Tensor h, Tensor w, Tensor r, Tensor bi, Tensor bh, int hidden) {
        Tensor xw = xs.matmul(w.t());
        if (bi != null) xw = xw.add(bi);
        Tensor rzr = r.narrow(0, 0, 2 * hidden), rh = r.narrow(0, 2 * hidden, hidden);
        List<Tensor> out = new ArrayList<>();
        for (int t = 0; t < xs.size(0); t++) {
            Tensor xt = xw.select(0, t);
            Tensor hr = h.matmul(rzr.t());
            if (bh != null) hr = hr.add(bh.narrow(0, 0, 2 * hidden));
            Tensor zr = xt.narrow(1, 0, 2 * hidden).add(hr).sigmoid();
            Tensor z = zr.narrow(1, 0, hidden), reset = zr.narrow(1, hidden, hidden);
            Tensor cand = reset.mul(h).matmul(rh.t()).add(xt.narrow(1, 2 * hidden, hidden));
            if (bh != null) cand = cand.add(bh.narrow(0, 2 * hidden, hidden));
            cand = cand.tanh();
            h = z.neg().add(1).mul(cand).add(z.mul(h));
            out.add(h);
        }
        return Tensor.stack(out, 0);
    }
}
