package io.chainrule.cli;

import io.chainrule.Tensor;
import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.DataSource;
import io.chainrule.cli.train.LoadedData;
import io.chainrule.cli.train.Models;
import io.chainrule.cli.train.ActivationChoice;
import io.chainrule.cli.train.ModelChoice;
import io.chainrule.cli.train.OptimizerChoice;
import io.chainrule.cli.train.RunFolder;
import io.chainrule.cli.train.ShardedSteps;
import io.chainrule.cli.train.TrainConfig;
import io.chainrule.cli.train.TrainRun;
import io.chainrule.cli.train.Tuning;
import io.chainrule.cli.train.Validation;
import io.chainrule.nn.Module;
import io.chainrule.optim.Optimizer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** {@code chainrule train}: trains a classifier and writes metrics, charts, a checkpoint and the graph of a step. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Trains a classifier. With no options: a 3-class spiral (100 points per class, noise 0.2) and "
                + "an MLP 2-64-64-3 with ReLU, Adam lr 0.01, 200 full-batch epochs.",
                "Writes into --out: metrics.csv, loss.png, accuracy.png, decision-boundary.png (2-D data), graph.dot "
                + "(and graph.svg with Graphviz) of one training step, and after every epoch a checkpoint: "
                + "checkpoint.properties, which names its folder checkpoints/step-N/ (model.safetensors, "
                + "optimizer.safetensors), and model.safetensors, a link to that model. A checkpoint is replaced as "
                + "one unit: a crash at any moment leaves the previous one or the new one. Ctrl-C stops after the "
                + "current batch and saves a checkpoint; --resume continues exactly where it stopped.",
                "An --out folder that already holds a run is refused (use --resume, a new folder, or --force)."},
        // The default learning rates come first, from OptimizerChoice (see spec(CommandSpec)).
        footer = {"", "Examples:",
                "  chainrule train",
                "  chainrule train --data moons --hidden 16 --activation tanh \\",
                "      --optimizer lbfgs --epochs 20",
                "  chainrule train --data fashion-mnist --hidden 256,128 --epochs 5 \\",
                "      --batch-size 128",
                "  chainrule train --resume runs/2025-01-01_12-00-00 --epochs 400"})
final class TrainCommand implements Callable<Integer> {
    CommandLine.Model.CommandSpec spec;

    /** Picocli's model of this command; the help's footer gets the default learning rates here. */
    @CommandLine.Spec
    void spec(CommandLine.Model.CommandSpec spec) {
        this.spec = spec;
        List<String> footer = new ArrayList<>(List.of(""));
        footer.addAll(OptimizerChoice.defaultLrHelp(80));
        footer.addAll(List.of(spec.usageMessage().footer()));
        spec.usageMessage().footer(footer.toArray(new String[0]));
    }

    @Option(names = "--data", paramLabel = "NAME|PATH", defaultValue = "spiral",
            description = "spiral, moons, xor, fashion-mnist, mnist, a folder of IDX files, or a CSV file with a "
                    + "label column (default ${DEFAULT-VALUE}).")
    String data;

    @Option(names = "--samples", paramLabel = "N", description = "Synthetic data: points per class, for every set "
            + "(default 100 for the 3-class spiral, 150 for moons and xor: 300 in all each).")
    Integer samples;

    @Option(names = "--noise", paramLabel = "X", description = "Synthetic data: noise (spiral 0.2, moons and xor 0.1).")
    Double noise;

    @Option(names = "--limit", paramLabel = "N", description = "Use only the first N training examples (image and CSV data).")
    Integer limit;

