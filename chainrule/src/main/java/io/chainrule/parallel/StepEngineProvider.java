package io.chainrule.parallel;

import io.chainrule.Tensor;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.Module;

import java.util.ServiceLoader;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A cluster engine that can be found at run time ({@link ServiceLoader}), so a program can offer cluster training
 * without depending on the cluster's libraries: chainrule-spark registers one named "spark". The program passes the
 * data it loaded; the engine ships it to the cluster once and keeps it there.
 */
public interface StepEngineProvider {
    /** The name the program asks for ("spark"). */
    String name();

    /**
     * Starts the engine: connects to {@code master}, caches {@code data} in the workers by shard.
     *
     * @param model builds a replica on each worker; must be {@link java.io.Serializable} for a cluster
     * @param loss  (output, target) → the loss summed over a micro-batch; serializable too
     * @throws IllegalArgumentException for a master that cannot be reached or parsed, naming it
     */
    StepEngine open(String master, ShardPlan plan, TensorDataset data, Supplier<Module> model,
                    BiFunction<Tensor, Tensor, Tensor> loss);

    /**
     * Reads a table the cluster's engine can read ({@code parquet}, {@code csv}, {@code orc}, {@code json}; local,
     * {@code hdfs://} or {@code s3a://} paths) into this process: x FLOAT32 {@code [N, features]}, y INT64 class
     * indices from the column {@code label}.
     *
     * @param limit the first {@code limit} rows only (0: all)
     * @throws IllegalArgumentException for a missing file, a table without a label column or numeric features
     */
    default TensorDataset readTable(String format, String path, int limit) {
        throw new UnsupportedOperationException(name() + " engine: cannot read tables");
    }

    /** The provider called {@code name} on the class path, or null when there is none. */
    static StepEngineProvider find(String name) {
        for (StepEngineProvider p : ServiceLoader.load(StepEngineProvider.class)) {
            if (p.name().equals(name)) return p;
        }
        return null;
    }
}
