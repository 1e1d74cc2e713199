package io.chainrule.cli;

import io.chainrule.cli.train.DataSource;
import io.chainrule.cli.train.Evaluation;
import io.chainrule.cli.train.Labeled;
import io.chainrule.cli.train.LoadedData;
import io.chainrule.cli.train.Plots;
import io.chainrule.cli.train.TrainConfig;
import io.chainrule.nn.Module;
import io.chainrule.onnx.Onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * {@code chainrule eval --model FILE.onnx}: the same report as for a run, for an ONNX model run with chainrule's
 * ONNX import ({@link Onnx#load}). The data is chosen as for a run, with the run's settings read from the file's
 * {@code chainrule.*} metadata ({@link OnnxRunInfo}); without them {@code --data} is required and the data is
 * prepared with train's defaults.
 */
final class OnnxEval {
    private OnnxEval() {}

    static int run(EvalCommand c) throws IOException {
        Path file = c.onnxModel;
        OnnxRunInfo info = OnnxRunInfo.read(file);
        String d = c.data != null ? c.data : info.data();
        if (d == null) {
            throw new CliException("eval --model " + file + ": give --data (the file does not say what data the model "
                    + "was trained on)");
        }
        if ("val".equals(c.split) || c.best) {
            throw new CliException("eval --model " + file + ": " + ("val".equals(c.split) ? "--split val" : "--best")
                    + " is about a run's folder (its held-out examples, its best model); an ONNX file has neither");
        }
        boolean synthetic = DataSource.isSynthetic(d);
        boolean sameData = d.equals(info.data());
        long trainSeed = info.seed(0);
        long s = c.seed != null ? c.seed : synthetic && sameData && !"train".equals(c.split) ? trainSeed + 1000 : trainSeed;
        TrainConfig dc = new TrainConfig(d, synthetic ? info.samples(d) : 0, synthetic ? info.noise(d) : 0, 0, "mlp",
                new int[0], "relu", "adam", 0.01, 1, 0, false, s);
        LoadedData loaded = DataSource.load(dc, sameData ? info.mean() : null, sameData ? info.std() : null);
        if (info.inputShape() != null && !Arrays.equals(info.inputShape(), loaded.inputShape())) {
            throw new CliException(file + " takes examples of shape " + HumanFormat.shape(info.inputShape()) + " but "
                    + loaded.name() + " has " + HumanFormat.shape(loaded.inputShape()));
        }
        int classes = info.classes() > 0 ? info.classes() : loaded.classes();
        if (loaded.classes() > classes) {
            throw new CliException(file + " tells " + classes + " classes apart but " + loaded.name() + " has " + loaded.classes());
        }
        boolean useTest = loaded.test() != null && !"train".equals(c.split);
        if ("test".equals(c.split) && loaded.test() == null && !synthetic) {
            throw new CliException(loaded.name() + " has no test split; use --split train");
        }
        Labeled set = useTest ? loaded.test() : loaded.train();
        String which = useTest ? "test split" : synthetic && s != trainSeed ? "fresh sample, seed " + s : "training set";

        Module model = Onnx.load(file);
        Evaluation ev = Evaluation.of(model, set, classes, c.topK(classes));
        String[] names = info.classNames() != null && info.classNames().length == classes ? info.classNames()
                : classes == loaded.classes() ? loaded.classNames() : numbered(classes);
        Path dir = FileChecks.prepareOutputDir(c.out != null ? c.out : file.toAbsolutePath().getParent());
        Path png = dir.resolve("confusion.png");
        String title = String.format(Locale.ROOT, "%s (%s): accuracy %.2f%% on %,d examples", loaded.name(), which,
                100 * ev.accuracy(), ev.examples());
        Plots.confusionMatrix(png, title, ev.confusion(), names);
        c.print(c.spec.commandLine().getOut(), ev, names, loaded.name(), which, png);
        return 0;
    }

    private static String[] numbered(int classes) {
        String[] n = new String[classes];
        for (int i = 0; i < classes; i++) n[i] = Integer.toString(i);
        return n;
    }
}
