package io.chainrule;

import io.chainrule.autograd.AccumulateGrad;
import io.chainrule.autograd.Autograd;
import io.chainrule.autograd.Differentiable;
import io.chainrule.autograd.GradMode;
import io.chainrule.autograd.Node;
import io.chainrule.tensor.BufferCache;
import io.chainrule.tensor.Loops;
import io.chainrule.tensor.Pointwise.Compare;
import io.chainrule.tensor.Shapes;
import io.chainrule.tensor.Storage;

import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional, strided, row-major array of {@link DType} elements that records the ops applied to it, so
 * gradients can be computed by {@link #backward()}.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(3, 2).requiresGrad(true);
 * Tensor loss = Tensor.ones(4, 3).matmul(w).relu().sum();
 * loss.backward();            // w.grad() now holds d loss / d w
 * }</pre>
 *
 * <p>Views (reshape, transpose, permute, expand, narrow, select, ...) share storage with their base: a write
 * through one is seen by the other. Every op takes NumPy broadcasting and PyTorch's type promotion; every bad
 * argument fails with an {@link IllegalArgumentException} naming the op and the shapes.
 */
public final class Tensor extends Differentiable<Tensor> {
    final Storage storage;
    final DType dtype;
    final int[] shape;
    final int[] strides;
    final int offset;

    // Autograd state. A tensor that requires grad is a leaf (no gradFn) or the output of a recorded op.
    private boolean requiresGrad;
    private Node<Tensor> gradFn;
    private AccumulateGrad<Tensor> accumulator;
    private Tensor grad;
    /** Set by {@link #retainGrad()}: fills {@link #grad} from the gradient reaching {@link #gradFn}. */
    private java.util.function.Consumer<Tensor> retainGradHook;
    /** Set on views made by shape ops: recorded in-place writes through them are refused (see InPlaceOps). */
    boolean isView;

    Tensor(Storage storage, DType dtype, int[] shape, int[] strides, int offset) {
        // The ops check shapes they make, naming themselves (Shapes.check); this catches any path that did not.
        if (shape.length > Shapes.MAX_RANK) Shapes.check("Tensor", shape);
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
    }

    /** A new contiguous, zero-filled tensor. */
    static Tensor allocate(DType dtype, int[] shape) {
        return allocate(dtype, shape, true);
    }

    /**
     * A new contiguous tensor whose elements may hold old values (a reused buffer): for kernels that write every
     * element, so the buffer needs no zeroing.
     */
    static Tensor allocateForOverwrite(DType dtype, int[] shape) {
        return allocate(dtype, shape, false);
    }

