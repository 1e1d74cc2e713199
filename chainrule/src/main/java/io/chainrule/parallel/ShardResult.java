package io.chainrule.parallel;

import java.io.Serializable;
import java.util.List;

/**
 * What one micro-batch sends back to the driver: its example count, the loss summed over its examples, how many
 * it classified correctly (class labels only, else 0), the gradient of the summed loss for every parameter, and
 * the buffers after its forward pass (batch-norm running statistics). An empty micro-batch has no gradients and
 * no buffers (null).
 */
public record ShardResult(int shard, int count, double lossSum, long correct, List<TensorData> gradients,
                          List<TensorData> buffers) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The result of a micro-batch with no examples (the short last step of an epoch). */
    public static ShardResult empty(int shard) {
        return new ShardResult(shard, 0, 0, 0, null, null);
    }

    /** Payload bytes (gradients and buffers). */
    public long bytes() {
        long n = 0;
        if (gradients != null) for (TensorData d : gradients) n += d.bytes();
        if (buffers != null) for (TensorData d : buffers) n += d.bytes();
        return n;
    }
}
