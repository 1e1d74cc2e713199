package io.chainrule.cli;

import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.DataSource;
import io.chainrule.cli.train.Evaluation;
import io.chainrule.cli.train.LoadedData;
import io.chainrule.cli.train.Models;
import io.chainrule.cli.train.Plots;
import io.chainrule.cli.train.TrainConfig;
import io.chainrule.cli.train.Labeled;
import io.chainrule.nn.Module;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code chainrule eval}: accuracy, per-class accuracy and the confusion matrix of a trained checkpoint. */
@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Evaluates a checkpoint that 'chainrule train' wrote: accuracy, loss, per-class accuracy and "
                + "the confusion matrix, printed and drawn to confusion.png.",
                "By default it uses the data the model was trained on: the test split where there is one; for the "
                + "synthetic sets a fresh sample from the same distribution (seed + 1000); otherwise the validation "
                + "examples the run held out (--val-split), which it never trained on.",
                "With --model FILE.onnx it evaluates an ONNX model instead (one that 'chainrule export' wrote, or any "
                + "single-input classifier): the data settings come from the file's chainrule.* metadata when it has "
                + "them, else the data is taken as given with train's defaults (--data is then required)."},
        footer = {"", "Examples:", "  chainrule eval runs/2025-01-01_12-00-00",
                "  chainrule eval runs/fashion --data fashion-mnist --split train",
                "  chainrule eval --model model.onnx --data spiral"})
