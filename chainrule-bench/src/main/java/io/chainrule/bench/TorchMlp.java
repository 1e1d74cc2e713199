package io.chainrule.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import java.util.List;

/**
 * The MLP through libtorch as a DJL user writes it without the Block/Trainer layer: {@code Linear.linear} (libtorch's
 * fused linear, weights {@code [out, in]}), ReLU, log-softmax + gather for the cross-entropy with INT64 labels, a
 * {@link GradientCollector} for backward, and a DJL {@link Optimizer} (whose PyTorch update also zeroes the gradient).
 *
 * <p>Each step runs in a sub-manager that the inputs are temporarily attached to, so every intermediate array is
 * freed when the step ends; the inputs go back to their own manager.
 */
final class TorchMlp {
    private final NDManager manager;
    private final NDArray[] params;
    private final String[] ids;
    private final Optimizer optimizer;

    TorchMlp(NDManager manager, List<Workloads.Param> params, Optimizer optimizer) {
        this.manager = manager;
        this.optimizer = optimizer;
        this.params = new NDArray[params.size()];
        this.ids = new String[params.size()];
        for (int i = 0; i < params.size(); i++) {
            this.params[i] = Torch.param(manager, params.get(i));
            ids[i] = params.get(i).name();
        }
    }

    /** One training step on {@code x [batch, in]} and INT64 labels {@code y}; the loss if asked, else NaN. */
    float step(NDArray x, NDArray y, boolean readLoss) {
        float loss = Float.NaN;
        try (NDManager step = manager.newSubManager()) {
            x.tempAttach(step);
            y.tempAttach(step);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray h = x;
                int layers = params.length / 2;
                for (int l = 0; l < layers; l++) {
                    h = Linear.linear(h, params[2 * l], params[2 * l + 1]).singletonOrThrow();
                    if (l + 1 < layers) h = Activation.relu(h);
                }
                NDArray lossArray = h.logSoftmax(1).gather(y.reshape(-1, 1), 1).mean().neg();
                gc.backward(lossArray);
                if (readLoss) loss = lossArray.getFloat();
            }
            for (int i = 0; i < params.length; i++) {
                // getGradient returns a fresh handle each call: close it.
                try (NDArray g = params[i].getGradient()) {
                    optimizer.update(ids[i], params[i], g);
                }
            }
        }
        return loss;
    }
}
