package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Pointwise.Binary;
import io.chainrule.tensor.Shapes;

import java.util.Arrays;

import static io.chainrule.Recorder.inputs;
import static io.chainrule.Recorder.record;

/**
 * In-place ops ({@code addi}, {@code muli}, {@code copyFrom}, ...). Each bumps the storage's version, so a backward
 * that saved the old values fails loudly. Under grad mode they are refused on a leaf that requires grad (PyTorch's
 * rule) and, when they must be recorded, on views; on other tensors the history is extended, so gradients stay right.
 */
final class InPlaceOps {
    enum Kind {
        ADD(Binary.ADD, "addi", "AddBackward0"),
        SUB(Binary.SUB, "subi", "SubBackward0"),
        MUL(Binary.MUL, "muli", "MulBackward0"),
        DIV(Binary.DIV, "divi", "DivBackward0");

        final Binary kernel;
        final String op;
        final String node;

        Kind(Binary kernel, String op, String node) {
            this.kernel = kernel;
            this.op = op;
            this.node = node;
        }
    }

    private InPlaceOps() {}

    /** Fails when an in-place write on {@code self} cannot be recorded correctly. */
    private static void checkWritable(String op, Tensor self, Tensor other) {
        if (!GradMode.isEnabled()) return;
        if (self.requiresGrad() && self.isLeaf()) {
            throw new IllegalStateException(op + ": a leaf tensor that requires grad (shape " + Arrays.toString(self.shape)
                    + ") is being used in an in-place operation; do it inside Autograd.noGrad() or on a detach()ed copy");
        }
        // A recorded write through a view would give the view a history its base never sees: the base's gradient
        // would silently miss it. (PyTorch rebases the base's history; chainrule refuses instead.)
        boolean recording = self.requiresGrad() || (other != null && other.requiresGrad());
        if (recording && self.isView) {
            throw new IllegalStateException(op + ": in-place writes that autograd must record are not supported on a view "
                    + "(shape " + Arrays.toString(self.shape) + "); build the result out of place (cat, stack, where, "
                    + "indexAdd, scatterAdd) or write under Autograd.noGrad()");
        }
    }

    /**
     * An expanded view (stride 0 on a dimension longer than 1) has several elements in one memory location: writing
     * a different value to each is meaningless, so it is refused like PyTorch does.
     */
    private static void checkNoInternalOverlap(String op, Tensor self) {
        if (self.numel() == 0) return;
        for (int d = 0; d < self.shape.length; d++) {
            if (self.strides[d] == 0 && self.shape[d] > 1) {
                throw new IllegalArgumentException(op + ": the in-place target of shape " + Arrays.toString(self.shape)
                        + " is an expanded view (strides " + Arrays.toString(self.strides) + "): several of its elements "
                        + "share one memory location; write into a contiguous() copy instead");
            }
        }
    }