    private static Tensor allocate(DType dtype, int[] shape, boolean zeroed) {
        int n = Shapes.check("allocate", shape); // ops that grow shapes checked them already, naming themselves
        Object data = switch (dtype) {
            case FLOAT32 -> BufferCache.take(false, n, zeroed);
            case FLOAT64 -> BufferCache.take(true, n, zeroed);
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
        };
        return new Tensor(BufferCache.record(new Storage(data)), dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    /** Wraps an array without copying. */
    static Tensor wrap(Object data, DType dtype, int... shape) {
        return new Tensor(new Storage(data), dtype, shape, Shapes.contiguousStrides(shape), 0);
    }

    Object data() {
        return storage.data;
    }

    // ------------------------------------------------------------------------------------------------ creation

    /**
     * A FLOAT32 tensor holding a copy of {@code data}; with no shape, 1-D. An empty shape array counts as no shape
     * (Java cannot tell them apart), so rebuild a tensor of any shape, 0-d included, with
     * {@code Tensor.of(data).reshape(shape)}.
     */
    public static Tensor of(float[] data, int... shape) {
        Creation.requireData("Tensor.of", data);
        return wrap(data.clone(), DType.FLOAT32, Creation.shapeFor("Tensor.of", data.length, shape));
    }

    /** A FLOAT64 tensor holding a copy of {@code data}; with no shape (or an empty one), 1-D. */
    public static Tensor of(double[] data, int... shape) {
        Creation.requireData("Tensor.of", data);
        return wrap(data.clone(), DType.FLOAT64, Creation.shapeFor("Tensor.of", data.length, shape));
    }

    /** An INT64 tensor holding a copy of {@code data}; with no shape (or an empty one), 1-D. */
    public static Tensor of(long[] data, int... shape) {
        Creation.requireData("Tensor.of", data);
        return wrap(data.clone(), DType.INT64, Creation.shapeFor("Tensor.of", data.length, shape));
    }

    /** A BOOL tensor holding a copy of {@code data}; with no shape (or an empty one), 1-D. */
    public static Tensor of(boolean[] data, int... shape) {
        Creation.requireData("Tensor.of", data);
        return wrap(data.clone(), DType.BOOL, Creation.shapeFor("Tensor.of", data.length, shape));
    }

    /** A 2-D FLOAT32 tensor from equal-length rows. */
    public static Tensor of(float[][] rows) {
        Creation.requireData("Tensor.of", rows);
        int cols = Creation.checkRows("Tensor.of", rows.length, i -> rows[i] == null ? -1 : rows[i].length);
        float[] flat = new float[Shapes.check("Tensor.of", new int[] {rows.length, cols})];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, flat, i * cols, cols);
        return wrap(flat, DType.FLOAT32, rows.length, cols);
    }

    /** A 2-D FLOAT64 tensor from equal-length rows. */
    public static Tensor of(double[][] rows) {
        Creation.requireData("Tensor.of", rows);
        int cols = Creation.checkRows("Tensor.of", rows.length, i -> rows[i] == null ? -1 : rows[i].length);
        double[] flat = new double[Shapes.check("Tensor.of", new int[] {rows.length, cols})];
        for (int i = 0; i < rows.length; i++) System.arraycopy(rows[i], 0, flat, i * cols, cols);
        return wrap(flat, DType.FLOAT64, rows.length, cols);
    }

    /** A 0-dimensional FLOAT32 tensor. */
    public static Tensor scalar(double v) {
        return scalar(v, DType.FLOAT32);
    }

    /** A 0-dimensional tensor of the given type. */
    public static Tensor scalar(double v, DType dtype) {
        return full(dtype, v);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.FLOAT32, shape);
    }

    public static Tensor zeros(DType dtype, int... shape) {
        Creation.requireDtype("zeros", dtype);
        return allocate(dtype, Shapes.checkShape("zeros", shape));
    }

