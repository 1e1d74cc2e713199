package io.chainrule.bench;

import io.chainrule.Threads;
import io.chainrule.tensor.Gemm;
import java.util.Random;
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
import org.openjdk.jmh.annotations.Warmup;

/** Square {@code C = A·B} through chainrule's {@link Gemm}; {@link GemmTable} turns the times into GFLOP/s. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms1g", "-Xmx1g"})
public class ChainruleGemmBench {
    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int n;

    @Param({"1", "2"})
    public int threads;

    @Param({"float32", "float64"})
    public String dtype;

    private float[] fa, fb, fc;
    private double[] da, db, dc;

    @Setup
    public void setup() {
        Threads.set(threads);
        Random r = new Random(1);
        if (dtype.equals("float32")) {
            fa = new float[n * n];
            fb = new float[n * n];
            fc = new float[n * n];
            for (int i = 0; i < fa.length; i++) {
                fa[i] = r.nextFloat() * 2 - 1;
                fb[i] = r.nextFloat() * 2 - 1;
            }
        } else {
            da = new double[n * n];
            db = new double[n * n];
            dc = new double[n * n];
            for (int i = 0; i < da.length; i++) {
                da[i] = r.nextDouble() * 2 - 1;
                db[i] = r.nextDouble() * 2 - 1;
            }
        }
    }

    @Benchmark
    public void gemm() {
        if (fa != null) Gemm.sgemm(false, false, n, n, n, fa, 0, n, fb, 0, n, fc, 0, n, false);
        else Gemm.dgemm(false, false, n, n, n, da, 0, n, db, 0, n, dc, 0, n, false);
    }
}
