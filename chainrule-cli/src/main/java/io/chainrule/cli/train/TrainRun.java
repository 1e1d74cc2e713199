package io.chainrule.cli.train;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.CliException;
import io.chainrule.cli.FileChecks;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.Graphviz;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.io.AtomicFiles;
import io.chainrule.nn.F;
import io.chainrule.nn.Module;
import io.chainrule.optim.Optimizer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One {@code chainrule train} run: the epoch loop with its progress bar, per-epoch metrics, charts and checkpoint,
 * and a clean stop after the current batch when asked (Ctrl-C). Resuming from a checkpoint continues
 * bit-identically because each epoch's data order comes from its own generator, seeded with seed + epoch.
 */
public final class TrainRun {
    /**
     * How the run reports.
     *
     * @param progress         draw a progress bar on {@code progressStream}
     * @param logEvery         print a summary line every this many epochs (the first and last always)
     * @param stopAfterBatches for tests: act as if Ctrl-C came after this many batches (0: never)
     * @param progressEvery    without a progress bar (output to a file or a pipe), a progress line every this many
     *                         seconds during an epoch (0: none)
     * @param command          the program's name as the user typed it, for the resume hint
     */
    public record Options(Path out, boolean quiet, boolean json, boolean progress, PrintStream progressStream,
                          int logEvery, int stopAfterBatches, double progressEvery, String command) {}

    /** What the run achieved. {@code interrupted} runs leave a checkpoint to resume from. */
    public record Result(int epochsDone, EpochMetrics last, boolean interrupted, Path out) {}

    /** Seconds between chart redraws while training (they are always drawn at the end). */
    static final double CHART_INTERVAL_S = 5;

    private final TrainConfig config;
    private final Validation validation;
    private final Tuning tuning;
    private final io.chainrule.optim.LRScheduler scheduler;
    private final LoadedData data;
    private final Module model;
    private final Optimizer optimizer;
    private final Checkpoint resumeFrom;
    private final Options opt;
    private final PrintWriter out;
    private final PrintWriter err;
    private volatile boolean stopRequested;
    private io.chainrule.cli.live.TrainObserver observer; // --ui, --tensorboard: null without them
    private ShardedSteps sharded; // --shards / --spark: steps computed by shards (null: ordinary steps)
    /** The best epoch on the validation metric so far (null before the first, or without validation). */
    private Checkpoint.Best best;

    public TrainRun(TrainConfig config, Validation validation, Tuning tuning, LoadedData data, Module model,
                    Optimizer optimizer, Checkpoint resumeFrom, Options options, PrintWriter out, PrintWriter err) {
        this.config = config;
        this.validation = validation;
        this.tuning = tuning;
        // The schedule starts from the run's lr and is replayed to the resumed epoch: the same lr, bit for bit, as
        // in an uninterrupted run (a checkpoint's optimizer holds the lr its last epoch used).
        if (!tuning.lrSchedule().equals("none")) optimizer.setLr(config.lr());
        this.scheduler = tuning.scheduler(optimizer, config.epochs());
        if (scheduler != null && resumeFrom != null) for (int e = 0; e < resumeFrom.epoch(); e++) scheduler.step();
        this.best = resumeFrom == null ? null : resumeFrom.best();
        this.data = data;
        this.model = model;
        this.optimizer = optimizer;
        this.resumeFrom = resumeFrom;
        this.opt = options;
        this.out = out;
        this.err = err;
    }

    /** Shows the run's steps and epochs to {@code o} as well (the browser view, TensorBoard files). */
    public void observer(io.chainrule.cli.live.TrainObserver o) {
        this.observer = o;
    }

    /** Computes each step by shards ({@code --shards}, {@code --spark}) instead of in one piece. */
    public TrainRun sharded(ShardedSteps steps) {
        this.sharded = steps;
        return this;
    }

    /** Asks the run to stop after the current batch (from a signal handler or another thread). */
    public void requestStop() {
        stopRequested = true;
    }

