package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.Module;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table of a model's layers, as Keras's {@code summary()} prints it: each layer's name, type, output shape and
 * parameter count, found by passing one zero example through the layers in order.
 */
public final class ModelSummary {
    /** One layer: its state-dict prefix, type, output shape with the batch dimension first, and parameters. */
    public record Row(String name, String type, int[] outputShape, long parameters) {}

    private ModelSummary() {}

    /** The rows of {@code model} (the CLI's models are sequences of layers) for examples of {@code inputShape}. */
    public static List<Row> of(Module model, int[] inputShape) {
        int[] shape = new int[inputShape.length + 1];
        shape[0] = 1;
        System.arraycopy(inputShape, 0, shape, 1, inputShape.length);
        List<Row> rows = new ArrayList<>();
        boolean wasTraining = model.isTraining();
        model.eval();
        try (var g = Autograd.noGrad()) {
            Tensor x = Tensor.zeros(Models.elementType(model), shape);
            Map<String, Module> layers = model.namedChildren();
            if (layers.isEmpty()) layers = Map.of("", model);
            for (Map.Entry<String, Module> e : layers.entrySet()) {
                x = e.getValue().forward(x);
                String type = e.getValue().getClass().getSimpleName().replace("SeededDropout", "Dropout");
                rows.add(new Row(e.getKey(), type, x.shape(), Models.parameterCount(e.getValue())));
            }
        } finally {
            if (wasTraining) model.train();
        }
        return rows;
    }

    /** The table as text, one line per layer, then the total. */
    public static String table(List<Row> rows) {
        int tw = 5;
        int sw = 12;
        for (Row r : rows) {
            tw = Math.max(tw, r.type().length());
            sw = Math.max(sw, shape(r.outputShape()).length());
        }
        StringBuilder sb = new StringBuilder();
        String f = "%-5s  %-" + tw + "s  %-" + sw + "s  %,12d%n";
        sb.append(String.format(Locale.ROOT, "%-5s  %-" + tw + "s  %-" + sw + "s  %12s%n", "layer", "type", "output shape", "parameters"));
        long total = 0;
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, f, r.name(), r.type(), shape(r.outputShape()), r.parameters()));
            total += r.parameters();
        }
        sb.append(String.format(Locale.ROOT, "total %,d parameters (%s as float32)%n", total, bytes(total * 4)));
        return sb.toString();
    }

    /** {@code [N, 64]}: the batch dimension as N. */
    static String shape(int[] s) {
        String[] parts = new String[s.length];
        parts[0] = "N";
        for (int i = 1; i < s.length; i++) parts[i] = Integer.toString(s[i]);
        return "[" + String.join(", ", Arrays.asList(parts)) + "]";
    }

    private static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format(Locale.ROOT, "%.1f KiB", b / 1024.0);
        return String.format(Locale.ROOT, "%.1f MiB", b / (1024.0 * 1024));
    }
}
