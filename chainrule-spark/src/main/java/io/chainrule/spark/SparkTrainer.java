package io.chainrule.spark;

import io.chainrule.Generator;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.Module;
import io.chainrule.optim.Optimizer;
import io.chainrule.parallel.DataParallelStep;
import io.chainrule.parallel.InputShapes;
import io.chainrule.parallel.LocalStepEngine;
import io.chainrule.parallel.ShardData;
import io.chainrule.parallel.ShardPlan;
import io.chainrule.parallel.StepEngine;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Objects;

/**
 * Synchronous data-parallel training on Apache Spark whose result does not depend on the cluster.
 *
 * <p>The driver holds the model and the optimizer. Example {@code i} of the data belongs to shard
 * {@code i mod shards}; the shards are cached in the executors once per run. Each step, every shard draws its
 * micro-batch of {@code batchSize / shards} examples by the rule of {@link ShardPlan} (from the seed, the epoch, the
 * step and the shard only); the driver broadcasts its parameters and buffers, one task per shard computes the
 * micro-batch's loss and gradient (dropout masks and batch-norm statistics per micro-batch, random numbers seeded
 * from the same tuple), the driver adds the gradients in shard order, divides by the global batch size and runs one
 * optimizer step. Batch-norm running statistics become the average of the micro-batches' (added in shard order).
 * So the same seed gives the same bits — every loss and the final parameters — on {@code local[1]},
 * {@code local[2]}, a cluster of any size, after failed tasks are retried, and in {@link #fit(TensorDataset)}.
 *
 * <pre>{@code
 * Module model = new SparkTrainer(spark)
 *         .model(() -> new Sequential(new Linear(784, 128), new ReLU(), new Linear(128, 10)))
 *         .loss((o, y) -> F.crossEntropy(o, y, Reduction.SUM))
 *         .optimizer(p -> new Adam(p, 1e-3))
 *         .batchSize(512).shards(4).epochs(2).seed(0)
 *         .fit(df, "features", "label");
 * }</pre>
 *
 * <p>Features reach the model as {@code [m, inputShape...]}: the shape given to {@link #inputShape(int...)}, else
 * the rule of {@link InputShapes#infer} (flat rows for a Linear first layer; [C, H, W] square images for a Conv2d).
 * The last step of an epoch takes what is left (micro-batches of unequal size); the mean divides by the examples the
 * step actually has.
 */
public final class SparkTrainer {
    private final SparkSession spark;
    private ModelFactory model;
    private LossFunction loss;
    private OptimizerFactory optimizer;
    private int batchSize = 128;
    private int shards = 2;
    private int epochs = 1;
    private long seed;
    private int[] inputShape;
    private TrainingListener listener = new TrainingListener() {};
    private ShippedBytes lastShipped = new ShippedBytes(0, 0, 0, 0);

    /** @param spark the session whose executors compute the micro-batches (null only for {@link #fit(TensorDataset)}) */
    public SparkTrainer(SparkSession spark) {
        this.spark = spark;
    }

    /** Builds the model, on the driver and on each executor (see {@link ModelFactory}). */
    public SparkTrainer model(ModelFactory factory) {
        this.model = Objects.requireNonNull(factory, "model factory");
        return this;
    }

    /** The loss summed over a micro-batch (see {@link LossFunction}). */
    public SparkTrainer loss(LossFunction loss) {
        this.loss = Objects.requireNonNull(loss, "loss");
        return this;
    }

    /** Builds the optimizer over the driver model's parameters. */
    public SparkTrainer optimizer(OptimizerFactory factory) {
        this.optimizer = Objects.requireNonNull(factory, "optimizer factory");
        return this;
    }

    /** The global batch: examples per step over all shards (default 128); a multiple of {@link #shards(int)}. */
    public SparkTrainer batchSize(int examples) {
        if (examples < 1) throw new IllegalArgumentException("SparkTrainer.batchSize: must be at least 1, got " + examples);
        this.batchSize = examples;
        return this;
    }

    /**
     * Micro-batches per step (default 2): the parallelism of each step, and part of the result (batch norm and
     * dropout see micro-batches), so changing it changes the bits; the number of executors does not.
     */
    public SparkTrainer shards(int shards) {
        if (shards < 1) throw new IllegalArgumentException("SparkTrainer.shards: must be at least 1, got " + shards);
        this.shards = shards;
        return this;
    }

    /** Passes over the data (default 1). */
    public SparkTrainer epochs(int epochs) {
        if (epochs < 1) throw new IllegalArgumentException("SparkTrainer.epochs: must be at least 1, got " + epochs);
        this.epochs = epochs;
        return this;
    }

    /** Fixes the initial parameters, the shuffles and every micro-batch's random numbers (default 0). */
    public SparkTrainer seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** The shape of one example as the model takes it, e.g. {@code inputShape(1, 28, 28)} for 784 features. */
    public SparkTrainer inputShape(int... shape) {
        this.inputShape = shape.clone();
        return this;
    }