    private static void checkTarget(Kind kind, Tensor self, Tensor other) {
        String op = kind.op;
        checkNoInternalOverlap(op, self);
        int[] shape = Shapes.broadcast(op, self.shape, other.shape);
        if (!Arrays.equals(shape, self.shape)) {
            throw new IllegalArgumentException(op + ": the result of shape " + Arrays.toString(shape) + " does not fit "
                    + "the in-place target of shape " + Arrays.toString(self.shape));
        }
        // True division of integers gives floats (as div does), which an integer tensor cannot hold: PyTorch's rule.
        DType result = kind == Kind.DIV ? PointwiseOps.floatType(DType.promote(self.dtype, other.dtype))
                : DType.promote(self.dtype, other.dtype);
        if (!self.dtype.isFloatingPoint() && result.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": the " + result + " result cannot be written into the " + self.dtype
                    + " tensor of shape " + Arrays.toString(self.shape));
        }
    }

    static Tensor binary(Tensor self, Tensor other, Kind kind) {
        checkTarget(kind, self, other);
        checkWritable(kind.op, self, other);
        boolean recording = Recorder.recording(self, other);
        Tensor old = recording && kind != Kind.ADD && kind != Kind.SUB ? self.cloneRaw() : null;
        Tensor src = other.castRaw(self.dtype);
        boolean direct = self.dtype.isFloatingPoint() && self.isContiguous() && src.storage != self.storage;
        if (direct) {
            Loops.binary(kind.kernel, self.data(), self.offset, self.strides, src.data(), src.offset,
                    Shapes.broadcastStrides(src.shape, src.strides, self.shape), self.data(), self.offset, self.strides, self.shape);
        } else {
            Tensor result = PointwiseOps.binaryRaw(kind.op, kind.kernel, self, src, self.dtype);
            Loops.copy(result.data(), 0, result.strides, self.data(), self.offset, self.strides, self.shape);
        }
        self.storage.bumpVersion();
        // not recorded, but a trace (an exporter) must still see the write
        if (!recording) return OpTracer.isTracing() ? OpTracer.op(self, kind.node, inputs(self, other)) : self;
        return switch (kind) {
            case ADD -> record(self, kind.node, (g, need) -> new Tensor[] {g, g}, inputs(self, other));
            case SUB -> record(self, kind.node, (g, need) -> new Tensor[] {g, need[1] ? g.neg() : null}, inputs(self, other));
            case MUL -> record(self, kind.node, (g, need) -> new Tensor[] {need[0] ? g.mul(other) : null,
                    need[1] ? g.mul(old) : null}, inputs(self, other), other);
            case DIV -> record(self, kind.node, (g, need) -> new Tensor[] {need[0] ? g.div(other) : null,
                    need[1] ? g.neg().mul(old).div(other.square()) : null}, inputs(self, other), other);
        };
    }

    static Tensor copyFrom(Tensor self, Tensor src) {
        int[] shape = Shapes.broadcast("copyFrom", self.shape, src.shape);
        if (!Arrays.equals(shape, self.shape)) {
            throw new IllegalArgumentException("copyFrom: source of shape " + Arrays.toString(src.shape)
                    + " cannot be broadcast to the target shape " + Arrays.toString(self.shape));
        }
        checkNoInternalOverlap("copyFrom", self);
        checkWritable("copyFrom", self, src);
        Tensor s = src.storage == self.storage ? src.cloneRaw() : src;
        Loops.copy(s.data(), s.offset, Shapes.broadcastStrides(s.shape, s.strides, self.shape),
                self.data(), self.offset, self.strides, self.shape);
        self.storage.bumpVersion();
        // The old values are gone: the gradient flows to src only.
        return record(self, "CopyBackwards", (g, need) -> new Tensor[] {null, g}, inputs(self.requiresGrad() ? self : null, src));
    }

    static Tensor fill(Tensor self, double v) {
        checkWritable("fill", self, null);
        self.fillRaw(v);
        self.storage.bumpVersion();
        if (Recorder.recording(self)) {
            // Constant now: gradients stop here.
            return record(self, "FillBackward0", (g, need) -> new Tensor[] {null}, inputs(self));
        }
        return self;
    }

    // ------------------------------------------------------------------ in-place ops without a recorded derivative

    /** Refuses a write that autograd would have to record: these ops have no backward. */
    private static void checkNotRecorded(String op, Tensor self, Tensor other) {
        checkWritable(op, self, other);
        if (Recorder.recording(self, other)) {
            throw new IllegalStateException(op + ": has no derivative and cannot be recorded (the tensor of shape "
                    + Arrays.toString(self.shape) + " requires grad); use it inside Autograd.noGrad() on tensors that "
                    + "don't require grad, or the out-of-place op");
        }
        if (!self.dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": needs a floating-point tensor, got " + self.dtype + " (shape "
                    + Arrays.toString(self.shape) + ")");
        }
    }

    static Tensor sqrt(Tensor self) {
        checkNotRecorded("sqrti", self, null);
        if (self.isContiguous()) {
            Loops.unary(io.chainrule.tensor.Pointwise.Unary.SQRT, 0, 0, self.data(), self.offset, self.data(), self.offset,
                    self.numel());
        } else {
            Tensor result = self.detach().contiguousRaw().cloneRaw();
            Loops.unary(io.chainrule.tensor.Pointwise.Unary.SQRT, 0, 0, result.data(), 0, result.data(), 0, result.numel());
            Loops.copy(result.data(), 0, result.strides, self.data(), self.offset, self.strides, self.shape);
        }
        self.storage.bumpVersion();
        return OpTracer.isTracing() ? OpTracer.op(self, "SqrtBackward0", inputs(self)) : self;
    }

    static Tensor maximum(Tensor self, Tensor other) {
        int[] shape = Shapes.broadcast("maximumi", self.shape, other.shape);
        if (!Arrays.equals(shape, self.shape)) {
            throw new IllegalArgumentException("maximumi: the result of shape " + Arrays.toString(shape) + " does not fit "
                    + "the in-place target of shape " + Arrays.toString(self.shape));
        }
        checkNotRecorded("maximumi", self, other);
        Tensor src = other.castRaw(self.dtype);
        if (self.isContiguous() && src.storage != self.storage) {
            Loops.binary(Binary.MAXIMUM, self.data(), self.offset, self.strides, src.data(), src.offset,
                    Shapes.broadcastStrides(src.shape, src.strides, self.shape), self.data(), self.offset, self.strides, self.shape);
        } else {
            Tensor result = PointwiseOps.binaryRaw("maximumi", Binary.MAXIMUM, self, src, self.dtype);
            Loops.copy(result.data(), 0, result.strides, self.data(), self.offset, self.strides, self.shape);
        }
        self.storage.bumpVersion();
        return OpTracer.isTracing() ? OpTracer.op(self, "MaximumBackward0", inputs(self, other)) : self;
    }
}