    @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "CSV data: standardise each feature column to mean 0, std 1 with the training file's "
                    + "statistics (default; --no-standardize keeps the values as they are).")
    boolean standardize;

    @Option(names = "--model", paramLabel = "NAME", defaultValue = "mlp", completionCandidates = ModelChoice.Names.class,
            description = "Model family: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}); rnn, lstm and gru read gray images row by row (--hidden: the state size, "
            + "one entry per stacked layer; default 128).")
    String model;

    @Option(names = "--hidden", paramLabel = "W1,W2,...", description = "Hidden layer widths (default 64,64; "
            + "256,128 for images; for cnn the fully connected layers after the convolutions, default 128).")
    String hidden;

    @Option(names = "--activation", paramLabel = "NAME", defaultValue = "relu",
            completionCandidates = ActivationChoice.Names.class,
            description = "One of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            completionCandidates = OptimizerChoice.Names.class,
            description = "One of ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate (default: per optimizer, listed below).")
    Double lr;

    @Option(names = "--lr-schedule", paramLabel = "none|step|exp|cosine", description = "Learning-rate schedule, "
            + "stepped after each epoch: step (×--lr-gamma every --lr-step epochs), exp (×--lr-gamma each epoch), "
            + "cosine (annealed to 0 over --lr-step epochs, default all of them). Default none.")
    String lrSchedule;

    @Option(names = "--lr-step", paramLabel = "N", description = "Epochs between decays (step), or the cosine period.")
    Integer lrStep;

    @Option(names = "--lr-gamma", paramLabel = "X", description = "Decay factor for step and exp (default 0.1 for "
            + "step, 0.95 for exp).")
    Double lrGamma;

    @Option(names = "--weight-decay", paramLabel = "X", description = "L2 weight decay (AdamW: decoupled; default "
            + "0, AdamW 0.01).")
    Double weightDecay;

    @Option(names = "--momentum", paramLabel = "X", description = "Momentum for sgd, momentum, nesterov and rmsprop "
            + "(default 0.9 for momentum and nesterov, else 0).")
    Double momentum;

    @Option(names = "--dropout", paramLabel = "P", description = "Dropout probability after each hidden layer "
            + "(default 0: none).")
    Double dropout;

    @Option(names = "--augment", paramLabel = "flip,shift,noise", description = "Augment the training batches: "
            + "flip (mirror left-right, p 0.5), shift (up to 2 pixels each way), noise (Gaussian, std 0.05); flip and "
            + "shift are for images.")
    String augment;

    @Option(names = "--dtype", paramLabel = "float32|float64", description = "Element type of the parameters and "
            + "inputs (default float32).")
    String dtype;

    @Option(names = "--clip-grad-norm", paramLabel = "X", description = "Clip the gradients' total L2 norm to X "
            + "before each step (default 0: off).")
    Double clipGradNorm;

    @Option(names = "--epochs", paramLabel = "N", description = "Epochs in all, counting those of a resumed run "
            + "(default 200; 5 for images, 100 for CSV, 20 for newton).")
    Integer epochs;

    @Option(names = "--newton-max-params", paramLabel = "N", description = "The most parameters --optimizer newton "
            + "accepts (default ${DEFAULT-VALUE}): its exact Hessian costs one backward pass per parameter and n² "
            + "doubles per step. May be given with --resume.", defaultValue = "5000")
    int newtonMaxParams;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per batch; 0 = the whole set "
            + "(default 0 for synthetic data, 128 otherwise).")
    Integer batchSize;

    @Option(names = "--drop-last", description = "Drop the last, smaller batch of each epoch.")
    boolean dropLast;

    @Option(names = "--val-split", paramLabel = "F", description = "Fraction of the training examples held out for "
            + "validation, drawn from --seed (default 0.1; 0: none). Their loss and accuracy are reported each epoch; "
            + "the test split, where the data has one, is evaluated once at the end.")
    Double valSplit;

    @Option(names = "--early-stop", paramLabel = "PATIENCE", description = "Stop when the --monitor metric has not "
            + "improved for PATIENCE epochs (default 0: train all --epochs).")
    Integer earlyStop;

    @Option(names = "--monitor", paramLabel = "val_loss|val_acc", description = "The validation metric that picks the "
            + "best epoch (kept in best.safetensors) and drives --early-stop (default val_loss).")
    String monitor;

    @Option(names = "--seed", paramLabel = "N", description = "Seed for the data, the initial weights and the "
            + "shuffling (default 0).")
    Long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Threads for the tensor kernels (default: all "
            + "processors). More than the processors available only slows the kernels down: a larger N is capped "
            + "at that number, with a warning.")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "Output folder (default runs/<date_time>; when "
            + "resuming, the checkpoint's folder).")
    Path out;

    @Option(names = "--force", description = "Replace the run in --out if there is one (its checkpoint, metrics and "
            + "charts are deleted first). Without it, an --out folder holding a run is refused.")
    boolean force;

    @Option(names = "--resume", paramLabel = "CHECKPOINT", description = "Continue a run from its folder (or one "
            + "of its checkpoint files).")
    Path resume;

    @Option(names = "--log-every", paramLabel = "N", description = "Print a summary every N epochs (default: every "
            + "epoch up to 30 epochs, else about 20 lines; the first and last epoch always).")
    Integer logEvery;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors: no progress, summaries, notes, "
            + "warnings or stop message. With --json, the JSON lines are still printed (--json wins on stdout) and "
            + "--quiet silences stderr.")
    boolean quiet;

    @Option(names = "--json", description = "Print JSON lines (start, one per epoch, interrupted, done) on stdout "
            + "instead of text; wins over --quiet.")
    boolean json;

    @CommandLine.Mixin
    io.chainrule.cli.live.ViewOptions views; // --tensorboard, --ui

    @Option(names = "--spark", paramLabel = "MASTER", description = "Train on Apache Spark: local[N], spark://host:port, "
            + "... (this program is the driver). Same bits as --shards without it, on any number of executors.")
    String spark;

    @Option(names = "--shards", paramLabel = "S", description = "Cut each batch into S micro-batches, added in a fixed "
            + "order (default with --spark: 2; without --spark: computed in this process, the reference).")
    Integer shards;

    @Option(names = "--progress-every", paramLabel = "SECONDS", defaultValue = "5", description = "When the output "
            + "is not a terminal (a log file, | tee, CI), print a progress line with an ETA every SECONDS during an "
            + "epoch (default ${DEFAULT-VALUE}; 0: only the epoch summaries).")
    double progressEvery;

    @Option(names = "--stop-after-batches", hidden = true, description = "Testing: stop as Ctrl-C would after N batches.")
    int stopAfterBatches;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        if (threads != null) {
            if (threads < 1) throw new CommandLine.ParameterException(cmd, "--threads must be at least 1, got " + threads);
            int processors = Runtime.getRuntime().availableProcessors();
            if (threads > processors) {
                warn(cmd, "--threads " + threads + " is more than the " + processors + " processors available; using "
                        + processors + " (more threads than processors only slow the kernels down)");
            }
            io.chainrule.Threads.set(Math.min(threads, processors));
        }
        if (newtonMaxParams < 1) {
            throw new CommandLine.ParameterException(cmd, "--newton-max-params must be at least 1, got " + newtonMaxParams);
        }
        Checkpoint ckpt = resume == null ? null : Checkpoint.read(resume);
        TrainConfig config = ckpt == null ? fresh(cmd) : resumed(cmd, ckpt);
        Validation validation = ckpt != null ? ckpt.validation() : validation();
        Tuning tuning = ckpt != null ? ckpt.tuning() : tuning();
        Path dir = out != null ? out : ckpt != null ? ckpt.dir() : defaultOut();
        boolean replacing = refuseToOverwrite(dir, ckpt);
        LoadedData loaded = (ckpt == null ? DataSource.load(config, standardize) : DataSource.load(config, ckpt.mean(), ckpt.std()))
                .splitValidation(validation.split(), config.seed()).to(tuning.elementType());
        if (ckpt != null && (!Arrays.equals(loaded.inputShape(), ckpt.inputShape()) || loaded.classes() != ckpt.classes())) {
            throw new CliException("the data " + config.data() + " now has input " + HumanFormat.shape(loaded.inputShape()) + " and "
                    + loaded.classes() + " classes, but the checkpoint was trained on " + HumanFormat.shape(ckpt.inputShape())
                    + " and " + ckpt.classes());
        }
        tuning.checkFor(loaded);
        Tensor.manualSeed(config.seed());
        Module net = Models.build(config, tuning, loaded.inputShape(), loaded.classes());
        Optimizer opt = config.optimizerChoice().create(net.parameters(), config.lr(), tuning);
        if (opt instanceof io.chainrule.optim.Newton newton) newton.maxParameters(newtonMaxParams);
        if (ckpt != null) {
            ckpt.loadModel(net);
            ckpt.loadOptimizer(opt);
        }
        ShardedSteps sharded = ShardedSteps.open(spark, shards, ckpt, config, tuning, loaded, net, opt); // null: not sharded
        long params = Models.parameterCount(net);
        if (config.optimizerChoice() == OptimizerChoice.NEWTON && params > newtonMaxParams) {
            throw new CliException(String.format(java.util.Locale.ROOT, "--optimizer newton builds the exact %,d×%,d "
                    + "Hessian of this model's parameters; it takes at most %,d (try --hidden 8, --optimizer lbfgs, "
                    + "or raise --newton-max-params)", params, params, newtonMaxParams));
        }
        if (!(progressEvery >= 0) || Double.isInfinite(progressEvery)) {
            throw new CommandLine.ParameterException(cmd, "--progress-every must be >= 0 seconds, got " + progressEvery);
        }
        boolean interactive = System.console() != null && !quiet && !json;
        int every = logEvery != null ? Math.max(1, logEvery) : config.epochs() <= 30 ? 1 : (config.epochs() + 19) / 20;
        // The output folder is made (or a run in it replaced) only once the data and the model are known to be fine.
        FileChecks.prepareOutputDir(dir);
        java.io.Closeable folderLock = RunFolder.lock(dir); // held until this command returns
        TrainRun run;
        io.chainrule.cli.live.TrainObserver observer;
        try {
            if (replacing) RunFolder.clear(dir);
            if (sharded != null) sharded.record(dir);
            if (config.optimizerChoice() == OptimizerChoice.NEWTON && !quiet && !json) newtonNote(cmd, config, loaded, net, params);
            TrainRun.Options options = new TrainRun.Options(dir, quiet, json, interactive, System.err, every,
                    stopAfterBatches, progressEvery, programName());
            run = new TrainRun(config, validation, tuning, loaded, net, opt, ckpt, options, cmd.getOut(), cmd.getErr())
                    .sharded(sharded);
            observer = views.open(dir, cmd.getOut(), quiet || json);
            run.observer(observer);
        } catch (Exception | Error e) {
            folderLock.close();
            throw e;
        }

        // Ctrl-C: ask the loop to stop after the current batch, and hold the JVM until the checkpoint is written.
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            run.requestStop();
            try {
                finished.await(120, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "chainrule-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        TrainRun.Result result;
        try {
            result = run.run();
            if (sharded != null && !quiet && !json) sharded.report(cmd.getOut());
            if (observer != null && !result.interrupted()) views.linger(interactive, run::stopRequested, cmd.getOut());
        } catch (Exception | Error e) {
            if (run.stopRequested()) {
                // The JVM is shutting down (Ctrl-C, SIGTERM): report the failure now, while the hook holds the JVM.
                // Left to picocli's handler, the line would race with the JVM's halt once the latch opens.
                cmd.getErr().println(spec.qualifiedName() + ": " + Errors.message(e));
                cmd.getErr().flush();
                return Errors.FAILURE;
            }
            throw e;
        } finally {
            folderLock.close();
            io.chainrule.cli.live.ViewOptions.close(observer, cmd.getErr(), quiet);
            if (sharded != null) sharded.close();
            cmd.getOut().flush();
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it returns now that the latch is open
            }
        }
        return result.interrupted() ? 130 : 0;
    }

    /**
     * Says up front what Newton costs per step (the run adds the measured time after its first step): the exact
     * Hessian takes one backward pass per parameter, and an n×n Cholesky.
     */
    private static void newtonNote(CommandLine cmd, TrainConfig config, LoadedData loaded, Module net, long params) {
        int n = loaded.train().size();
        int bs = config.batchSize() == 0 ? n : Math.min(config.batchSize(), n);
        long steps = (long) config.epochs() * (config.dropLast() ? n / bs : (n + bs - 1) / bs);
        cmd.getErr().printf(java.util.Locale.ROOT, "note: Newton builds the exact Hessian: %,d backward passes and a "
                + "%,d×%,d Cholesky per step, %,d step%s in this run; the time of the first step and the run's "
                + "estimate follow it%n", params, params, params, steps, steps == 1 ? "" : "s");
        cmd.getErr().flush();
    }

    /** The configuration of a new run from the options and the data-dependent defaults. */
    private TrainConfig fresh(CommandLine cmd) {
        check(cmd, "--model", model, ModelChoice.names().toArray(new String[0]));
        check(cmd, "--activation", activation, ActivationChoice.names().toArray(new String[0]));
        ModelChoice family = ModelChoice.of(model);
        boolean recurrent = family.isRecurrent();
        check(cmd, "--optimizer", optimizer, OptimizerChoice.names().toArray(new String[0]));
        OptimizerChoice choice = OptimizerChoice.of(optimizer);
        boolean synthetic = DataSource.isSynthetic(data);
        boolean images = data.equals("fashion-mnist") || data.equals("mnist") || Files.isDirectory(Path.of(data));
        if (!synthetic && (samples != null || noise != null)) {
            throw new CommandLine.ParameterException(cmd, "--samples and --noise are for the synthetic sets (spiral, moons, xor), not " + data);
        }
        if (cmd.getParseResult().hasMatchedOption("--standardize") && (synthetic || images)) {
            throw new CommandLine.ParameterException(cmd, "--standardize and --no-standardize are for CSV data, not " + data);
        }
        if (synthetic && limit != null) {
            throw new CommandLine.ParameterException(cmd, "--limit is for image and CSV data; use --samples for " + data);
        }
        int s = synthetic ? (samples != null ? samples : DataSource.defaultSamples(data)) : 0;
        if (synthetic && (s < 1 || s > 1_000_000)) throw new CommandLine.ParameterException(cmd, "--samples must be between 1 and 1000000, got " + s);
        double nz = synthetic ? (noise != null ? noise : DataSource.defaultNoise(data)) : 0;
        if (nz < 0 || !Double.isFinite(nz)) throw new CommandLine.ParameterException(cmd, "--noise must be >= 0, got " + nz);
        int lim = limit == null ? 0 : limit;
        if (lim < 0) throw new CommandLine.ParameterException(cmd, "--limit must be >= 0, got " + lim);
        int[] h = TrainConfig.parseHiddenOption(hidden != null ? hidden
                : family == ModelChoice.CNN || recurrent ? "128" : images ? "256,128" : "64,64");
        String act = activation;
        if (recurrent) {
            // The plain RNN's nonlinearity is tanh unless relu is asked for; LSTM and GRU have their own gates.
            boolean given = cmd.getParseResult().hasMatchedOption("--activation");
            if (given && (family != ModelChoice.RNN || !(activation.equals("tanh") || activation.equals("relu")))) {
                throw new CommandLine.ParameterException(cmd, "--activation with --model " + model + ": "
                        + (family == ModelChoice.RNN ? "tanh or relu" : "none (its gates fix the nonlinearities)"));
            }
            act = given ? activation : "tanh";
        }
        if (lr != null && !choice.takesLr()) {
            throw new CommandLine.ParameterException(cmd, "--lr: --optimizer " + optimizer + " takes no learning rate ("
                    + choice.noLrReason() + "); drop --lr");
        }
        double rate = lr != null ? lr : choice.defaultLr(images);
        if (!(rate > 0) || !Double.isFinite(rate)) throw new CommandLine.ParameterException(cmd, "--lr must be > 0, got " + rate);
        // Newton converges in a few exact steps, each costing a backward pass per parameter: 20 epochs, not 200.
        int e = epochs != null ? epochs : choice == OptimizerChoice.NEWTON ? 20 : synthetic ? 200 : images ? 5 : 100;
        if (e < 1) throw new CommandLine.ParameterException(cmd, "--epochs must be at least 1, got " + e);
        int b = batchSize != null ? batchSize : synthetic ? 0 : 128;
        if (b < 0) throw new CommandLine.ParameterException(cmd, "--batch-size must be >= 0 (0: the whole set), got " + b);
        return new TrainConfig(data, s, nz, lim, model, h, act, optimizer, rate, e, b, dropLast, seed == null ? 0 : seed);
    }

    /** The settings of a new run beyond its TrainConfig: schedule, weight decay, momentum, dropout, clipping. */
    private Tuning tuning() {
        String schedule = lrSchedule == null ? "none" : lrSchedule;
        check(spec.commandLine(), "--lr-schedule", schedule, Tuning.SCHEDULES.toArray(new String[0]));
        if (schedule.equals("none") && (lrStep != null || lrGamma != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lr-step and --lr-gamma need --lr-schedule");
        }
        if (schedule.equals("cosine") && lrGamma != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lr-gamma is for --lr-schedule step and exp; "
                    + "cosine anneals to 0");
        }
        if (schedule.equals("exp") && lrStep != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--lr-step is for --lr-schedule step and cosine");
        }
        double gamma = lrGamma != null ? lrGamma : schedule.equals("exp") ? 0.95 : 0.1;
        return new Tuning(weightDecay == null ? 0 : weightDecay, momentum == null ? Double.NaN : momentum,
                dropout == null ? 0 : dropout, clipGradNorm == null ? 0 : clipGradNorm, schedule,
                lrStep == null ? 0 : lrStep, gamma, augment == null ? "" : augment.replace(" ", ""),
                dtype == null ? "float32" : dtype);
    }

    /** The validation settings of a new run from --val-split, --early-stop and --monitor. */
    private Validation validation() {
        String m = monitor == null ? Validation.VAL_LOSS : monitor;
        CommandLine cmd = spec.commandLine();
        if (!Arrays.asList(Validation.MONITORS).contains(m)) {
            throw new CommandLine.ParameterException(cmd, "Invalid value for option '--monitor': '" + m
                    + "' (expected one of " + String.join(", ", Validation.MONITORS) + ")");
        }
        double split = valSplit == null ? Validation.DEFAULT_SPLIT : valSplit;
        if (!(split >= 0 && split < 1)) {
            throw new CommandLine.ParameterException(cmd, "--val-split must be at least 0 and below 1, got " + split);
        }
        int patience = earlyStop == null ? 0 : earlyStop;
        if (patience < 0) throw new CommandLine.ParameterException(cmd, "--early-stop must be >= 0 (0: off), got " + patience);
        if (patience > 0 && split == 0) {
            throw new CommandLine.ParameterException(cmd, "--early-stop needs validation data to watch: drop "
                    + "--val-split 0 or give a fraction above 0");
        }
        if (monitor != null && split == 0) {
            throw new CommandLine.ParameterException(cmd, "--monitor needs validation data: drop --val-split 0");
        }
        return new Validation(split, patience, m);
    }

    /** The checkpoint's configuration; only --epochs may change it (options that would are refused). */
    private TrainConfig resumed(CommandLine cmd, Checkpoint ckpt) {
        CommandLine.ParseResult pr = cmd.getParseResult();
        for (String o : List.of("--data", "--samples", "--noise", "--limit", "--model", "--hidden", "--activation",
                "--optimizer", "--lr", "--batch-size", "--drop-last", "--seed", "--val-split", "--early-stop", "--monitor",
                "--lr-schedule", "--lr-step", "--lr-gamma", "--weight-decay", "--momentum", "--dropout", "--clip-grad-norm",
                "--augment", "--standardize", "--dtype")) {
            if (pr.hasMatchedOption(o)) {
                throw new CommandLine.ParameterException(cmd, o + " cannot be given with --resume: the run continues "
                        + "with the checkpoint's settings (" + ckpt.config().describe() + "); only --epochs may change");
            }
        }
        Validation v = ckpt.validation();
        if (v.patience() > 0 && ckpt.best() != null && ckpt.batch() == 0 && ckpt.epoch() - ckpt.best().epoch() >= v.patience()) {
            throw new CliException("the run in " + ckpt.dir() + " stopped early after epoch " + ckpt.epoch() + " ("
                    + v.monitor() + " had not improved for " + v.patience() + " epochs since epoch "
                    + ckpt.best().epoch() + "); its best model is " + ckpt.dir().resolve(Checkpoint.BEST));
        }
        int e = epochs != null ? epochs : ckpt.config().epochs();
        if (e <= ckpt.epoch() && ckpt.batch() == 0) {
            throw new CliException("the checkpoint in " + ckpt.dir() + " has already trained " + ckpt.epoch()
                    + " epochs; pass --epochs N with N > " + ckpt.epoch() + " to train further");
        }
        return ckpt.config().withEpochs(e);
    }

    /**
     * Refuses an output folder that holds a run, unless it is the folder being resumed or --force is given.
     *
     * @return true when --force will replace a run there
     */
    private boolean refuseToOverwrite(Path dir, Checkpoint ckpt) throws java.io.IOException {
        List<String> found = RunFolder.runFiles(dir);
        if (found.isEmpty()) return false;
        if (ckpt != null && Files.isSameFile(dir, ckpt.dir())) return false;
        if (force) return true;
        String names = String.join(", ", found.subList(0, Math.min(3, found.size()))) + (found.size() > 3 ? ", ..." : "");
        if (!found.contains(Checkpoint.PROPERTIES)) { // a run stopped before its first checkpoint: nothing to resume
            throw new CliException(dir + " already holds files of a run (" + names + "): choose a new --out folder, "
                    + "or add --force to replace them");
        }
        throw new CliException(dir + " already holds a run (" + names + "): continue it with --resume " + dir
                + ", choose a new --out folder, or add --force to replace it");
    }

    private void warn(CommandLine cmd, String message) {
        if (quiet) return;
        cmd.getErr().println("warning: " + message);
        cmd.getErr().flush();
    }

    private static void check(CommandLine cmd, String option, String value, String[] allowed) {
        if (!Arrays.asList(allowed).contains(value)) {
            throw new CommandLine.ParameterException(cmd, "Invalid value for option '" + option + "': '" + value
                    + "' (expected one of " + String.join(", ", allowed) + ")");
        }
    }

    /**
     * The program's name as the user typed it ({@code bin/chainrule}, {@code chainrule}), which the launcher passes
     * in the system property {@code chainrule.command}; "chainrule" when run otherwise.
     */
    static String programName() {
        String typed = System.getProperty("chainrule.command");
        return typed == null || typed.isBlank() ? "chainrule" : typed;
    }

    private static Path defaultOut() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm-ss"));
        Path p = Path.of("runs", stamp);
        for (int i = 2; Files.exists(p); i++) p = Path.of("runs", stamp + "-" + i);
        return p;
    }
}
