package io.chainrule;

import io.chainrule.autograd.GradMode;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Pointwise.Binary;
import io.chainrule.tensor.Shapes;

import java.util.Arrays;

import static io.chainrule.Graph.inputs;
import static io.chainrule.Graph.record;

/**
 * In-place ops ({@code addi}, {@code muli}, {@code copyFrom}, ...). Each bumps the storage's version, so a backward
 * that saved the old values fails loudly. Under grad mode they are refused on a leaf that requires grad (PyTorch's
 * rule) and on views of tensors that require grad; on other tensors the history is extended, so gradients stay right.
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
        boolean recording = self.requiresGrad() || (other != null && other.requiresGrad());
        if (recording && self.isViewOfGradTensor) {
            throw new IllegalStateException(op + ": in-place writes through a view of a tensor that requires grad are not "
                    + "supported (shape " + Arrays.toString(self.shape) + "); use the out-of-place op instead");
        }
    }

    private static void checkTarget(String op, Tensor self, Tensor other) {
        int[] shape = Shapes.broadcast(op, self.shape, other.shape);
        if (!Arrays.equals(shape, self.shape)) {
            throw new IllegalArgumentException(op + ": the result of shape " + Arrays.toString(shape) + " does not fit "
                    + "the in-place target of shape " + Arrays.toString(self.shape));
        }
        if (!self.dtype.isFloatingPoint() && other.dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": a " + other.dtype + " result cannot be written into a " + self.dtype
                    + " tensor");
        }
    }

    static Tensor binary(Tensor self, Tensor other, Kind kind) {
        checkTarget(kind.op, self, other);
        checkWritable(kind.op, self, other);
        boolean recording = Graph.recording(self, other);
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
        if (!recording) return self;
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
        if (Graph.recording(self)) {
            // Constant now: gradients stop here.
            return record(self, "FillBackward0", (g, need) -> new Tensor[] {null}, inputs(self));
        }
        return self;
    }

    // ------------------------------------------------------------------ in-place ops without a recorded derivative

    /** Refuses a write that autograd would have to record: these ops have no backward. */
    private static void checkNotRecorded(String op, Tensor self, Tensor other) {
        checkWritable(op, self, other);
        if (Graph.recording(self, other)) {
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
        return self;
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
        return self;
    }
}
