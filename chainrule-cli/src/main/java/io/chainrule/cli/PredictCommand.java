package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.Models;
import io.chainrule.nn.Module;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code chainrule predict}: the class and the top-k probabilities of each input under a trained run's model. */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Classifies inputs with a run's model: the predicted class and the top-k softmax "
                + "probabilities of each input.",
                "--input takes an image (PNG, JPEG, GIF, BMP: made gray and resized to the run's input, scaled to "
                + "[0, 1] as the training images were), a CSV of rows (the run's feature columns; a 'label' column "
                + "is ignored; a CSV-trained run's standardisation is applied), or an IDX file of images [N, H, W] "
                + "or rows [N, F]."},
        footer = {"", "Examples:", "  chainrule predict runs/fmnist --input shoe.png --top 3",
                "  chainrule predict runs/moons --input points.csv --json",
                "  chainrule predict runs/fmnist --input t10k-images-idx3-ubyte.gz --best"})
final class PredictCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "A run folder that 'chainrule train' wrote.")
    Path run;

    @Option(names = {"-i", "--input"}, paramLabel = "FILE", required = true,
            description = "An image, CSV or IDX file (repeatable).")
    List<Path> inputs;

    @Option(names = {"-k", "--top"}, paramLabel = "K", defaultValue = "3",
            description = "How many classes to list per input, most probable first (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--best", description = "Use the best epoch's model (best.safetensors) instead of the last.")
    boolean best;

    @Option(names = "--invert", description = "Images: invert the gray levels (a dark drawing on white paper, for a "
            + "run trained on light-on-dark images like MNIST).")
    boolean invert;

    @Option(names = "--json", description = "One JSON object per input instead of text.")
    boolean json;

    /** One input's answer: its label, the classes by falling probability, and their probabilities. */
    record Prediction(String input, int[] classes, double[] probabilities) {}

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (top < 1) throw new CommandLine.ParameterException(cmd, "--top must be at least 1, got " + top);
        Checkpoint ck = Checkpoint.read(run);
        Module model = Models.build(ck);
        if (best) {
            if (ck.best() == null) throw new CliException("the run in " + ck.dir() + " kept no best model (--val-split 0)");
            ck.loadBest(model);
        } else {
            ck.loadModel(model);
        }
        model.eval();
        int k = Math.min(top, ck.classes());
        PrintWriter o = cmd.getOut();
        for (Path file : inputs) {
            PredictInputs in = PredictInputs.read(file, ck, invert);
            for (Prediction p : predict(model, in, k)) print(o, p, ck.classNames());
        }
        o.flush();
        return 0;
    }

    static List<Prediction> predict(Module model, PredictInputs in, int k) {
        double[] probs;
        int classes;
        try (var g = Autograd.noGrad()) {
            Tensor p = model.forward(in.x().to(Models.elementType(model))).softmax(1).to(DType.FLOAT64).contiguous();
            classes = p.shape()[1];
            probs = p.toDoubleArray();
        }
        List<Prediction> out = new ArrayList<>();
        for (int i = 0; i < in.labels().size(); i++) {
            int row = i;
            Integer[] order = new Integer[classes];
            for (int c = 0; c < classes; c++) order[c] = c;
            // Most probable first; ties in class order, so the answer does not depend on the sort.
            Arrays.sort(order, (a, b) -> {
                int cmp = Double.compare(probs[row * classes + b], probs[row * classes + a]);
                return cmp != 0 ? cmp : Integer.compare(a, b);
            });
            int[] cls = new int[k];
            double[] pr = new double[k];
            for (int j = 0; j < k; j++) {
                cls[j] = order[j];
                pr[j] = probs[row * classes + order[j]];
            }
            out.add(new Prediction(in.labels().get(i), cls, pr));
        }
        return out;
    }

    private void print(PrintWriter o, Prediction p, String[] names) {
        if (json) {
            StringBuilder sb = new StringBuilder("{\"input\":").append(jsonString(p.input()))
                    .append(",\"class\":").append(p.classes()[0])
                    .append(",\"name\":").append(jsonString(names[p.classes()[0]])).append(",\"top\":[");
            for (int j = 0; j < p.classes().length; j++) {
                sb.append(j > 0 ? "," : "").append("{\"class\":").append(p.classes()[j])
                        .append(",\"name\":").append(jsonString(names[p.classes()[j]]))
                        .append(",\"p\":").append(p.probabilities()[j]).append('}');
            }
            o.println(sb.append("]}"));
            return;
        }
        StringBuilder sb = new StringBuilder(p.input()).append(": ").append(label(names, p.classes()[0]));
        sb.append("   (");
        for (int j = 0; j < p.classes().length; j++) {
            sb.append(j > 0 ? ", " : "").append(label(names, p.classes()[j]))
                    .append(String.format(Locale.ROOT, " %.4f", p.probabilities()[j]));
        }
        o.println(sb.append(')'));
    }

    private static String jsonString(String v) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static String label(String[] names, int c) {
        return names[c].equals(Integer.toString(c)) ? Integer.toString(c) : c + " " + names[c];
    }
}
