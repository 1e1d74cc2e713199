package io.chainrule.parallel;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.Module;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A model's parameters and buffers, in {@link Module#parameters()} and {@link Module#buffers()} order: what the
 * driver ships to the workers once per step.
 */
public record ModelState(List<TensorData> parameters, List<TensorData> buffers) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A snapshot of {@code model}'s current values. */
    public static ModelState of(Module model) {
        List<TensorData> p = new ArrayList<>();
        for (Tensor t : model.parameters()) p.add(TensorData.of(t));
        List<TensorData> b = new ArrayList<>();
        for (Tensor t : model.buffers()) b.add(TensorData.of(t));
        return new ModelState(List.copyOf(p), List.copyOf(b));
    }

    /** Writes these values into {@code model} (same architecture: same count, shapes and dtypes). */
    public void copyInto(Module model) {
        copy(parameters, model.parameters(), "parameter");
        copy(buffers, model.buffers(), "buffer");
    }

    static void copy(List<TensorData> from, List<Tensor> to, String what) {
        if (from.size() != to.size()) {
            throw new IllegalArgumentException("ModelState: the model has " + to.size() + " " + what + "s but the state "
                    + from.size() + " (does the model factory build the same model everywhere?)");
        }
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < from.size(); i++) {
                TensorData d = from.get(i);
                Tensor t = to.get(i);
                if (!Arrays.equals(d.shape(), t.shape()) || d.dtype() != t.dtype()) {
                    throw new IllegalArgumentException("ModelState: " + what + " " + i + " is " + t.dtype()
                            + Arrays.toString(t.shape()) + " in the model but " + d.dtype() + Arrays.toString(d.shape())
                            + " in the state (does the model factory build the same model everywhere?)");
                }
                t.copyFrom(d.toTensor());
            }
        }
    }

    /** Payload bytes of all values. */
    public long bytes() {
        long n = 0;
        for (TensorData d : parameters) n += d.bytes();
        for (TensorData d : buffers) n += d.bytes();
        return n;
    }
}
