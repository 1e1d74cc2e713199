package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.LayerPrimitives;
import io.chainrule.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * The functional forms of the layers and losses (PyTorch's {@code torch.nn.functional}): stateless, static,
 * differentiable, each built from {@link Tensor} ops so its gradients of every order come from theirs.
 *
 * <pre>{@code
 * Tensor loss = F.crossEntropy(F.linear(x, w, b), labels);   // labels: INT64 class indices
 * loss.backward();
 * }</pre>
 *
 * <p>Losses take a {@link Reduction} ({@link Reduction#MEAN} when omitted). Their inputs must have the shapes the
 * loss expects; a mismatch is an {@link IllegalArgumentException} naming the loss and both shapes (no silent
 * broadcasting of a {@code [N]} target against an {@code [N, 1]} prediction). A floating-point target of another
 * float type is converted to the input's type.
 */
public final class F {
    private F() {}

    // ---------------------------------------------------------------------------------------------- activations

    /** max(x, 0); the derivative at 0 is taken as 0, as in PyTorch. */
    public static Tensor relu(Tensor x) {
        return x.relu();
    }

    /** x for x &gt; 0, slope·x otherwise. */
    public static Tensor leakyRelu(Tensor x, double slope) {
        return x.leakyRelu(slope);
    }

    /** 1 / (1 + e^−x). */
    public static Tensor sigmoid(Tensor x) {
        return x.sigmoid();
    }

    public static Tensor tanh(Tensor x) {
        return x.tanh();
    }

    /** x·Φ(x), the exact (erf) form. */
    public static Tensor gelu(Tensor x) {
        return x.gelu();
    }

    /** exp(x) normalised to sum 1 along {@code dim} (overflow-safe). */
    public static Tensor softmax(Tensor x, int dim) {
        return x.softmax(dim);
    }

    /** log(softmax(x)) along {@code dim}, computed stably (x − logsumexp(x)). */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return x.logSoftmax(dim);
    }

    // --------------------------------------------------------------------------------------------------- layers

    /**
     * x·Wᵀ + b, with {@code weight} of shape {@code [out, in]} and {@code bias} of shape {@code [out]} or null;
     * {@code x} has shape {@code [..., in]}.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        if (x == null || weight == null) throw new IllegalArgumentException("linear: input and weight must not be null");
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: weight must be 2-D [out, in], got " + Arrays.toString(weight.shape()));
        }
        if (x.dim() == 0 || x.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(x.shape()) + " does not match weight "
                    + Arrays.toString(weight.shape()) + " (the input's last dimension must be " + weight.size(1) + ")");
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != weight.size(0))) {
            throw new IllegalArgumentException("linear: bias " + Arrays.toString(bias.shape()) + " does not match weight "
                    + Arrays.toString(weight.shape()) + " (expected [" + weight.size(0) + "])");
        }
        return LayerPrimitives.linear(x, weight, bias);
    }

    /**
     * Inverted dropout: in training, zeroes each element with probability {@code p} and scales the survivors by
     * 1/(1−p), so the expected value is unchanged; otherwise (or with p = 0) returns {@code x} itself. Draws from
     * the default generator.
     */
    public static Tensor dropout(Tensor x, double p, boolean training) {
        return dropout(x, p, training, null);
    }

    /** {@link #dropout(Tensor, double, boolean)} drawing its mask from {@code generator} (the default when null). */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator generator) {
        checkProbability("dropout", p);
        if (!training || p == 0) return x;
        if (p == 1) return x.mul(0.0);
        Tensor u = generator == null ? Tensor.rand(x.shape()) : Tensor.rand(generator, x.shape());
        Tensor mask = u.ge(p).to(floatType(x)).mul(1.0 / (1.0 - p));
        return LayerPrimitives.named(x.mul(mask), "NativeDropoutBackward0");
    }

    static void checkProbability(String op, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(op + ": probability must be in [0, 1], got " + p);
    }

    // ---------------------------------------------------------------------------------------------- regression

    /** Mean squared error, (input − target)², averaged. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, Reduction.MEAN);
    }

    /** (input − target)², reduced by {@code reduction}; both of the same shape. */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction reduction) {
        Tensor t = floatTarget("mseLoss", input, target);
        return LayerPrimitives.named(reduce(input.sub(t).square(), reduction), "MseLossBackward0");
    }

    /** Mean absolute error, |input − target|, averaged. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, Reduction.MEAN);
    }

    /** |input − target|, reduced by {@code reduction}; the derivative at 0 is 0, as in PyTorch. */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction reduction) {
        Tensor t = floatTarget("l1Loss", input, target);
        return reduce(input.sub(t).abs(), reduction);
    }

    // ---------------------------------------------------------------------------------------- classification

    /** {@link #crossEntropy(Tensor, Tensor, Reduction)} averaged over the batch. */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, Reduction.MEAN);
    }

    /**
     * Softmax cross-entropy from raw logits: {@code nllLoss(logSoftmax(logits, 1), targets)}. Logits are
     * {@code [N, C]} or {@code [N, C, d1, ...]} (or unbatched {@code [C]}). Targets are either INT64 class indices
     * of shape {@code [N]} / {@code [N, d1, ...]} (or {@code []}), or floating-point class probabilities of the
     * logits' shape, giving −Σ_c t_c·log softmax(x)_c. Stable for any finite logits (±1000 included): the
     * log-softmax subtracts the maximum before exponentiating.
     *
     * <pre>{@code F.crossEntropy(Tensor.of(new float[][] {{1, 2, 3}}), Tensor.of(new long[] {2}))  // 0.40760596}</pre>
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, Reduction reduction) {
        requireNonNull("crossEntropy", logits, targets);
        requireFloatInput("crossEntropy", logits);
        if (logits.dim() == 0) {
            throw new IllegalArgumentException("crossEntropy: logits must have a class dimension, got shape []");
        }
        int classDim = logits.dim() == 1 ? 0 : 1;
        Tensor logProbs = logits.logSoftmax(classDim);
        if (targets.dtype() == DType.INT64) return nll("crossEntropy", logProbs, targets, reduction);
        if (!targets.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("crossEntropy: targets must be INT64 class indices or floating-point "
                    + "probabilities, got " + targets.dtype() + " " + Arrays.toString(targets.shape()));
        }
        Tensor t = floatTarget("crossEntropy", logits, targets);
        return reduce(t.mul(logProbs).sum(classDim, false).neg(), reduction);
    }

    /** {@link #nllLoss(Tensor, Tensor, Reduction)} averaged over the batch. */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets) {
        return nllLoss(logProbs, targets, Reduction.MEAN);
    }

    /**
     * Negative log-likelihood: −logProbs[n, targets[n]] for each sample. {@code logProbs} is {@code [N, C]} or
     * {@code [N, C, d1, ...]} (or {@code [C]}), {@code targets} INT64 of shape {@code [N]} / {@code [N, d1, ...]}
     * (or {@code []}) with values in [0, C).
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor targets, Reduction reduction) {
        requireNonNull("nllLoss", logProbs, targets);
        requireFloatInput("nllLoss", logProbs);
        return nll("nllLoss", logProbs, targets, reduction);
    }

    private static Tensor nll(String op, Tensor logProbs, Tensor targets, Reduction reduction) {
        int[] shape = logProbs.shape();
        if (shape.length == 0) throw new IllegalArgumentException(op + ": input must have a class dimension, got shape []");
        if (targets.dtype() != DType.INT64) {
            throw new IllegalArgumentException(op + ": targets must be INT64 class indices, got " + targets.dtype() + " "
                    + Arrays.toString(targets.shape()));
        }
        int classDim = shape.length == 1 ? 0 : 1;
        int classes = shape[classDim];
        int[] expected = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != classDim) expected[j++] = shape[i];
        if (!Arrays.equals(targets.shape(), expected)) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(shape) + " expects targets of shape "
                    + Arrays.toString(expected) + ", got " + Arrays.toString(targets.shape()));
        }
        for (long c : targets.toLongArray()) {
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException(op + ": target " + c + " is out of bounds for " + classes
                        + " classes (input " + Arrays.toString(shape) + ")");
            }
        }
        if (shape.length == 2 && reduction != null && reduction != Reduction.NONE) {
            return LayerPrimitives.nllLoss(logProbs, targets, reduction == Reduction.MEAN); // one node for the common case
        }
        Tensor picked = logProbs.gather(classDim, targets.unsqueeze(classDim)).squeeze(classDim);
        return reduce(picked.neg(), reduction);
    }

    /** {@link #binaryCrossEntropy(Tensor, Tensor, Reduction)} averaged. */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor targets) {
        return binaryCrossEntropy(probs, targets, Reduction.MEAN);
    }

    /**
     * −[t·log p + (1 − t)·log(1 − p)] for probabilities p in [0, 1] (values outside are an error). As in PyTorch
     * each log is clamped to ≥ −100, so p = 0 or 1 gives a finite loss (100 per wrong element). The gradient is the
     * derivative of that clamped form: finite, and 0 where a log is clamped. Prefer
     * {@link #binaryCrossEntropyWithLogits} on raw scores: it is stable for any logit.
     */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor targets, Reduction reduction) {
        Tensor t = floatTarget("binaryCrossEntropy", probs, targets);
        double[] values = probs.toDoubleArray();
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0 && values[i] <= 1)) {
                throw new IllegalArgumentException("binaryCrossEntropy: input values must lie in [0, 1], got " + values[i]
                        + " at flat index " + i + " (shape " + Arrays.toString(probs.shape()) + ")");
            }
        }
        Tensor logP = clampedLog(probs);
        Tensor logQ = clampedLog(probs.neg().add(1.0));
        Tensor loss = t.mul(logP).add(t.neg().add(1.0).mul(logQ)).neg();
        return LayerPrimitives.named(reduce(loss, reduction), "BinaryCrossEntropyBackward0");
    }

    /**
     * max(log x, −100) with a derivative that is finite everywhere: x is first raised to the smallest positive
     * value of its type, so log never sees 0 (whose −inf would turn the zero gradient of the clamp into 0/0).
     */
    private static Tensor clampedLog(Tensor x) {
        double tiny = x.dtype() == DType.FLOAT64 ? Double.MIN_VALUE : Float.MIN_VALUE;
        return x.clamp(tiny, Double.POSITIVE_INFINITY).log().maximum(Tensor.scalar(-100.0, x.dtype()));
    }

    /** {@link #binaryCrossEntropyWithLogits(Tensor, Tensor, Reduction)} averaged. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets) {
        return binaryCrossEntropyWithLogits(logits, targets, Reduction.MEAN);
    }

    /**
     * Binary cross-entropy of sigmoid(x) against t, computed from the logits x without forming the sigmoid:
     * softplus(x) − x·t = max(x, 0) − x·t + log(1 + e^−|x|). The softplus is a log-sum-exp of (0, x), whose
     * derivative is sigmoid(x) at every point (0 included), so the gradient is exactly sigmoid(x) − t; logits of
     * ±1000 give a finite loss and gradient.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction) {
        Tensor t = floatTarget("binaryCrossEntropyWithLogits", logits, targets);
        return LayerPrimitives.named(reduce(softplus(logits).sub(logits.mul(t)), reduction), "BinaryCrossEntropyWithLogitsBackward0");
    }

    /** log(1 + e^x), stably: logsumexp over the pair (0, x). */
    static Tensor softplus(Tensor x) {
        return Tensor.stack(List.of(x.zerosLike(), x), -1).logSumExp(-1, false);
    }

    // --------------------------------------------------------------------------------------------------- helpers

    static Tensor reduce(Tensor loss, Reduction reduction) {
        if (reduction == null) throw new IllegalArgumentException("loss: reduction must not be null (MEAN, SUM or NONE)");
        return switch (reduction) {
            case MEAN -> loss.mean();
            case SUM -> loss.sum();
            case NONE -> loss;
        };
    }

    private static void requireNonNull(String op, Tensor input, Tensor target) {
        if (input == null || target == null) throw new IllegalArgumentException(op + ": input and target must not be null");
    }

    private static void requireFloatInput(String op, Tensor input) {
        if (!input.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": input must be floating point, got " + input.dtype() + " "
                    + Arrays.toString(input.shape()));
        }
    }

    /** Checks input and target for a loss with elementwise targets; returns the target in the input's type. */
    private static Tensor floatTarget(String op, Tensor input, Tensor target) {
        requireNonNull(op, input, target);
        requireFloatInput(op, input);
        if (!target.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": target must be floating point, got " + target.dtype() + " "
                    + Arrays.toString(target.shape()) + " (input " + input.dtype() + " " + Arrays.toString(input.shape()) + ")");
        }
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": input " + Arrays.toString(input.shape()) + " and target "
                    + Arrays.toString(target.shape()) + " must have the same shape");
        }
        return target.dtype() == input.dtype() ? target : target.to(input.dtype());
    }

    // ------------------------------------------------------ convolution, pooling, padding, embedding (see Convolutions)

    /** 1-D convolution of [N, C, L] with weight [out, C, k]; bias may be null. */
    public static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return Convolutions.conv1d(input, weight, bias, stride, padding);
    }

    /** 2-D convolution of NCHW input with weight [out, in, kH, kW]; bias may be null. */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int stride, int padding) {
        return Convolutions.conv2d(input, weight, bias, stride, padding);
    }

    /** 2-D convolution with per-axis stride, padding and dilation, and grouped channels (weight [out, in/groups, kH, kW]). */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return Convolutions.conv2d(input, weight, bias, stride, padding, dilation, groups);
    }

    /** Max pooling over kernel×kernel windows; the gradient goes to each window's first maximum. */
    public static Tensor maxPool2d(Tensor input, int kernel, int stride, int padding) {
        return Convolutions.maxPool2d(input, kernel, stride, padding);
    }

    /** Average pooling over kernel×kernel windows (zero padding counted, as PyTorch's default). */
    public static Tensor avgPool2d(Tensor input, int kernel, int stride, int padding) {
        return Convolutions.avgPool2d(input, kernel, stride, padding);
    }

    /** Average pooling to an outH×outW grid with PyTorch's window boundaries. */
    public static Tensor adaptiveAvgPool2d(Tensor input, int outH, int outW) {
        return Convolutions.adaptiveAvgPool2d(input, outH, outW);
    }

    /** Zero padding in PyTorch's order: (left, right) of the last dimension first, then the one before, ... */
    public static Tensor pad(Tensor input, int... padding) {
        return Convolutions.pad(input, padding);
    }

    /** Rows of {@code weight} picked by INT64 {@code indices}; only the rows used receive gradient. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return Convolutions.embedding(indices, weight);
    }

    private static DType floatType(Tensor x) {
        return x.dtype().isFloatingPoint() ? x.dtype() : DType.FLOAT32;
    }
}