    /** True once {@link #requestStop} was called. */
    public boolean stopRequested() {
        return stopRequested;
    }

    public Result run() throws IOException {
        Path dir = opt.out();
        int n = data.train().x().shape()[0];
        int bs = config.batchSize() == 0 ? n : Math.min(config.batchSize(), n);
        if (config.dropLast() && config.batchSize() > n) {
            throw new CliException("--batch-size " + config.batchSize() + " with --drop-last leaves no batch: the data has "
                    + n + " examples");
        }
        int startEpoch = resumeFrom == null ? 0 : resumeFrom.epoch();
        int skip = resumeFrom == null ? 0 : resumeFrom.batch();
        long step = resumeFrom == null ? 0 : resumeFrom.step();
        List<EpochMetrics> history = resumeFrom == null ? new ArrayList<>()
                : EpochMetrics.read(resumeFrom.dir().resolve("metrics.csv"), startEpoch);

        RunFolder.removeLeftovers(dir, currentFolder(dir));
        start(n, bs, startEpoch, skip);
        if (resumeFrom == null || !Files.exists(dir.resolve("graph.dot"))) writeStepGraph(dir);
        if (observer != null) observer.started(model, data.train().x(), data.train().y(), batchesPerEpoch(n, bs), step);

        long lastChart = 0; // charts after the first epoch, then every CHART_INTERVAL_S
        LossWatch watch = new LossWatch(history.isEmpty() ? Double.NaN : history.get(0).trainLoss(), data.classes());
        int batchesThisRun = 0;
        EpochMetrics last = history.isEmpty() ? null : history.get(history.size() - 1);
        for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
            DataLoader loader = new DataLoader(data.train().dataset(), bs).shuffle(true).dropLast(config.dropLast())
                    .generator(new Generator(config.seed() + epoch)).transform(tuning.augmenter(config.seed(), epoch));
            model.train();
            int examplesThisEpoch = sharded != null ? sharded.examplesPerEpoch() : config.dropLast() ? (n / bs) * bs : n;
            TransientBar barLine = opt.progress() ? new TransientBar(opt.progressStream()) : null;
            ProgressBar bar = barLine != null ? progressBar(epoch, examplesThisEpoch, barLine) : null;
            long lastLine = System.nanoTime();
            int batchesThisEpoch = config.dropLast() ? n / bs : batchesPerEpoch(n, bs);
            long t0 = System.nanoTime();
            // A run resumed part way through this epoch picks up its running sums, so the epoch's metrics match.
            Checkpoint.Partial carried = skip > 0 ? resumeFrom.partial() : Checkpoint.Partial.NONE;
            double lossSum = carried.lossSum();
            long correct = carried.correct();
            long seen = carried.seen();
            long processed = 0; // in this process, for the speed
            int b = 0;
            boolean stopped = false;
            try {
                if (bar != null && skip > 0) bar.stepTo((long) Math.min(examplesThisEpoch, (long) skip * bs));
                for (Batch batch : sharded != null ? sharded.batches(epoch) : loader) {
                    if (b < skip) { // resuming mid-epoch: these batches were trained on before the interrupt
                        b++;
                        continue;
                    }
                    if (tuning.dropout() > 0) SeededDropout.reseedAll(model, config.seed(), step);
                    long stepStart = System.nanoTime();
                    StepResult r = sharded != null ? sharded.step(epoch, b) : step(batch.x(), batch.y());
                    if (batchesThisRun == 0 && config.optimizerChoice() == OptimizerChoice.NEWTON) {
                        newtonEstimate((System.nanoTime() - stepStart) / 1e9, stepsLeft(epoch, b, n, bs));
                    }
                    if (!Double.isFinite(r.loss)) {
                        throw new CliException(String.format(Locale.ROOT, "the loss became %s at epoch %d, batch %d; "
                                + "the learning rate (%s) is probably too high for %s", r.loss, epoch + 1, b + 1,
                                HumanFormat.num(config.lr()), config.optimizer()));
                    }
                    String exploded = watch.check(r.loss, epoch + 1, b + 1);
                    if (exploded != null) warn(exploded + "; the learning rate (" + HumanFormat.num(config.lr())
                            + ") is probably too high for " + config.optimizer());
                    int len = batch.y().shape()[0];
                    lossSum += r.loss * len;
                    correct += r.correct;
                    seen += len;
                    processed += len;
                    b++;
                    step++;
                    batchesThisRun++;
                    if (observer != null) observer.step(step, epoch + 1, r.loss, (double) r.correct / len, optimizer.lr(),
                            processed / Math.max((System.nanoTime() - t0) / 1e9, 1e-9));
                    if (bar != null) {
                        bar.stepBy(len);
                        double secs = (System.nanoTime() - t0) / 1e9;
                        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f acc %.1f%% %,.0f ex/s",
                                lossSum / seen, 100.0 * correct / seen, processed / Math.max(secs, 1e-9)));
                    }
                    if (bar == null && opt.progressEvery() > 0 && !opt.quiet() && !opt.json()
                            && (System.nanoTime() - lastLine) / 1e9 >= opt.progressEvery() && b < batchesThisEpoch) {
                        progressLine(epoch, b, batchesThisEpoch, lossSum / seen, (double) correct / seen, processed,
                                (System.nanoTime() - t0) / 1e9, examplesThisEpoch - (long) b * bs);
                        lastLine = System.nanoTime();
                    }
                    if (stopRequested || (opt.stopAfterBatches() > 0 && batchesThisRun >= opt.stopAfterBatches())) {
                        stopped = true;
                        break;
                    }
                }
            } finally {
                if (bar != null) {
                    // Stopped part way: the bar stays on screen with the batches done; else the summary replaces it.
                    if (stopped) {
                        barLine.keep();
                        bar.refresh();
                    }
                    bar.close();
                }
            }
            skip = 0;
            if (stopped) {
                // b batches of this epoch are done; the checkpoint says so, and --resume skips them.
                boolean epochDone = b >= (sharded != null ? sharded.stepsPerEpoch() : batchesPerEpoch(n, bs));
                int epochs = epochDone ? epoch + 1 : epoch;
                boolean newBest = false;
                if (epochDone) {
                    last = finishEpoch(epoch, lossSum, correct, seen, processed, t0, step, history);
                    newBest = trackBest(last);
                }
                Checkpoint.save(dir, model, optimizer, config, validation, tuning, data, epochs, epochDone ? 0 : b, step,
                        epochDone ? Checkpoint.Partial.NONE : new Checkpoint.Partial(lossSum, correct, seen), best,
                        newBest);
                interrupted(epochs, epochDone ? 0 : b, dir);
                chartsAfterStop(dir, history);
                return new Result(epochs, last, true, dir);
            }
            last = finishEpoch(epoch, lossSum, correct, seen, processed, t0, step, history);
            boolean newBest = trackBest(last);
            if (scheduler != null) scheduler.step(); // the next epoch's lr, saved with the optimizer's state
            Checkpoint.save(dir, model, optimizer, config, validation, tuning, data, epoch + 1, 0, step, Checkpoint.Partial.NONE,
                    best, newBest);
            if (lastChart == 0 || (System.nanoTime() - lastChart) / 1e9 > CHART_INTERVAL_S) {
                FaultInjection.pause("charts", () -> stopRequested);
                try {
                    writeCharts(dir, history);
                } catch (IOException | RuntimeException e) {
                    // Ctrl-C during the chart write: the checkpoint is saved, so report the stop as usual (the
                    // charts are tried again below); otherwise a failing chart is an error.
                    if (!stopRequested) throw e;
                }
                lastChart = System.nanoTime();
            }
            if (stopRequested) {
                interrupted(epoch + 1, 0, dir);
                chartsAfterStop(dir, history);
                return new Result(epoch + 1, last, true, dir);
            }
            if (validation.patience() > 0 && epoch + 1 - best.epoch() >= validation.patience()) {
                earlyStop(epoch + 1);
                return finish(dir, history, last, epoch + 1);
            }
        }
        return finish(dir, history, last, config.epochs());
    }

    /** The end of a run that was not interrupted: charts, the test set evaluated once, the closing line. */
    private Result finish(Path dir, List<EpochMetrics> history, EpochMetrics last, int epochsDone) throws IOException {
        writeCharts(dir, history);
        if (data.isPlanar()) writeDecisionBoundary(dir, last);
        Evaluation test = null;
        if (data.test() != null) {
            // Once, at the end, on the model the run hands over: the best epoch's when one was kept.
            Module chosen = model;
            if (best != null) {
                chosen = Models.build(config, tuning, data.inputShape(), data.classes());
                chosen.loadStateDict(io.chainrule.io.Safetensors.load(dir.resolve(Checkpoint.BEST)));
            }
            test = Evaluation.of(chosen, data.test(), data.classes());
        }
        done(last, test, dir);
        return new Result(epochsDone, last, false, dir);
    }

    /** Updates {@link #best} with a finished epoch; true when that epoch is the new best. */
    private boolean trackBest(EpochMetrics m) {
        if (!validation.enabled()) return false;
        double v = validation.valueOf(m);
        if (best != null && !validation.improves(v, best.value())) return false;
        best = new Checkpoint.Best(m.epoch(), v);
        return true;
    }

    private static int batchesPerEpoch(int n, int bs) {
        return (n + bs - 1) / bs;
    }

    record StepResult(double loss, long correct) {}

    /** One optimizer step on a batch; the loss and accuracy are those before the update (PyTorch's convention). */
    private StepResult step(Tensor x, Tensor y) {
        Tensor[] firstLogits = new Tensor[1];
        double[] firstLoss = {Double.NaN};
        // Newton builds its own gradient graph from the loss (double backward), so its closure must not run backward.
        boolean backwardInClosure = config.optimizerChoice().closure() != OptimizerChoice.Closure.LOSS;
        Supplier<Tensor> closure = () -> {
            optimizer.zeroGrad();
            Tensor logits = model.forward(x);
            Tensor loss = F.crossEntropy(logits, y);
            if (backwardInClosure) loss.backward();
            if (tuning.clipGradNorm() > 0) io.chainrule.nn.Utils.clipGradNorm(optimizer.params(), tuning.clipGradNorm());
            if (firstLogits[0] == null) {
                firstLogits[0] = logits.detach();
                firstLoss[0] = loss.item();
            }
            return loss;
        };
        optimizer.step(closure);
        long correct = 0;
        long[] pred = firstLogits[0].argmax(1, false).toLongArray();
        long[] truth = y.toLongArray();
        for (int i = 0; i < pred.length; i++) if (pred[i] == truth[i]) correct++;
        return new StepResult(firstLoss[0], correct);
    }

    private EpochMetrics finishEpoch(int epoch, double lossSum, long correct, long seen, long processed, long t0, long step,
                                     List<EpochMetrics> history) throws IOException {
        double seconds = (System.nanoTime() - t0) / 1e9;
        double valLoss = Double.NaN, valAcc = Double.NaN;
        if (data.val() != null) {
            Evaluation ev = Evaluation.of(model, data.val(), data.classes());
            valLoss = ev.loss();
            valAcc = ev.accuracy();
        }
        EpochMetrics m = new EpochMetrics(epoch + 1, lossSum / Math.max(1, seen), (double) correct / Math.max(1, seen),
                valLoss, valAcc, !config.optimizerChoice().takesLr() ? Double.NaN : optimizer.lr(), seconds,
                processed / Math.max(seconds, 1e-9), step);
        history.add(m);
        if (observer != null) observer.epoch(m.epoch(), step, m.trainLoss(), m.trainAcc(), m.valLoss(), m.valAcc(),
                m.lr(), m.examplesPerSecond());
        AtomicFiles.writeString(opt.out().resolve("metrics.csv"), EpochMetrics.csv(history));
        FaultInjection.reach("metrics-written"); // ahead of the checkpoint: --resume keeps only its epochs' rows
        report(m);
        return m;
    }

    // ------------------------------------------------------------------------------------------------ output

    private void start(int n, int bs, int startEpoch, int skip) {
        long params = Models.parameterCount(model);
        if (opt.json()) {
            StringBuilder sb = new StringBuilder("{\"event\":\"start\"");
            str(sb, "data", data.name());
            sb.append(",\"examples\":").append(n);
            sb.append(",\"validation_examples\":").append(data.val() == null ? 0 : data.val().size());
            sb.append(",\"test_examples\":").append(data.test() == null ? 0 : data.test().size());
            sb.append(",\"classes\":").append(data.classes());
            str(sb, "model", config.model());
            str(sb, "hidden", config.hiddenString());
            str(sb, "activation", config.activation());
            str(sb, "optimizer", config.optimizer());
            EpochMetrics.num(sb, "lr", !config.optimizerChoice().takesLr() ? Double.NaN : config.lr());
            sb.append(",\"epochs\":").append(config.epochs());
            sb.append(",\"batch_size\":").append(bs);
            sb.append(",\"dropped_per_epoch\":").append(config.dropLast() ? n % bs : 0);
            sb.append(",\"seed\":").append(config.seed());
            EpochMetrics.num(sb, "val_split", validation.split());
            sb.append(",\"early_stop\":").append(validation.patience());
            str(sb, "monitor", validation.monitor());
            sb.append(",\"parameters\":").append(params);
            sb.append(",\"start_epoch\":").append(startEpoch);
            str(sb, "out", opt.out().toString());
            out.println(sb.append('}'));
            out.flush();
            return;
        }
        if (opt.quiet()) return;
        out.printf(Locale.ROOT, "data      %s: %,d training examples%s%s, %d classes, input %s%n", data.name(), n,
                data.val() == null ? "" : String.format(Locale.ROOT, " (+%,d validation)", data.val().size()),
                data.test() == null ? "" : String.format(Locale.ROOT, " (+%,d test, evaluated at the end)", data.test().size()),
                data.classes(), HumanFormat.shape(data.inputShape()));
        String layers = (ModelChoice.of(config.model()) == ModelChoice.CNN ? HumanFormat.shape(data.inputShape()) + "-conv16-pool-conv32-pool"
                : ModelChoice.of(config.model()).isRecurrent() ? data.inputShape()[1] + "×" + data.inputShape()[2] + " rows"
                : Integer.toString(data.features())) + "-"
                + (config.hidden().length == 0 ? "" : config.hiddenString().replace(',', '-') + "-") + data.classes();
        out.printf(Locale.ROOT, "model     %s %s (%s), %,d parameters%n", config.model(), layers, config.activation(),
                params);
        out.printf(Locale.ROOT, "training  %s %s%s, %d epoch%s, batch %s%s, seed %d, %d thread%s%n", config.optimizer(),
                !config.optimizerChoice().takesLr() ? "(no lr: it finds its own step)" : "lr " + HumanFormat.num(config.lr()),
                tuning.describe(), config.epochs(), config.epochs() == 1 ? "" : "s", bs == n ? "full (" + n + ")" : Integer.toString(bs),
                config.dropLast() ? String.format(Locale.ROOT, " (drop last: %,d of %,d examples unused each epoch)",
                        n % bs, n) : "", config.seed(), io.chainrule.Threads.get(),
                io.chainrule.Threads.get() == 1 ? "" : "s");
        out.printf("validate  %s%n", validation.describe());
        if (resumeFrom != null) {
            out.printf(Locale.ROOT, "resuming  from %s after epoch %d%s%n", resumeFrom.dir(), startEpoch,
                    skip > 0 ? " and " + skip + " batch" + (skip == 1 ? "" : "es") + " of epoch " + (startEpoch + 1) : "");
        }
        out.printf("output    %s%n", opt.out());
        out.println();
        out.print(ModelSummary.table(ModelSummary.of(model, data.inputShape())));
        out.println();
        out.flush();
    }

    private void report(EpochMetrics m) {
        if (opt.json()) {
            out.println(m.json());
            out.flush();
            return;
        }
        if (opt.quiet()) return;
        int e = m.epoch();
        boolean show = e == 1 || e == config.epochs() || opt.logEvery() <= 1 || e % opt.logEvery() == 0;
        if (!show) return;
        int w = Integer.toString(config.epochs()).length();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %" + w + "d/%d  loss %.4f  acc %5.1f%%",
                e, config.epochs(), m.trainLoss(), 100 * m.trainAcc()));
        if (!Double.isNaN(m.valAcc())) {
            sb.append(String.format(Locale.ROOT, "  val loss %.4f  val acc %5.1f%%", m.valLoss(), 100 * m.valAcc()));
        }
        sb.append(String.format(Locale.ROOT, "  %,.0f ex/s  %.2f s", m.examplesPerSecond(), m.seconds()));
        out.println(sb);
        out.flush();
    }

    /** @param epoch epochs completed; {@code batch} batches of the next one are done too */
    private void interrupted(int epoch, int batch, Path dir) {
        int n = data.train().size();
        int bs = config.batchSize() == 0 ? n : Math.min(config.batchSize(), n);
        int batches = config.dropLast() ? n / bs : batchesPerEpoch(n, bs);
        String where = batch == 0 ? "after epoch " + epoch
                : "after batch " + batch + " of " + batches + " in epoch " + (epoch + 1);
        if (opt.json()) {
            StringBuilder sb = new StringBuilder("{\"event\":\"interrupted\"");
            sb.append(",\"epoch\":").append(epoch).append(",\"batch\":").append(batch);
            str(sb, "checkpoint", dir.toString());
            out.println(sb.append('}'));
        } else if (!opt.quiet()) {
            out.println("stopped " + where + "; checkpoint saved in " + dir);
            out.println("resume with: " + opt.command() + " train --resume " + dir);
        }
        out.flush();
    }

    private void earlyStop(int epoch) {
        if (opt.json()) {
            StringBuilder sb = new StringBuilder("{\"event\":\"early_stop\"");
            sb.append(",\"epoch\":").append(epoch).append(",\"best_epoch\":").append(best.epoch());
            str(sb, "monitor", validation.monitor());
            EpochMetrics.num(sb, "best", best.value());
            out.println(sb.append('}'));
        } else if (!opt.quiet()) {
            out.printf(Locale.ROOT, "early stop after epoch %d: %s has not improved for %d epoch%s (best %s at epoch %d)%n",
                    epoch, validation.monitor(), epoch - best.epoch(), epoch - best.epoch() == 1 ? "" : "s",
                    HumanFormat.num(best.value()), best.epoch());
        }
        out.flush();
    }

    private void done(EpochMetrics last, Evaluation test, Path dir) {
        if (opt.json()) {
            StringBuilder sb = new StringBuilder("{\"event\":\"done\"");
            sb.append(",\"epochs\":").append(last == null ? 0 : last.epoch());
            if (last != null) {
                EpochMetrics.num(sb, "train_loss", last.trainLoss());
                EpochMetrics.num(sb, "train_acc", last.trainAcc());
                if (!Double.isNaN(last.valAcc())) EpochMetrics.num(sb, "val_acc", last.valAcc());
            }
            if (best != null) {
                sb.append(",\"best_epoch\":").append(best.epoch());
                EpochMetrics.num(sb, "best_" + validation.monitor(), best.value());
            }
            if (test != null) {
                EpochMetrics.num(sb, "test_loss", test.loss());
                EpochMetrics.num(sb, "test_acc", test.accuracy());
            }
            str(sb, "out", dir.toString());
            out.println(sb.append('}'));
            out.flush();
            return;
        }
        if (opt.quiet()) return;
        if (best != null) {
            out.printf(Locale.ROOT, "best      epoch %d: %s %s (kept in %s)%n", best.epoch(), validation.monitor(),
                    HumanFormat.num(best.value()), Checkpoint.BEST);
        }
        if (test != null) {
            out.printf(Locale.ROOT, "test      %s model: loss %.4f  acc %.2f%% on %,d examples%n",
                    best != null ? "best" : "last", test.loss(), 100 * test.accuracy(), test.examples());
        }
        out.println("wrote " + String.join(", ", written(dir)) + " in " + dir);
        out.flush();
    }

    private List<String> written(Path dir) {
        List<String> names = new ArrayList<>();
        for (String f : new String[] {"metrics.csv", "loss.png", "accuracy.png", "decision-boundary.png", "graph.dot",
                "graph.svg", Checkpoint.MODEL, Checkpoint.BEST, Checkpoint.PROPERTIES}) {
            if (Files.exists(dir.resolve(f))) names.add(f);
        }
        Checkpoint.currentFolder(dir).ifPresent(f -> names.add(dir.relativize(f) + "/"));
        return names;
    }

    /** One warning line on stderr (not with --quiet). */
    private void warn(String message) {
        if (opt.quiet()) return;
        out.flush();
        err.println("warning: " + message);
        err.flush();
    }

    /**
     * The checkpoint folder in force in {@code dir}, which {@link RunFolder#removeLeftovers} must keep: the resumed
     * checkpoint's when this run continues in its own folder; none for a new run (its folder holds no run).
     */
    private Path currentFolder(Path dir) throws IOException {
        if (resumeFrom == null || resumeFrom.files().equals(resumeFrom.dir())) return null;
        if (!Files.isSameFile(dir, resumeFrom.dir())) return null;
        return resumeFrom.files();
    }

    private static void str(StringBuilder sb, String key, String value) {
        sb.append(",\"").append(key).append("\":\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            else sb.append(c);
        }
        sb.append('"');
    }

    /**
     * One progress line in the middle of an epoch, for output that is not a terminal (a log file, {@code | tee},
     * CI), where a bar cannot redraw itself.
     */
    private void progressLine(int epoch, int batch, int batches, double loss, double acc, long processed, double secs,
                              long examplesLeft) {
        double rate = processed / Math.max(secs, 1e-9);
        int w = Integer.toString(config.epochs()).length();
        out.printf(Locale.ROOT, "epoch %" + w + "d/%d  batch %d/%d  loss %.4f  acc %5.1f%%  %,.0f ex/s  ETA %s%n",
                epoch + 1, config.epochs(), batch, batches, loss, 100 * acc, rate,
                duration(examplesLeft / Math.max(rate, 1e-9)));
        out.flush();
    }

    /** Optimizer steps left in the run from batch {@code b} of {@code epoch} on (that batch included). */
    private long stepsLeft(int epoch, int b, int n, int bs) {
        long perEpoch = config.dropLast() ? n / bs : batchesPerEpoch(n, bs);
        return (config.epochs() - epoch) * perEpoch - b;
    }

    /** After Newton's first step: what it took, and what the rest of the run will take at that rate. */
    private void newtonEstimate(double seconds, long steps) {
        if (opt.quiet() || opt.json()) return;
        out.flush();
        err.printf(Locale.ROOT, "note: Newton's first step took %s; the %,d step%s of this run will take about %s%s%n",
                seconds < 60 ? String.format(Locale.ROOT, "%.2f s", seconds) : duration(seconds), steps,
                steps == 1 ? "" : "s", duration(seconds * steps),
                seconds * steps > 300 ? " (fewer --epochs, a smaller --hidden, or --optimizer lbfgs)" : "");
        err.flush();
    }

    /** {@code 1:05} or {@code 2:03:04}. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    private ProgressBar progressBar(int epoch, int examples, TransientBar line) {
        int w = Integer.toString(config.epochs()).length();
        return new ProgressBarBuilder()
                .setTaskName(String.format(Locale.ROOT, "epoch %" + w + "d/%d", epoch + 1, config.epochs()))
                .setInitialMax(examples)
                .setStyle(ProgressBarStyle.UNICODE_BLOCK)
                .setUpdateIntervalMillis(200)
                .clearDisplayOnFinish()
                .setConsumer(line)
                .build();
    }

    // ------------------------------------------------------------------------------------------------ files

    private void writeStepGraph(Path dir) throws IOException {
        int k = Math.min(4, data.train().x().shape()[0]);
        Tensor x = data.train().x().narrow(0, 0, k);
        Tensor y = data.train().y().narrow(0, 0, k);
        String dot = StepGraph.dot(model, x, y, "one training step: " + config.model() + " [" + config.hiddenString()
                + "] " + config.activation() + ", cross-entropy, " + k + " examples of " + data.name());
        Path f = dir.resolve("graph.dot");
        AtomicFiles.writeString(f, dot);
        String problem = Graphviz.renderSvg(f, dir.resolve("graph.svg"));
        if (problem != null && !opt.quiet() && !opt.json()) err.println("note: " + problem);
    }

    /**
     * Charts once more after a stop. The JVM may already be shutting down (Ctrl-C), when Java2D can refuse to start
     * up; the checkpoint is written by then, so a failure here is only a note.
     */
    private void chartsAfterStop(Path dir, List<EpochMetrics> history) {
        try {
            writeCharts(dir, history);
        } catch (IOException | RuntimeException e) {
            if (!opt.quiet()) err.println("note: charts not updated (" + e.getMessage() + ")");
        }
    }

    private void writeCharts(Path dir, List<EpochMetrics> history) throws IOException {
        if (history.isEmpty()) return;
        int n = history.size();
        double[] x = new double[n], tl = new double[n], ta = new double[n], vl = new double[n], va = new double[n];
        boolean hasTest = false;
        for (int i = 0; i < n; i++) {
            EpochMetrics m = history.get(i);
            x[i] = m.epoch();
            tl[i] = m.trainLoss();
            ta[i] = 100 * m.trainAcc();
            vl[i] = m.valLoss();
            va[i] = 100 * m.valAcc();
            hasTest |= !Double.isNaN(m.valLoss());
        }
        Map<String, Plots.Series> loss = new LinkedHashMap<>();
        loss.put("train", new Plots.Series(x, tl));
        if (hasTest) loss.put("validation", new Plots.Series(x, vl));
        Map<String, Plots.Series> acc = new LinkedHashMap<>();
        acc.put("train", new Plots.Series(x, ta));
        if (hasTest) acc.put("validation", new Plots.Series(x, va));
        String what = data.name() + ", " + config.model() + " [" + config.hiddenString() + "], " + config.optimizer();
        Plots.lineChart(dir.resolve("loss.png"), "cross-entropy loss: " + what, "epoch", "loss", loss, true);
        Plots.lineChart(dir.resolve("accuracy.png"), "accuracy: " + what, "epoch", "accuracy (%)", acc, false);
    }

    private void writeDecisionBoundary(Path dir, EpochMetrics last) throws IOException {
        float[] xs = data.train().x().to(DType.FLOAT32).contiguous().toFloatArray();
        long[] ys = data.train().y().toLongArray();
        String title = String.format(Locale.ROOT, "%s: decision regions after %d epochs, train accuracy %.1f%%",
                data.name(), last == null ? 0 : last.epoch(), last == null ? 0 : 100 * last.trainAcc());
        model.eval();
        Plots.decisionBoundary(dir.resolve("decision-boundary.png"), title, xs, ys, data.classes(), pts -> {
            try (var g = Autograd.noGrad()) {
                Tensor p = model.forward(Tensor.of(pts, pts.length / 2, 2).to(Models.elementType(model))).softmax(1)
                        .to(DType.FLOAT64);
                double[] v = p.contiguous().toDoubleArray();
                int k = data.classes();
                double[][] rows = new double[pts.length / 2][k];
                for (int i = 0; i < rows.length; i++) System.arraycopy(v, i * k, rows[i], 0, k);
                return rows;
            }
        });
        model.train();
    }
}