    /** Hears each step's and each epoch's loss on the driver. */
    public SparkTrainer listener(TrainingListener listener) {
        this.listener = Objects.requireNonNull(listener, "listener");
        return this;
    }

    /** What the last {@link #fit(Dataset, String, String)} shipped between driver and executors. */
    public ShippedBytes shipped() {
        return lastShipped;
    }

    /**
     * Trains on a DataFrame through the session's executors.
     *
     * @param featuresCol an {@code array<float>}, {@code array<double>} or Spark ML {@code Vector} column
     * @param labelCol    an integer column (class indices) or a float/double column (values)
     * @return the trained model (on the driver)
     * @throws IllegalArgumentException for missing or mistyped columns, a batch not divisible by the shards, bad rows
     */
    public Module fit(Dataset<Row> data, String featuresCol, String labelCol) {
        checkSettings();
        if (spark == null) throw new IllegalArgumentException("SparkTrainer.fit: no SparkSession (use fit(TensorDataset) without one)");
        RowColumns.Checked cols = RowColumns.check(data, featuresCol, labelCol);
        try {
            int features = RowColumns.featureSize(data, cols);
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            JavaRDD<ShardData> cache = ShardCache.build(RowColumns.examples(data, cols), shards, features, cols.classLabels());
            long n = cache.map(ShardData::count).reduce(Integer::sum); // reads the data once and fills the cache
            return train(n, features, null, (plan, shape) -> new SparkStepEngine(jsc, cache,
                    new WorkerSpec(SparkStepEngine.newRunId(), plan, model, loss, shape)), cache);
        } catch (Exception e) { // SparkException is checked but thrown undeclared
            throw SparkErrors.clarify(e);
        }
    }

    /**
     * The reference: the same sharded computation in this process, without Spark (the session may be null).
     * Gives the same bits as {@link #fit(Dataset, String, String)} on a DataFrame with the same rows in the same order.
     *
     * @param data x {@code [N, ...]} (its shape after dimension 0 is the model's input shape unless
     *             {@link #inputShape(int...)} says otherwise), labels {@code [N]}: INT64 classes or float values
     */
    public Module fit(TensorDataset data) {
        checkSettings();
        int n = data.size();
        int features = n == 0 ? 0 : data.x().numel() / n;
        int[] xs = data.x().shape();
        int[] own = xs.length > 2 ? java.util.Arrays.copyOfRange(xs, 1, xs.length) : null;
        return train(n, features, own, (plan, shape) -> new LocalStepEngine(plan,
                new TensorDataset(data.x().reshape(concat(n, shape)), data.y()), model, loss), null);
    }

    private interface EngineFactory {
        StepEngine open(ShardPlan plan, int[] inputShape);
    }

    /** @param dataShape the data's own example shape, used when no input shape was set (null: infer from the model) */
    private Module train(long n, int features, int[] dataShape, EngineFactory engines, JavaRDD<ShardData> cache) {
        ShardPlan plan = new ShardPlan(n, batchSize, shards, false, seed);
        Module net;
        try (var g = new Generator(plan.initSeed()).asThreadDefault()) {
            net = model.get();
        }
        int[] shape = inputShape != null ? InputShapes.check(inputShape, features)
                : dataShape != null ? dataShape : InputShapes.infer(net, features);
        Optimizer opt = optimizer.apply(net.parameters());
        try (StepEngine engine = engines.open(plan, shape)) {
            for (int epoch = 0; epoch < epochs; epoch++) {
                double lossSum = 0;
                long correct = 0, seen = 0;
                for (int step = 0; step < plan.stepsPerEpoch(); step++) {
                    DataParallelStep.Outcome o = DataParallelStep.run(net, opt, engine, epoch, step);
                    lossSum += o.loss() * o.examples();
                    correct += o.correct();
                    seen += o.examples();
                    listener.onStep(epoch, step, o.loss(), o.examples(), o.correct());
                }
                listener.onEpoch(epoch, lossSum / seen, (double) correct / seen);
            }
            if (engine instanceof SparkStepEngine s) lastShipped = s.shipped();
        } finally {
            if (cache != null) cache.unpersist(false);
        }
        return net;
    }

    private void checkSettings() {
        if (model == null) throw new IllegalArgumentException("SparkTrainer: no model factory (call model(...))");
        if (loss == null) throw new IllegalArgumentException("SparkTrainer: no loss function (call loss(...))");
        if (optimizer == null) throw new IllegalArgumentException("SparkTrainer: no optimizer factory (call optimizer(...))");
        if (batchSize % shards != 0) {
            throw new IllegalArgumentException("SparkTrainer: the global batch size " + batchSize + " is not divisible by "
                    + shards + " shards");
        }
    }

    private static int[] concat(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }
}
