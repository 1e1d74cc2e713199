package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.cli.CliException;
import io.chainrule.data.Batch;
import io.chainrule.io.AtomicFiles;
import io.chainrule.nn.Module;
import io.chainrule.optim.Newton;
import io.chainrule.optim.Optimizer;
import io.chainrule.parallel.DataParallelStep;
import io.chainrule.parallel.LocalStepEngine;
import io.chainrule.parallel.ShardPlan;
import io.chainrule.parallel.StepEngine;
import io.chainrule.parallel.StepEngineProvider;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Properties;

/**
 * {@code chainrule train --shards S [--spark MASTER]}: each step's batch is cut into S micro-batches by
 * {@link ShardPlan}'s rule, computed in this process (without --spark: the reference) or by Spark executors, and
 * added in shard order before the optimizer step — the same bits either way, on any number of executors. The shard
 * count is part of the run (it changes what batch norm and dropout see), so it is recorded in the run folder
 * ({@value #FILE}) and kept by {@code --resume}; the master is not, and may change between a run and its resumption.
 */
public final class ShardedSteps implements AutoCloseable {
    static final String FILE = "sharding.properties";
    /** Shards when --spark is given without --shards. */
    static final int DEFAULT_SHARDS = 2;

    private final StepEngine engine;
    private final Module model;
    private final Optimizer optimizer;
    private final long[] labels;
    private int permutationsEpoch = -1;
    private int[][] permutations;

    private ShardedSteps(StepEngine engine, Module model, Optimizer optimizer, long[] labels) {
        this.engine = engine;
        this.model = model;
        this.optimizer = optimizer;
        this.labels = labels;
    }

    /**
     * The sharded stepper the options and the checkpoint ask for, or null for an ordinary run. Checks everything
     * before the output folder is touched: a batch the shards do not divide, an optimizer that cannot run sharded, a
     * master that cannot be reached.
     *
     * @param master --spark (null: none)
     * @param shards --shards (null: not given)
     */
    public static ShardedSteps open(String master, Integer shards, Checkpoint resumed, TrainConfig config, Tuning tuning,
                                    LoadedData data, Module model, Optimizer optimizer) {
        Integer recorded = resumed == null ? null : recordedShards(resumed.dir());
        if (resumed != null && shards != null && !shards.equals(recorded)) {
            throw new CliException("--shards cannot change on --resume: the run in " + resumed.dir() + " was trained "
                    + (recorded == null ? "without shards" : "with --shards " + recorded));
        }
        if (resumed != null && master != null && recorded == null) {
            throw new CliException("--spark cannot resume the run in " + resumed.dir() + ": it was trained without shards "
                    + "(its steps were not sharded)");
        }
        int s = shards != null ? shards : recorded != null ? recorded : master != null ? DEFAULT_SHARDS : 0;
        if (s == 0) return null;
        if (s < 1) throw new CliException("--shards must be at least 1, got " + s);
        refuseUnsharded(tuning);
        if (optimizer instanceof Newton) {
            throw new CliException("--optimizer newton cannot run sharded (it differentiates the loss twice in one process)");
        }
        int n = data.train().size();
        int bs = config.batchSize() == 0 ? n : Math.min(config.batchSize(), n);
        if (bs % s != 0) {
            throw new CliException("the batch of " + bs + " examples" + (config.batchSize() == 0 ? " (the whole set)" : "")
                    + " is not divisible by --shards " + s + "; each step gives every shard batch/shards examples");
        }
        ShardPlan plan;
        try {
            plan = new ShardPlan(n, bs, s, config.dropLast(), config.seed());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        ModelSpec spec = ModelSpec.of(config, data.inputShape(), data.classes());
        SummedCrossEntropy loss = new SummedCrossEntropy();
        StepEngine engine;
        if (master == null) {
            engine = new LocalStepEngine(plan, data.train().dataset(), spec, loss);
        } else {
            StepEngineProvider spark = StepEngineProvider.find("spark");
            if (spark == null) {
                throw new CliException("--spark needs the chainrule-spark module and Spark's jars on the class path; "
                        + "run the program through bin/chainrule, which adds them when --spark is given");
            }
            try {
                engine = spark.open(master, plan, data.train().dataset(), spec, loss);
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
        return new ShardedSteps(engine, model, optimizer, data.train().y().toLongArray());
    }

    /** Records the shard count in the run folder (once, at the start). */
    public void record(Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(FILE), "# chainrule: this run's steps are cut into shards (kept by --resume)\n"
                + "shards=" + engine.plan().shards() + "\n");
    }

    /**
     * The settings that act inside a step on the driver's model (dropout masks, augmentation, clipping, float64) are not
     * carried to the shards' replicas yet: refused rather than silently left out of a sharded step.
     */
    private static void refuseUnsharded(Tuning t) {
        List<String> refused = new ArrayList<>();
        if (t.dropout() > 0) refused.add("--dropout");
        if (!t.augment().isEmpty()) refused.add("--augment");
        if (t.clipGradNorm() > 0) refused.add("--clip-grad-norm");
        if (!t.dtype().equals("float32")) refused.add("--dtype " + t.dtype());
        if (!refused.isEmpty()) {
            throw new CliException(String.join(", ", refused) + (refused.size() == 1 ? " does" : " do")
                    + " not run sharded yet (--shards, --spark): train without it, or without shards");
        }
    }

    private static Integer recordedShards(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) return null;
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(f, StandardCharsets.UTF_8)));
            return Integer.parseInt(p.getProperty("shards", "").strip());
        } catch (IOException | NumberFormatException e) {
            throw new CliException(f + " is damaged: no shard count (" + e.getMessage() + ")");
        }
    }

    int stepsPerEpoch() {
        return engine.plan().stepsPerEpoch();
    }

    int examplesPerEpoch() {
        ShardPlan p = engine.plan();
        long n = 0;
        for (int t = 0; t < p.stepsPerEpoch(); t++) n += p.globalBatchSize(t);
        return (int) n;
    }

    /**
     * The epoch's steps as batches for the training loop: each holds the global batch's labels only (y); the
     * features stay where the shards are (x is null).
     */
    Iterable<Batch> batches(int epoch) {
        return () -> new Iterator<>() {
            int step;

            @Override
            public boolean hasNext() {
                return step < stepsPerEpoch();
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                return new Batch(null, globalLabels(epoch, step++));
            }
        };
    }

    /** One step: the micro-batches, their gradients added in shard order, the optimizer step. */
    TrainRun.StepResult step(int epoch, int step) {
        DataParallelStep.Outcome o;
        try {
            o = DataParallelStep.run(model, optimizer, engine, epoch, step);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        return new TrainRun.StepResult(o.loss(), o.correct());
    }

    private Tensor globalLabels(int epoch, int step) {
        ShardPlan p = engine.plan();
        if (permutationsEpoch != epoch) {
            permutations = new int[p.shards()][];
            for (int s = 0; s < p.shards(); s++) permutations[s] = p.permutation(epoch, s);
            permutationsEpoch = epoch;
        }
        List<Long> y = new ArrayList<>();
        for (int s = 0; s < p.shards(); s++) {
            for (int pos : p.microBatch(permutations[s], step, s)) y.add(labels[(int) p.indexOf(s, pos)]);
        }
        return Tensor.of(y.stream().mapToLong(Long::longValue).toArray(), y.size());
    }

    /** Prints what the engine did (Spark: the bytes shipped per step). */
    public void report(PrintWriter out) {
        String r = engine.report();
        if (!r.isEmpty()) {
            out.println(r);
            out.flush();
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