final class EvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "CHECKPOINT", description = "A run folder (or one of its checkpoint files).")
    Path checkpoint;

    @Option(names = "--model", paramLabel = "FILE.onnx", description = "Evaluate this ONNX model instead of a run.")
    Path onnxModel;

    @Option(names = "--data", paramLabel = "NAME|PATH", description = "Data to evaluate on (default: the training data).")
    String data;

    @Option(names = "--split", paramLabel = "train|val|test", description = "Which split (default: test where there "
            + "is one, else val where the run held one out). train and val are the run's own division of the data.")
    String split;

    @Option(names = "--best", description = "Evaluate the best epoch's model (best.safetensors) instead of the last.")
    boolean best;

    @Option(names = "--seed", paramLabel = "N", description = "Synthetic data: the seed of the sample (default: the "
            + "training seed + 1000, unseen points).")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Where confusion.png goes (default: the checkpoint's folder).")
    Path out;

    @Option(names = {"-k", "--top-k"}, paramLabel = "K", description = "Also report the top-K accuracy: the true "
            + "class among the K most probable (default 5, at most the number of classes).")
    Integer topK;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    /** The k for the top-k accuracy of a model with {@code classes} outputs. */
    int topK(int classes) {
        if (topK == null) return Math.min(Evaluation.DEFAULT_TOP_K, classes);
        if (topK < 1 || topK > classes) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top-k must be between 1 and the " + classes
                    + " classes, got " + topK);
        }
        return topK;
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (split != null && !split.equals("train") && !split.equals("test") && !split.equals("val")) {
            throw new CommandLine.ParameterException(cmd, "Invalid value for option '--split': '" + split
                    + "' (train, val or test)");
        }
        if ((checkpoint == null) == (onnxModel == null)) {
            throw new CommandLine.ParameterException(cmd, "give either a run folder or --model FILE.onnx");
        }
        if (onnxModel != null) return OnnxEval.run(this);
        Checkpoint ck = Checkpoint.read(checkpoint);
        TrainConfig tc = ck.config();
        String d = data != null ? data : tc.data();
        boolean synthetic = DataSource.isSynthetic(d);
        boolean ownSplit = "train".equals(split) || "val".equals(split);
        long s = seed != null ? seed : synthetic && d.equals(tc.data()) && !ownSplit ? tc.seed() + 1000 : tc.seed();
        TrainConfig dc = new TrainConfig(d, synthetic ? (d.equals(tc.data()) ? tc.samples() : DataSource.defaultSamples(d)) : 0,
                synthetic ? (d.equals(tc.data()) ? tc.noise() : DataSource.defaultNoise(d)) : 0, 0, tc.model(),
                tc.hidden(), tc.activation(), tc.optimizer(), tc.lr(), tc.epochs(), tc.batchSize(), tc.dropLast(), s);
        LoadedData loaded = DataSource.load(dc, ck.mean(), ck.std());
        // The run's own data: the same validation draw as in training, so "train" and "val" mean what they meant there.
        if (d.equals(tc.data()) && s == tc.seed()) loaded = loaded.splitValidation(ck.validation().split(), tc.seed());
        else if ("val".equals(split)) {
            throw new CliException("--split val is the run's own held-out examples: it needs the training data "
                    + tc.data() + " and seed (" + tc.seed() + ")");
        }
        if ("val".equals(split) && loaded.val() == null) {
            throw new CliException("the run in " + ck.dir() + " held no validation examples out (--val-split 0)");
        }
        if (!Arrays.equals(loaded.inputShape(), ck.inputShape())) {
            throw new CliException("the checkpoint's model takes inputs of shape " + HumanFormat.shape(ck.inputShape()) + " ("
                    + tc.data() + ") but " + loaded.name() + " has " + HumanFormat.shape(loaded.inputShape()));
        }
        boolean file = !DataSource.NAMED.contains(d);
        if (file ? loaded.classes() > ck.classes() : loaded.classes() != ck.classes()) {
            throw new CliException("the checkpoint's model tells " + ck.classes() + " classes apart (" + tc.data()
                    + ") but " + loaded.name() + " has " + loaded.classes());
        }
        boolean useTest = loaded.test() != null && !ownSplit;
        if ("test".equals(split) && loaded.test() == null && !synthetic) {
            throw new CliException(loaded.name() + " has no test split; use --split val or --split train");
        }
        boolean useVal = "val".equals(split) || split == null && !useTest && loaded.val() != null && s == tc.seed();
        Labeled set = useTest ? loaded.test() : useVal ? loaded.val() : loaded.train();
        String which = useTest ? "test split" : useVal ? "validation split" : synthetic && s != tc.seed()
                ? "fresh sample, seed " + s : "training set";

        Module model = Models.build(ck);
        if (best) {
            if (ck.best() == null) {
                throw new CliException("the run in " + ck.dir() + " kept no best model (it held no validation "
                        + "examples out, or finished no epoch)");
            }
            ck.loadBest(model);
            which += ", best model of epoch " + ck.best().epoch();
        } else {
            ck.loadModel(model);
        }
        Evaluation ev = Evaluation.of(model, set, ck.classes(), topK(ck.classes()));

        Path dir = FileChecks.prepareOutputDir(out != null ? out : ck.dir());
        Path png = dir.resolve("confusion.png");
        String title = String.format(Locale.ROOT, "%s (%s): accuracy %.2f%% on %,d examples", loaded.name(), which,
                100 * ev.accuracy(), ev.examples());
        Plots.confusionMatrix(png, title, ev.confusion(), ck.classNames());
        print(cmd.getOut(), ev, ck.classNames(), loaded.name(), which, png);
        return 0;
    }

    private static String pct(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    private static String jsonNum(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static void array(StringBuilder sb, String key, double[] v) {
        sb.append(",\"").append(key).append("\":[");
        for (int i = 0; i < v.length; i++) sb.append(i > 0 ? "," : "").append(jsonNum(v[i]));
        sb.append(']');
    }

    void print(PrintWriter o, Evaluation ev, String[] names, String dataName, String which, Path png) {
        double[] per = ev.perClass();
        if (json) {
            StringBuilder sb = new StringBuilder("{\"data\":\"").append(dataName).append("\",\"split\":\"").append(which)
                    .append("\",\"examples\":").append(ev.examples())
                    .append(",\"accuracy\":").append(ev.accuracy()).append(",\"loss\":").append(ev.loss())
                    .append(",\"per_class\":[");
            for (int i = 0; i < per.length; i++) sb.append(i > 0 ? "," : "").append(Double.isNaN(per[i]) ? "null" : Double.toString(per[i]));
            sb.append(']');
            array(sb, "precision", ev.precision());
            array(sb, "recall", ev.recall());
            array(sb, "f1", ev.f1());
            sb.append(",\"macro_precision\":").append(jsonNum(Evaluation.macro(ev.precision())))
                    .append(",\"macro_recall\":").append(jsonNum(Evaluation.macro(ev.recall())))
                    .append(",\"macro_f1\":").append(jsonNum(Evaluation.macro(ev.f1())))
                    .append(",\"top_k\":").append(ev.topK())
                    .append(",\"top_k_accuracy\":").append(ev.topKAccuracy());
            sb.append(",\"class_names\":[");
            for (int i = 0; i < names.length; i++) {
                sb.append(i > 0 ? "," : "").append('"').append(names[i].replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            sb.append("],\"confusion\":[");
            for (int i = 0; i < ev.confusion().length; i++) {
                sb.append(i > 0 ? "," : "").append(Arrays.toString(ev.confusion()[i]).replace(" ", ""));
            }
            o.println(sb.append("]}"));
            o.flush();
            return;
        }
        o.printf(Locale.ROOT, "%s, %s: %,d examples%n", dataName, which, ev.examples());
        o.printf(Locale.ROOT, "accuracy  %.2f%%   loss %.4f   top-%d accuracy %.2f%%%n%n", 100 * ev.accuracy(),
                ev.loss(), ev.topK(), 100 * ev.topKAccuracy());
        int w = 9;
        for (String n : names) w = Math.max(w, n.length());
        double[] precision = ev.precision(), f1 = ev.f1();
        // Recall is the per-class accuracy: of a class's examples, the share predicted as it.
        o.printf(Locale.ROOT, "%-" + w + "s  %9s  %7s  %7s  %7s%n", "class", "precision", "recall", "F1", "count");
        for (int i = 0; i < per.length; i++) {
            long row = Arrays.stream(ev.confusion()[i]).sum();
            o.printf(Locale.ROOT, "%-" + w + "s  %9s  %7s  %7s  %7d%n", names[i], pct(precision[i]), pct(per[i]),
                    pct(f1[i]), row);
        }
        o.printf(Locale.ROOT, "%-" + w + "s  %9s  %7s  %7s  %7d%n", "macro avg", pct(Evaluation.macro(precision)),
                pct(Evaluation.macro(per)), pct(Evaluation.macro(f1)), ev.examples());
        o.println();
        o.println("confusion matrix (rows: true class, columns: predicted)");
        String[] rowLabels = new String[names.length];
        int lw = 0;
        for (int i = 0; i < names.length; i++) {
            rowLabels[i] = names[i].equals(Integer.toString(i)) ? Integer.toString(i) : i + " " + names[i];
            lw = Math.max(lw, rowLabels[i].length());
        }
        int cw = 5;
        for (long[] r : ev.confusion()) for (long v : r) cw = Math.max(cw, Long.toString(v).length() + 1);
        StringBuilder head = new StringBuilder(" ".repeat(lw));
        for (int j = 0; j < names.length; j++) head.append(String.format("%" + cw + "s", j));
        o.println(head);
        for (int i = 0; i < names.length; i++) {
            StringBuilder sb = new StringBuilder(String.format("%-" + lw + "s", rowLabels[i]));
            for (long v : ev.confusion()[i]) sb.append(String.format("%" + cw + "d", v));
            o.println(sb);
        }
        o.println();
        o.println("wrote " + png);
        o.flush();
    }
}
