package io.chainrule.cli.train;

import io.chainrule.cli.CliException;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.Module;
import io.chainrule.nn.Sequential;

import java.util.ArrayList;
import java.util.List;

/** Builds the model a {@link TrainConfig} names, as a {@link Sequential} (so state-dict keys are 0.weight, 2.bias...). */
public final class Models {
    private Models() {}

    /**
     * The model for inputs of {@code inputShape} and {@code classes} outputs (logits). Parameters are initialised
     * from the default generator: seed it first for a reproducible run.
     */
    public static Module build(TrainConfig c, int[] inputShape, int classes) {
        return build(c, Tuning.NONE, inputShape, classes);
    }

    /** The model of a checkpoint, with its dropout layers (parameters as initialised; load the state next). */
    public static Module build(Checkpoint ck) {
        return build(ck.config(), ck.tuning(), ck.inputShape(), ck.classes());
    }

    /** Like {@link #build(TrainConfig, int[], int)}, with a dropout layer after each hidden activation when asked. */
    public static Module build(TrainConfig c, Tuning t, int[] inputShape, int classes) {
        Module m = layers(c, t, inputShape, classes);
        // Initialised in float32 and then widened: a float64 run starts from the same numbers as a float32 one.
        return t.elementType() == io.chainrule.DType.FLOAT32 ? m : m.to(t.elementType());
    }

    /** The element type of {@code model}'s parameters (what its inputs must be converted to). */
    public static io.chainrule.DType elementType(Module model) {
        List<io.chainrule.Tensor> p = model.parameters();
        return p.isEmpty() ? io.chainrule.DType.FLOAT32 : p.get(0).dtype();
    }

    private static Module layers(TrainConfig c, Tuning t, int[] inputShape, int classes) {
        return switch (ModelChoice.of(c.model())) {
            case MLP -> mlp(c, t.dropout(), inputShape, classes);
            case CNN -> cnn(c, t.dropout(), inputShape, classes);
            case RNN, LSTM, GRU -> recurrent(c, t.dropout(), inputShape, classes);
        };
    }

    private static Module mlp(TrainConfig c, double dropout, int[] inputShape, int classes) {
        List<Module> layers = new ArrayList<>();
        int in = 1;
        for (int d : inputShape) in *= d;
        if (inputShape.length > 1) layers.add(new Flatten());
        for (int h : c.hidden()) {
            layers.add(new Linear(in, h));
            layers.add(activation(c.activation()));
            if (dropout > 0) layers.add(new SeededDropout(dropout));
            in = h;
        }
        layers.add(new Linear(in, classes));
        return new Sequential(layers.toArray(new Module[0]));
    }

    /**
     * Two conv-activation-pool blocks (16 and 32 channels, 3×3, same padding, 2×2 max-pool), then the --hidden fully
     * connected layers and the classifier.
     */
    private static Module cnn(TrainConfig c, double dropout, int[] inputShape, int classes) {
        if (inputShape.length != 3) {
            throw new CliException("--model cnn needs image data ([channels, height, width]); this data has input "
                    + java.util.Arrays.toString(inputShape) + ": use --model mlp");
        }
        int ch = inputShape[0], h = inputShape[1], w = inputShape[2];
        if (h < 4 || w < 4) throw new CliException("--model cnn needs images of at least 4×4 pixels, got " + h + "×" + w);
        List<Module> layers = new ArrayList<>();
        layers.add(new Conv2d(ch, 16, 3, 1, 1));
        layers.add(activation(c.activation()));
        layers.add(new MaxPool2d(2));
        layers.add(new Conv2d(16, 32, 3, 1, 1));
        layers.add(activation(c.activation()));
        layers.add(new MaxPool2d(2));
        layers.add(new Flatten());
        int in = 32 * (h / 2 / 2) * (w / 2 / 2);
        for (int width : c.hidden()) {
            layers.add(new Linear(in, width));
            layers.add(activation(c.activation()));
            if (dropout > 0) layers.add(new SeededDropout(dropout));
            in = width;
        }
        layers.add(new Linear(in, classes));
        return new Sequential(layers.toArray(new Module[0]));
    }

    /** Images read row by row by stacked recurrent layers of the --hidden width (one entry per layer). */
    private static Module recurrent(TrainConfig c, double dropout, int[] inputShape, int classes) {
        if (inputShape.length != 3 || inputShape[0] != 1) {
            throw new CliException("--model " + c.model() + " reads gray images row by row; this data has input "
                    + java.util.Arrays.toString(inputShape) + ": use --model mlp");
        }
        int[] h = c.hidden();
        for (int w : h) {
            if (w != h[0]) {
                throw new CliException("--model " + c.model() + " stacks recurrent layers of one width: --hidden "
                        + h[0] + (h.length > 1 ? "," + h[0] : "") + ", not " + c.hiddenString());
            }
        }
        if (dropout > 0) throw new CliException("--dropout is for --model mlp and cnn, not " + c.model());
        return new RowSequenceModel(ModelChoice.of(c.model()), c.activation(), inputShape[1], inputShape[2], h[0], h.length, classes);
    }

    static Module activation(String name) {
        return ActivationChoice.of(name).layer();
    }

    /** Number of scalar parameters. */
    public static long parameterCount(Module m) {
        long n = 0;
        for (var p : m.parameters()) n += p.numel();
        return n;
    }
}