    public static Tensor ones(int... shape) {
        return full(DType.FLOAT32, 1.0, shape);
    }

    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    public static Tensor full(double value, int... shape) {
        return full(DType.FLOAT32, value, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Creation.requireDtype("full", dtype);
        Tensor t = allocate(dtype, Shapes.checkShape("full", shape));
        t.fillRaw(value);
        return t;
    }

    /** The n×n identity matrix. */
    public static Tensor eye(int n) {
        return eye(DType.FLOAT32, n);
    }

    public static Tensor eye(DType dtype, int n) {
        Creation.requireDtype("eye", dtype);
        Tensor t = allocate(dtype, Shapes.checkShape("eye", new int[] {n, n}));
        for (int i = 0; i < n; i++) Loops.write(t.data(), i * n + i, 1.0);
        return t;
    }

    /** Values from {@code start} (inclusive) to {@code end} (exclusive) in steps of {@code step}, FLOAT32. */
    public static Tensor arange(double start, double end, double step) {
        return arange(DType.FLOAT32, start, end, step);
    }

    public static Tensor arange(DType dtype, double start, double end, double step) {
        return Creation.arange(dtype, start, end, step);
    }

    /** Standard normal samples from the default generator (see {@link #manualSeed(long)}). */
    public static Tensor randn(int... shape) {
        return Creation.randn(Creation.defaultGenerator(), shape);
    }

    /** Uniform samples in [0, 1) from the default generator. */
    public static Tensor rand(int... shape) {
        return Creation.rand(Creation.defaultGenerator(), shape);
    }

    /** Uniform INT64 samples in [low, high) from the default generator. */
    public static Tensor randint(long low, long high, int... shape) {
        return Creation.randint(Creation.defaultGenerator(), low, high, shape);
    }

    public static Tensor randn(Generator generator, int... shape) {
        return Creation.randn(generator, shape);
    }

    public static Tensor rand(Generator generator, int... shape) {
        return Creation.rand(generator, shape);
    }

    public static Tensor randint(Generator generator, long low, long high, int... shape) {
        return Creation.randint(generator, low, high, shape);
    }

    /** Reseeds the default generator used by {@link #randn(int...)}, {@link #rand(int...)} and friends. */
    public static void manualSeed(long seed) {
        Creation.manualSeed(seed);
    }

    /** A tensor of zeros with this tensor's shape and dtype. */
    public Tensor zerosLike() {
        return allocate(dtype, shape.clone());
    }

    /** A tensor of ones with this tensor's shape and dtype. */
    public Tensor onesLike() {
        return full(dtype, 1.0, shape.clone());
    }

    // ---------------------------------------------------------------------------------------------- inspection

    /** The sizes of each dimension (a copy). */
    public int[] shape() {
        return shape.clone();
    }

    /** The size of dimension {@code dim} (negative counts from the end). */
    public int size(int dim) {
        return shape[Shapes.normalizeDim("size", dim, shape.length)];
    }

    /** The strides of each dimension in elements (a copy). */
    public int[] strides() {
        return strides.clone();
    }

    public int dim() {
        return shape.length;
    }

    public int numel() {
        return Shapes.numel(shape);
    }

    public DType dtype() {
        return dtype;
    }

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalArgumentException("item: only one-element tensors can be converted to a number, "
                    + "this one has shape " + Arrays.toString(shape) + " (" + numel() + " elements)");
        }
        return Loops.read(data(), offset);
    }

    /** The element at {@code index} (one index per dimension; negative counts from the end). */
    public double get(int... index) {
        return Loops.read(data(), elementOffset("get", index));
    }

    int elementOffset(String op, int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(op + ": " + index.length + " indices given for a tensor of rank "
                    + shape.length + " (shape " + Arrays.toString(shape) + ")");
        }
        int off = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IllegalArgumentException(op + ": index " + index[d] + " is out of bounds for dimension " + d
                        + " with size " + shape[d] + " (shape " + Arrays.toString(shape) + ")");
            }
            off += i * strides[d];
        }
        return off;
    }

    /** A row-major copy of the elements as floats. */
    public float[] toFloatArray() {
        return (float[]) castRaw(DType.FLOAT32).contiguousRaw().flatCopy();
    }

    /** A row-major copy of the elements as doubles. */
    public double[] toDoubleArray() {
        return (double[]) castRaw(DType.FLOAT64).contiguousRaw().flatCopy();
    }

    /** A row-major copy of the elements as longs (floats truncate toward zero). */
    public long[] toLongArray() {
        return (long[]) castRaw(DType.INT64).contiguousRaw().flatCopy();
    }

    /** A row-major copy of the elements as booleans (non-zero is true). */
    public boolean[] toBooleanArray() {
        return (boolean[]) castRaw(DType.BOOL).contiguousRaw().flatCopy();
    }

    private Object flatCopy() {
        Object d = data();
        int n = numel();
        int offset = n == 0 ? 0 : this.offset; // an empty view's offset may lie past the end of its (empty) storage
        if (d instanceof float[] f) return Arrays.copyOfRange(f, offset, offset + n);
        if (d instanceof double[] x) return Arrays.copyOfRange(x, offset, offset + n);
        if (d instanceof long[] l) return Arrays.copyOfRange(l, offset, offset + n);
        return Arrays.copyOfRange((boolean[]) d, offset, offset + n);
    }

    /** Values like PyTorch prints them (elided for large tensors), then shape, dtype and grad_fn. */
    @Override
    public String toString() {
        return Format.format(this);
    }

    /** This tensor converted to {@code dtype} (this tensor itself when it already has it). Differentiable between floats. */
    public Tensor to(DType dtype) {
        return ShapeOps.to(this, dtype);
    }

    /** A contiguous tensor with the same values: this one if it already is. */
    public Tensor contiguous() {
        return ShapeOps.contiguous(this);
    }

    public boolean isContiguous() {
        return Shapes.isContiguous(shape, strides);
    }

    /** A copy with its own storage (differentiable, like PyTorch's {@code clone}). */
    public Tensor clone() {
        return ShapeOps.cloneOp(this);
    }

    // ------------------------------------------------------------------------------------ elementwise arithmetic

    public Tensor add(Tensor other) { return PointwiseOps.add(this, other); }
    public Tensor add(double v) { return PointwiseOps.add(this, scalarOperand(v)); }
    public Tensor sub(Tensor other) { return PointwiseOps.sub(this, other); }
    public Tensor sub(double v) { return PointwiseOps.sub(this, scalarOperand(v)); }
    public Tensor mul(Tensor other) { return PointwiseOps.mul(this, other); }
    public Tensor mul(double v) { return PointwiseOps.mul(this, scalarOperand(v)); }
    public Tensor div(Tensor other) { return PointwiseOps.div(this, other); }
    public Tensor div(double v) { return PointwiseOps.div(this, scalarOperand(v)); }
    public Tensor neg() { return PointwiseOps.neg(this); }
    /** {@code this^p} elementwise. */
    public Tensor pow(double p) { return PointwiseOps.pow(this, p); }
    /** {@code this^exponent} elementwise, broadcasting. */
    public Tensor pow(Tensor exponent) { return PointwiseOps.pow(this, exponent); }
    public Tensor exp() { return PointwiseOps.exp(this); }
    public Tensor log() { return PointwiseOps.log(this); }
    public Tensor sqrt() { return PointwiseOps.sqrt(this); }
    /** |x|, with subgradient 0 at 0 (PyTorch's). */
    public Tensor abs() { return PointwiseOps.abs(this); }
    public Tensor sin() { return PointwiseOps.sin(this); }
    public Tensor cos() { return PointwiseOps.cos(this); }
    public Tensor tanh() { return PointwiseOps.tanh(this); }
    public Tensor sigmoid() { return PointwiseOps.sigmoid(this); }
    /** max(x, 0), with subgradient 0 at 0 (PyTorch's). */
    public Tensor relu() { return PointwiseOps.relu(this); }
    /** x for x > 0, slope·x otherwise. */
    public Tensor leakyRelu(double slope) { return PointwiseOps.leakyRelu(this, slope); }
    /** Exact GELU, x·Φ(x) (the erf form). */
    public Tensor gelu() { return PointwiseOps.gelu(this); }
    /** The error function. */
    public Tensor erf() { return PointwiseOps.erf(this); }
    /** -1, 0 or 1 by sign (gradient 0). */
    public Tensor sign() { return PointwiseOps.sign(this); }
    /** x² elementwise. */
    public Tensor square() { return PointwiseOps.square(this); }
    /** 1/x elementwise. */
    public Tensor reciprocal() { return PointwiseOps.reciprocal(this); }
    /** Values limited to [min, max]; the gradient passes where min ≤ x ≤ max (boundary included, as PyTorch). */
    public Tensor clamp(double min, double max) { return PointwiseOps.clamp(this, min, max); }
    /** Elementwise maximum; at ties each side gets half the gradient. */
    public Tensor maximum(Tensor other) { return PointwiseOps.maximum(this, other); }
    /** Elementwise minimum; at ties each side gets half the gradient. */
    public Tensor minimum(Tensor other) { return PointwiseOps.minimum(this, other); }

    // ------------------------------------------------------------------------------------ comparisons, selection

    public Tensor eq(Tensor other) { return PointwiseOps.compare(this, other, Compare.EQ); }
    public Tensor eq(double v) { return eq(scalarOperand(v)); }
    public Tensor ne(Tensor other) { return PointwiseOps.compare(this, other, Compare.NE); }
    public Tensor ne(double v) { return ne(scalarOperand(v)); }
    public Tensor gt(Tensor other) { return PointwiseOps.compare(this, other, Compare.GT); }
    public Tensor gt(double v) { return gt(scalarOperand(v)); }
    public Tensor ge(Tensor other) { return PointwiseOps.compare(this, other, Compare.GE); }
    public Tensor ge(double v) { return ge(scalarOperand(v)); }
    public Tensor lt(Tensor other) { return PointwiseOps.compare(this, other, Compare.LT); }
    public Tensor lt(double v) { return lt(scalarOperand(v)); }
    public Tensor le(Tensor other) { return PointwiseOps.compare(this, other, Compare.LE); }
    public Tensor le(double v) { return le(scalarOperand(v)); }
    /** True where the element is NaN. */
    public Tensor isNan() { return ne(this); }
    /** A BOOL scalar: whether any element is non-zero. */
    public Tensor any() { return ReduceOps.any(this); }
    /** A BOOL scalar: whether every element is non-zero. */
    public Tensor all() { return ReduceOps.all(this); }

    /** This BOOL tensor picks {@code a} where true and {@code b} elsewhere, broadcasting all three. */
    public Tensor where(Tensor a, Tensor b) { return PointwiseOps.where(this, a, b); }

    /** {@code cond ? a : b} elementwise, broadcasting all three; {@code cond} must be BOOL. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) { return PointwiseOps.where(cond, a, b); }

    // ------------------------------------------------------------------------------------------- linear algebra

    /** Matrix product with torch.matmul semantics: 1-D, 2-D, and batched with broadcast batch dimensions. */
    public Tensor matmul(Tensor other) { return LinalgOps.matmul(this, other); }

    /** The transpose of a 2-D tensor (of a 0-D or 1-D tensor: a view of it unchanged). */
    public Tensor t() {
        if (shape.length > 2) {
            throw new IllegalArgumentException("t: expects a tensor with <= 2 dimensions, got shape " + Arrays.toString(shape)
                    + "; use transpose(dim0, dim1)");
        }
        return shape.length < 2 ? ShapeOps.alias(this, "TBackward0") : Recorder.named(transpose(0, 1), "TBackward0");
    }

    // ---------------------------------------------------------------------------------------------------- shape

    /** The same elements in a new shape (one -1 is inferred): a view when the strides allow, a copy otherwise. */
    public Tensor reshape(int... shape) { return ShapeOps.reshape(this, shape, false); }
    /** Like {@link #reshape(int...)} but never copies: an error when the strides do not allow a view. */
    public Tensor view(int... shape) { return ShapeOps.reshape(this, shape, true); }
    public Tensor transpose(int dim0, int dim1) { return ShapeOps.transpose(this, dim0, dim1); }
    public Tensor permute(int... dims) { return ShapeOps.permute(this, dims); }
    public Tensor unsqueeze(int dim) { return ShapeOps.unsqueeze(this, dim); }
    public Tensor squeeze(int dim) { return ShapeOps.squeeze(this, dim); }
    public Tensor squeeze() { return ShapeOps.squeezeAll(this); }
    public Tensor flatten() { return reshape(-1); }
    public Tensor flatten(int startDim, int endDim) { return ShapeOps.flatten(this, startDim, endDim); }
    /** A view with size-1 (or missing leading) dimensions repeated to {@code shape}. */
    public Tensor broadcastTo(int... shape) { return ShapeOps.expand(this, shape, "broadcastTo"); }
    /** Like {@link #broadcastTo(int...)}; -1 keeps a dimension's size. */
    public Tensor expand(int... shape) { return ShapeOps.expand(this, shape, "expand"); }
    /** A view of {@code length} entries of {@code dim} starting at {@code start}. */
    public Tensor narrow(int dim, int start, int length) { return ShapeOps.narrow(this, dim, start, length); }
    /** A view of entry {@code index} along {@code dim}, which is removed. */
    public Tensor select(int dim, int index) { return ShapeOps.select(this, dim, index); }
    /** The entries of {@code dim} listed in the 1-D INT64 {@code index}. */
    public Tensor indexSelect(int dim, Tensor index) { return IndexOps.indexSelect(this, dim, index); }
    /** {@code out[i][j] = this[index[i][j]][j]} for dim 0, and so on (torch.gather). */
    public Tensor gather(int dim, Tensor index) { return IndexOps.gather(this, dim, index); }
    /** A copy of this with {@code source}'s entries added at {@code index} along {@code dim} (torch.index_add). */
    public Tensor indexAdd(int dim, Tensor index, Tensor source) { return IndexOps.indexAdd(this, dim, index, source); }
    /** A copy of this with {@code src} added at {@code index} along {@code dim} (torch.scatter_add). */
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return IndexOps.scatterAdd(this, dim, index, src); }
    /** Joins tensors along an existing dimension. */
    public static Tensor cat(List<Tensor> tensors, int dim) { return ShapeOps.cat(tensors, dim); }
    /** Joins same-shape tensors along a new dimension. */
    public static Tensor stack(List<Tensor> tensors, int dim) { return ShapeOps.stack(tensors, dim); }
    /** Views of consecutive chunks of {@code size} along {@code dim} (the last may be smaller). */
    public List<Tensor> split(int size, int dim) { return ShapeOps.split(this, size, dim); }
    /** Sums this (broadcast) tensor down to {@code shape}: the adjoint of broadcasting. */
    public Tensor sumToSize(int... shape) { return ReduceOps.sumToSize(this, shape); }

    // ----------------------------------------------------------------------------------------------- reductions

    public Tensor sum() { return ReduceOps.sum(this); }
    public Tensor sum(int dim, boolean keepDim) { return ReduceOps.sum(this, dim, keepDim); }
    public Tensor mean() { return ReduceOps.mean(this); }
    public Tensor mean(int dim, boolean keepDim) { return ReduceOps.mean(this, dim, keepDim); }
    /** The largest element; its gradient is shared evenly among ties. */
    public Tensor max() { return ReduceOps.extreme(this, true); }
    /** The largest entries along {@code dim}; the gradient goes to the first maximum (the index argmax gives). */
    public Tensor max(int dim, boolean keepDim) { return ReduceOps.extreme(this, dim, keepDim, true); }
    public Tensor min() { return ReduceOps.extreme(this, false); }
    public Tensor min(int dim, boolean keepDim) { return ReduceOps.extreme(this, dim, keepDim, false); }
    public Tensor prod() { return ReduceOps.prod(this); }
    public Tensor prod(int dim, boolean keepDim) { return ReduceOps.prod(this, dim, keepDim); }
    /** Unbiased variance (divides by n − 1), as PyTorch. */
    public Tensor var() { return ReduceOps.var(this); }
    public Tensor var(int dim, boolean keepDim) { return ReduceOps.var(this, dim, keepDim); }
    /** Unbiased standard deviation, as PyTorch. */
    public Tensor std() { return Recorder.named(var().sqrt(), "StdBackward0"); }
    public Tensor std(int dim, boolean keepDim) { return Recorder.named(var(dim, keepDim).sqrt(), "StdBackward0"); }
    /** log(Σ exp(x)), computed without overflow. */
    public Tensor logSumExp() { return ReduceOps.logSumExp(this); }
    public Tensor logSumExp(int dim, boolean keepDim) { return ReduceOps.logSumExp(this, dim, keepDim); }
    /** INT64 indices of the first maximum along {@code dim}. */
    public Tensor argmax(int dim, boolean keepDim) { return ReduceOps.argExtreme(this, dim, keepDim, true); }
    /** INT64 indices of the first minimum along {@code dim}. */
    public Tensor argmin(int dim, boolean keepDim) { return ReduceOps.argExtreme(this, dim, keepDim, false); }
    /** The L2 norm of all elements (gradient 0 at the origin, as PyTorch). */
    public Tensor norm() { return ReduceOps.norm(this); }
    public Tensor softmax(int dim) { return ReduceOps.softmax(this, dim, false); }
    public Tensor logSoftmax(int dim) { return ReduceOps.softmax(this, dim, true); }

    // ------------------------------------------------------------------------------------------------- in place

    /** {@code this += other} (broadcast to this shape); returns this. */
    public Tensor addi(Tensor other) { return InPlaceOps.binary(this, other, InPlaceOps.Kind.ADD); }
    public Tensor addi(double v) { return InPlaceOps.binary(this, scalarOperand(v), InPlaceOps.Kind.ADD); }
    public Tensor subi(Tensor other) { return InPlaceOps.binary(this, other, InPlaceOps.Kind.SUB); }
    public Tensor subi(double v) { return InPlaceOps.binary(this, scalarOperand(v), InPlaceOps.Kind.SUB); }
    public Tensor muli(Tensor other) { return InPlaceOps.binary(this, other, InPlaceOps.Kind.MUL); }
    public Tensor muli(double v) { return InPlaceOps.binary(this, scalarOperand(v), InPlaceOps.Kind.MUL); }
    public Tensor divi(Tensor other) { return InPlaceOps.binary(this, other, InPlaceOps.Kind.DIV); }
    public Tensor divi(double v) { return InPlaceOps.binary(this, scalarOperand(v), InPlaceOps.Kind.DIV); }
    /** Copies {@code src}'s values (broadcast, converted) into this; returns this. */
    public Tensor copyFrom(Tensor src) { return InPlaceOps.copyFrom(this, src); }
    public Tensor fill(double v) { return InPlaceOps.fill(this, v); }
    public Tensor zero() { return InPlaceOps.fill(this, 0); }
    /**
     * {@code this = sqrt(this)}; returns this. Not recorded (no derivative): for tensors that don't require grad,
     * such as optimizer state, so an optimizer step needs no temporary tensor.
     */
    public Tensor sqrti() { return InPlaceOps.sqrt(this); }
    /** {@code this = maximum(this, other)} (other broadcast to this shape); returns this. Not recorded, like {@link #sqrti()}. */
    public Tensor maximumi(Tensor other) { return InPlaceOps.maximum(this, other); }

    // ------------------------------------------------------------------------------------------------- autograd

    /** Marks a leaf as needing gradients; returns this. Only floating-point leaves can. */
    public Tensor requiresGrad(boolean requires) {
        if (gradFn != null) {
            throw new IllegalStateException("requiresGrad: only leaf tensors can change requiresGrad; this one was "
                    + "created by " + gradFn.name() + " (use detach() for a leaf copy)");
        }
        if (requires && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("requiresGrad: only floating-point tensors can require gradients, got "
                    + dtype + " (shape " + Arrays.toString(shape) + ")");
        }
        this.requiresGrad = requires;
        return this;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** True for tensors not created by a recorded op (user-created tensors and all that don't require grad). */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The name of the op that created this tensor (e.g. {@code MulBackward0}), or null for leaves. */
    public String gradFn() {
        return gradFn == null ? null : gradFn.name();
    }

    /**
     * The graph node gradients of this tensor flow into: its grad_fn, or for a leaf that requires grad the node
     * that accumulates into {@link #grad()}; null when it does not require grad. For tools that walk the graph.
     */
    @Override
    public Node<Tensor> gradNode() {
        if (!requiresGrad) return null;
        if (gradFn != null) return gradFn;
        if (accumulator == null) accumulator = new AccumulateGrad<>(this);
        return accumulator;
    }

    /** The accumulated gradient (same shape and dtype), or null. */
    public Tensor grad() {
        return grad;
    }

    /** Forgets the accumulated gradient ({@link #grad()} becomes null). */
    public void zeroGrad() {
        grad = null;
    }

    /** Backward from a one-element tensor: d this / d leaf accumulates into every leaf's {@code grad()}. */
    public void backward() {
        backward(null, false, false);
    }

    /** Backward with an explicit gradient of this tensor (same shape). */
    public void backward(Tensor gradOutput) {
        backward(gradOutput, false, false);
    }

    /**
     * Backward; {@code retainGraph} keeps saved tensors for another pass, {@code createGraph} records the backward
     * ops so the gradients are differentiable (higher-order derivatives).
     */
    public void backward(Tensor gradOutput, boolean retainGraph, boolean createGraph) {
        Autograd.backward(this, gradOutput, retainGraph, createGraph);
    }

    /** Keeps {@link #grad()} on this non-leaf after backward (leaves always keep it). */
    public void retainGrad() {
        if (!requiresGrad) {
            throw new IllegalStateException("retainGrad: the tensor (shape " + Arrays.toString(shape)
                    + ") does not require grad");
        }
        if (gradFn == null || retainGradHook != null) return;
        retainGradHook = g -> {
            // A private copy: the engine passes the same gradient on to this node's inputs.
            Tensor copy = GradMode.isEnabled() ? g.clone() : g.detach().cloneRaw();
            grad = grad == null ? copy : grad.add(g);
        };
        gradFn.addGradHook(retainGradHook);
    }

    /** A tensor sharing this one's storage, with no history and not requiring grad. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    /** Makes this tensor the output of {@code node} (again, after an in-place op: a retainGrad hook moves along). */
    void attach(Node<Tensor> node) {
        if (retainGradHook != null) {
            gradFn.removeGradHook(retainGradHook);
            node.addGradHook(retainGradHook);
        }
        this.gradFn = node;
        this.requiresGrad = true;
    }

    // ------------------------------------------------------------------------- the autograd engine's hooks

    @Override
    protected Tensor fitTo(int[] shape, Object dtype) {
        Tensor g = Arrays.equals(this.shape, shape) ? this : sumToSize(shape);
        return g.dtype == dtype ? g : g.to((DType) dtype);
    }

    @Override
    protected boolean hasNaN() {
        return isNan().any().item() != 0;
    }

    @Override
    protected int version() {
        return storage.version();
    }

    @Override
    protected Storage storage() {
        return storage;
    }

    /** Not while an {@link OpTracer} listens: it hears of every op, the backward rules' too, and may keep them. */
    @Override
    protected boolean buffersReusable() {
        return !OpTracer.isTracing();
    }

    @Override
    protected void accumulateGrad(Tensor g, boolean createGraph, boolean exclusive) {
        Tensor current = grad;
        if (createGraph) {
            // clone, not g itself: the incoming gradient may be shared (as below), and must stay differentiable.
            grad = current == null ? g.clone() : current.add(g);
        } else if (current == null) {
            // Kept as is only when nothing else can see it, since later backwards add into it in place: an add
            // passes one tensor to both inputs, a view shares storage, a root seed is the caller's.
            boolean keep = exclusive && !g.isView && g.offset == 0 && g.isContiguous() && g.dtype == dtype
                    && g.storage.length() == g.numel();
            grad = keep ? g.detach() : g.detach().cloneRaw();
        } else {
            current.accumulateRaw(g);
        }
    }

    @Override
    protected Tensor float64Copy() {
        return dtype.isFloatingPoint() ? detach().to(DType.FLOAT64).clone().requiresGrad(requiresGrad) : this;
    }

    @Override
    protected Tensor withValues(double[] values) {
        return of(values).reshape(shape).to(dtype);
    }

    @Override
    protected Tensor randomNormal(long seed) {
        return randn(new Generator(seed), shape).to(dtype);
    }

    @Override
    protected double element(int i) {
        return detach().reshape(-1).narrow(0, i, 1).item();
    }

    @Override
    protected void setElement(int i, double value) {
        detach().reshape(-1).narrow(0, i, 1).fill(value);
    }

    @Override
    protected Tensor flatJoin(List<Tensor> parts) {
        List<Tensor> flat = new java.util.ArrayList<>(parts.size());
        for (Tensor p : parts) flat.add(p.reshape(-1));
        return cat(flat, 0);
    }

    // --------------------------------------------------------------------------------- raw helpers (no graph)

    /** A Java double as an operand of this tensor's dtype (an integer tensor with a fractional value becomes float32). */
    Tensor scalarOperand(double v) {
        if (dtype.isFloatingPoint()) return scalar(v, dtype);
        if (v == Math.rint(v) && !Double.isInfinite(v)) return scalar(v, DType.INT64);
        return scalar(v, DType.FLOAT32);
    }

    /**
     * Marks a view of a private temporary (a composite op's intermediate) as not a view: nothing else can see that
     * storage, so in-place ops on it are as safe as on any fresh result. Returns this.
     */
    Tensor ownsStorage() {
        isView = false;
        return this;
    }

    /** A view of this storage with another layout (no graph). */
    Tensor viewRaw(int[] shape, int[] strides, int offset) {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    /** This tensor if contiguous, else a contiguous copy (no graph). */
    Tensor contiguousRaw() {
        return isContiguous() ? this : copyRaw(dtype);
    }

    /** This tensor if it has {@code type}, else a converted contiguous copy (no graph). */
    Tensor castRaw(DType type) {
        return dtype == type ? this : copyRaw(type);
    }

    /** A contiguous copy with its own storage (no graph). */
    Tensor cloneRaw() {
        return copyRaw(dtype);
    }

    Tensor copyRaw(DType type) {
        Tensor out = allocateForOverwrite(type, shape.clone());
        Loops.copy(data(), offset, strides, out.data(), 0, out.strides, shape);
        return out;
    }

    void fillRaw(double v) {
        Object d = data();
        if (isContiguous()) {
            int n = numel();
            if (d instanceof float[] f) Arrays.fill(f, offset, offset + n, (float) v);
            else if (d instanceof double[] x) Arrays.fill(x, offset, offset + n, v);
            else if (d instanceof long[] l) Arrays.fill(l, offset, offset + n, (long) v);
            else Arrays.fill((boolean[]) d, offset, offset + n, v != 0);
        } else {
            Tensor src = scalar(v, dtype);
            Loops.copy(src.data(), 0, new int[shape.length], d, offset, strides, shape);
        }
    }

    /** {@code this += g} without recording or version checks: gradient accumulation. */
    void accumulateRaw(Tensor g) {
        Tensor src = g.castRaw(dtype);
        int[] bs = Shapes.broadcastStrides(src.shape, src.strides, shape);
        Loops.binary(io.chainrule.tensor.Pointwise.Binary.ADD, data(), offset, strides,
                src.data(), src.offset, bs, data(), offset, strides, shape);
    }
}
