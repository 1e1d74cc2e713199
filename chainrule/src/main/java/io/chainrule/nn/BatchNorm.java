package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.LayerPrimitives;
import io.chainrule.OpTracer;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.Arrays;

/**
 * The batch normalisation shared by {@link BatchNorm1d} and {@link BatchNorm2d}: channels on dimension 1, statistics
 * over every other dimension. Parameters {@code weight} (ones) and {@code bias} (zeros); buffers {@code running_mean}
 * (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (INT64 0), named as in PyTorch.
 *
 * <p>In training mode the batch is normalised with its own mean and biased variance, and the running statistics move
 * toward the batch's mean and <em>unbiased</em> variance by {@code momentum}:
 * {@code running = (1 − momentum)·running + momentum·batch}. In evaluation mode the running statistics are used.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps, momentum;

    /** {@code numFeatures} channels; {@code eps} is added to the variance, {@code momentum} weighs the running update. */
    protected BatchNorm(int numFeatures, double eps, double momentum) {
        String name = getClass().getSimpleName();
        if (numFeatures < 1) throw new IllegalArgumentException(name + ": numFeatures must be positive, got " + numFeatures);
        if (!(eps >= 0)) throw new IllegalArgumentException(name + ": eps must be non-negative, got " + eps);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(name + ": momentum must be in [0, 1], got " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        registerParameter("weight", Tensor.ones(numFeatures));
        registerParameter("bias", Tensor.zeros(numFeatures));
        registerBuffer("running_mean", Tensor.zeros(numFeatures));
        registerBuffer("running_var", Tensor.ones(numFeatures));
        registerBuffer("num_batches_tracked", Tensor.scalar(0, DType.INT64));
    }

    /** The input ranks this layer accepts, e.g. {2, 3} for BatchNorm1d. */
    protected abstract int[] acceptedRanks();

    @Override
    public Tensor forward(Tensor x) {
        String name = getClass().getSimpleName();
        int[] ranks = acceptedRanks();
        if (Arrays.stream(ranks).noneMatch(r -> r == x.dim())) {
            throw new IllegalArgumentException(name + ": expected input of rank " + Arrays.toString(ranks) + ", got shape "
                    + Arrays.toString(x.shape()));
        }
        if (x.size(1) != numFeatures) {
            throw new IllegalArgumentException(name + ": expected " + numFeatures + " channels on dimension 1, got shape "
                    + Arrays.toString(x.shape()));
        }
        int[] statShape = new int[x.dim()];
        Arrays.fill(statShape, 1);
        statShape[1] = numFeatures;
        Tensor weight = param("weight").reshape(statShape), bias = param("bias").reshape(statShape);
        if (!isTraining()) {
            Tensor mean = buffer("running_mean").reshape(statShape), var = buffer("running_var").reshape(statShape);
            Tensor y = LayerPrimitives.named(x.sub(mean).div(var.add(eps).sqrt()).mul(weight).add(bias), "NativeBatchNormBackward0");
            // one op to a trace (an exporter maps the layer, not its parts)
            return OpTracer.isTracing() ? OpTracer.op(y, "NativeBatchNormBackward0", new Tensor[] {x, param("weight"),
                    param("bias"), buffer("running_mean"), buffer("running_var")}, "eps", eps) : y;
        }
        long count = x.numel() / numFeatures;
        if (count <= 1) {
            throw new IllegalArgumentException(name + ": expected more than 1 value per channel when training, got input "
                    + "shape " + Arrays.toString(x.shape()));
        }
        Tensor y;
        Tensor batchMean, batchVar;
        if (OpTracer.isTracing()) {
            // a trace shows the composition (what an exporter of training graphs can map op by op)
            batchMean = reduceMean(x);
            Tensor centered = x.sub(batchMean);
            batchVar = reduceMean(centered.square()); // biased: this is what normalises the batch
            y = LayerPrimitives.named(centered.div(batchVar.add(eps).sqrt()).mul(weight).add(bias), "NativeBatchNormBackward0");
        } else {
            double[] mean = new double[numFeatures], var = new double[numFeatures];
            y = LayerPrimitives.batchNorm(x, param("weight"), param("bias"), eps, mean, var);
            batchMean = Tensor.of(mean);
            batchVar = Tensor.of(var);
        }
        try (var g = Autograd.noGrad()) {
            Tensor runningMean = buffer("running_mean"), runningVar = buffer("running_var");
            runningMean.muli(1 - momentum).addi(batchMean.detach().reshape(numFeatures).mul(momentum).to(runningMean.dtype()));
            // The running variance tracks the unbiased estimate, as PyTorch's does.
            runningVar.muli(1 - momentum).addi(batchVar.detach().reshape(numFeatures).mul(momentum * count / (count - 1.0))
                    .to(runningVar.dtype()));
            buffer("num_batches_tracked").addi(1);
        }
        return y;
    }

    /** The mean over every dimension but 1, kept as size-1 dimensions. */
    private static Tensor reduceMean(Tensor t) {
        Tensor m = t.mean(0, true);
        for (int d = 2; d < t.dim(); d++) m = m.mean(d, true);
        return m;
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + DefaultInit.pyFloat(eps) + ", momentum=" + DefaultInit.pyFloat(momentum)
                + ", affine=True, track_running_stats=True";
    }
}
