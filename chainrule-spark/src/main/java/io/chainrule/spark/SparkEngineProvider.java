package io.chainrule.spark;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.Module;
import io.chainrule.parallel.ShardData;
import io.chainrule.parallel.ShardPlan;
import io.chainrule.parallel.StepEngine;
import io.chainrule.parallel.StepEngineProvider;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The "spark" engine for programs (chainrule train --spark MASTER): starts a session, ships the data once into the
 * executors' shard cache (in slices of a few MB, so no task is large), and stops the session when closed.
 */
public final class SparkEngineProvider implements StepEngineProvider {
    /** Bytes of features per slice shipped from the driver: keeps each task small whatever the data's size. */
    private static final int SLICE_BYTES = 900 << 10; // under Spark's recommended task size (1000 KiB)

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public StepEngine open(String master, ShardPlan plan, TensorDataset data, Supplier<Module> model,
                           BiFunction<Tensor, Tensor, Tensor> loss) {
        if (!(model instanceof Serializable) || !(loss instanceof Serializable)) {
            throw new IllegalArgumentException("the model factory and the loss must be Serializable to run on Spark");
        }
        if (data.y().dtype() != DType.INT64) {
            throw new IllegalArgumentException("the Spark engine trains on class labels (INT64), got " + data.y().dtype());
        }
        SparkSession spark = SparkSessions.open(master, jarsOf(model.getClass(), loss.getClass(), getClass()));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            int n = data.size();
            int[] xs = data.x().shape();
            int features = n == 0 ? 0 : data.x().numel() / n;
            float[] x = data.x().to(DType.FLOAT32).contiguous().toFloatArray();
            long[] y = data.y().toLongArray();
            int perSlice = Math.max(1, SLICE_BYTES / Math.max(4, features * 4));
            List<Slice> slices = new ArrayList<>();
            for (int start = 0; start < n; start += perSlice) {
                int end = Math.min(n, start + perSlice);
                slices.add(new Slice(start, IndexedExample.FloatBytes.pack(Arrays.copyOfRange(x, start * features, end * features)),
                        Arrays.copyOfRange(y, start, end), features));
            }
            JavaRDD<IndexedExample> examples = jsc.parallelize(slices, slices.size()).flatMap(Slice::examples);
            JavaRDD<ShardData> cache = ShardCache.build(examples, plan.shards(), features, true);
            long cached = cache.map(ShardData::count).reduce(Integer::sum);
            if (cached != n) throw new IllegalStateException("Spark cached " + cached + " examples of " + n);
            WorkerSpec spec = new WorkerSpec(SparkStepEngine.newRunId(), plan, model::get, loss::apply,
                    Arrays.copyOfRange(xs, 1, xs.length));
            return new ClosingEngine(new SparkStepEngine(jsc, cache, spec), spark);
        } catch (Exception e) { // SparkException is checked but thrown undeclared
            spark.stop();
            throw SparkErrors.clarify(e);
        }
    }

    /** Reads the table with a local session on the driver (stopped afterwards: the engine starts its own). */
    @Override
    public TensorDataset readTable(String format, String path, int limit) {
        SparkSession spark = SparkSessions.open("local[*]", List.of());
        try {
            return SparkTables.read(spark, format, path, limit);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) { // SparkException is checked but thrown undeclared
            throw SparkErrors.clarify(e);
        } finally {
            spark.stop();
        }
    }

    /** The jar files holding these classes (directories, as in tests, need no shipping: those run locally). */
    static List<String> jarsOf(Class<?>... classes) {
        Set<String> jars = new LinkedHashSet<>();
        for (Class<?> c : classes) {
            try {
                var src = c.getProtectionDomain().getCodeSource();
                if (src == null) continue;
                Path p = Path.of(src.getLocation().toURI());
                if (Files.isRegularFile(p)) jars.add(p.toUri().toString());
            } catch (Exception e) {
                // a class from somewhere else (a JDK image, a custom loader): nothing to ship
            }
        }
        return new ArrayList<>(jars);
    }

    /** A run of consecutive examples as the driver ships them (features as bytes: see {@link IndexedExample}). */
    record Slice(int start, byte[] x, long[] y, int features) implements Serializable {
        private static final long serialVersionUID = 1L;

        java.util.Iterator<IndexedExample> examples() {
            float[] all = IndexedExample.FloatBytes.unpack(x);
            List<IndexedExample> out = new ArrayList<>(y.length);
            for (int i = 0; i < y.length; i++) {
                out.add(new IndexedExample(start + i, Arrays.copyOfRange(all, i * features, (i + 1) * features), y[i], 0));
            }
            return out.iterator();
        }
    }

    /**
     * The engine, stopping the session it runs on when closed. On Ctrl-C the program finishes its step and writes a
     * checkpoint before it exits; Spark's own shutdown hook would stop the SparkContext under that step, so a hook
     * that runs before Spark's holds the JVM's shutdown until the engine is closed (at most two minutes).
     */
    private record ClosingEngine(SparkStepEngine engine, SparkSession spark, java.util.concurrent.CountDownLatch closed,
                                 Object shutdownHook) implements StepEngine {
        ClosingEngine(SparkStepEngine engine, SparkSession spark) {
            this(engine, spark, new java.util.concurrent.CountDownLatch(1));
        }

        private ClosingEngine(SparkStepEngine engine, SparkSession spark, java.util.concurrent.CountDownLatch closed) {
            this(engine, spark, closed, org.apache.spark.util.ShutdownHookManager.addShutdownHook(
                    org.apache.spark.util.ShutdownHookManager.SPARK_CONTEXT_SHUTDOWN_PRIORITY() + 10,
                    new scala.runtime.AbstractFunction0<scala.runtime.BoxedUnit>() {
                        @Override
                        public scala.runtime.BoxedUnit apply() {
                            try {
                                closed.await(120, java.util.concurrent.TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return scala.runtime.BoxedUnit.UNIT;
                        }
                    }));
        }

        @Override
        public ShardPlan plan() {
            return engine.plan();
        }

        @Override
        public List<io.chainrule.parallel.ShardResult> compute(int epoch, int step, io.chainrule.parallel.ModelState state) {
            try {
                return engine.compute(epoch, step, state);
            } catch (Exception e) { // SparkException is checked but thrown undeclared
                throw SparkErrors.clarify(e);
            }
        }

        @Override
        public void close() {
            try {
                engine.close();
            } finally {
                try {
                    spark.stop();
                } finally {
                    closed.countDown();
                    try {
                        org.apache.spark.util.ShutdownHookManager.removeShutdownHook(shutdownHook);
                    } catch (IllegalStateException shuttingDown) {
                        // the hook is running: it returns now that the latch is open
                    }
                }
            }
        }

        @Override
        public String report() {
            ShippedBytes b = engine.shipped();
            return String.format(java.util.Locale.ROOT, "spark     %s, %d shards: %,d step jobs, %.2f MB shipped per step "
                    + "(%.2f MB state to executors, %.2f MB results back; Spark measured %.2f MB of task results)",
                    spark.sparkContext().master(), engine.plan().shards(), b.steps(), b.perStep() / 1e6,
                    b.toExecutors() / 1e6 / Math.max(1, b.steps()), b.toDriver() / 1e6 / Math.max(1, b.steps()),
                    b.taskResults() / 1e6 / Math.max(1, b.steps()));
        }
    }
}
