package io.chainrule.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The same square matmul through libtorch (DJL's PyTorch engine, CPU), as a yardstick. Each fork is a fresh JVM,
 * so libtorch's intra-op thread count can be set before the engine starts. libtorch allocates the result on
 * every call (there is no out= variant in DJL); chainrule writes into a preallocated C.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Dai.djl.offline=true", "-DOPT_OUT_TRACKING=true", "-Xms1g", "-Xmx1g"})
public class TorchGemmBench {
    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"float32", "float64"})
    public String dtype;

    private NDManager manager;
    private NDArray a, b;

    @Setup
    public void setup() {
        // Read by DJL when the PyTorch engine starts (at_set_num_threads / set_num_interop_threads).
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        DataType type = dtype.equals("float32") ? DataType.FLOAT32 : DataType.FLOAT64;
        a = manager.randomUniform(-1, 1, new Shape(n, n), type);
        b = manager.randomUniform(-1, 1, new Shape(n, n), type);
    }

    @TearDown
    public void tearDown() {
        manager.close();
    }

    @Benchmark
    public void gemm() {
        try (NDArray c = a.matMul(b)) {
            // matmul runs eagerly on the CPU; closing frees the result at once.
        }
    }
}
