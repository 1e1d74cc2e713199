package io.chainrule.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA peak of one core, the yardstick of {@link GemmTable}'s "% of peak": twelve independent chains of float32
 * vector FMAs on registers, no loads, more chains than FMA latency × FMA pipes on current x86 cores. A float64 FMA
 * instruction costs the same on the CPUs the Vector API targets (x86 AVX2/AVX-512, ARM NEON/SVE), so the float64 peak
 * is this one scaled by the lane counts ({@link #gflops}). Each chain accumulates ({@code acc = x·y + acc}), the form
 * a GEMM kernel uses: written the other way round ({@code acc = acc·x + y}) C2 copies the addend before every FMA and
 * spills, and that loop measured a quarter below this one (and below a C loop of the same FMAs) on this project's
 * machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class PeakGemmBench {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Loop iterations per call, each 12 FMAs. */
    private static final int ITERATIONS = 1 << 16;

    // Non-constant operands, so that C2 cannot fold the chains.
    private final float[] operands = {1.0000001f, 1e-7f};

    /** The peak GFLOP/s in {@code dtype} ("float32" or "float64") of a call that took {@code micros}. */
    static double gflops(String dtype, double micros) {
        int lanes = dtype.equals("float32") ? F.length() : DoubleVector.SPECIES_PREFERRED.length();
        return 2.0 * 12 * lanes * ITERATIONS / (micros * 1e3);
    }

    @Benchmark
    public float fma() {
        return fmas(operands, ITERATIONS);
    }

    /** Twelve independent chains of {@code iterations} vector FMAs each on {@code operands[0..1]}, summed. */
    static float fmas(float[] operands, int iterations) {
        FloatVector x = FloatVector.broadcast(F, operands[0]), y = FloatVector.broadcast(F, operands[1]);
        FloatVector c0 = y, c1 = y, c2 = y, c3 = y, c4 = y, c5 = y, c6 = y, c7 = y, c8 = y, c9 = y, c10 = y, c11 = y;
        for (int i = 0; i < iterations; i++) {
            c0 = x.fma(y, c0); c1 = x.fma(y, c1); c2 = x.fma(y, c2); c3 = x.fma(y, c3);
            c4 = x.fma(y, c4); c5 = x.fma(y, c5); c6 = x.fma(y, c6); c7 = x.fma(y, c7);
            c8 = x.fma(y, c8); c9 = x.fma(y, c9); c10 = x.fma(y, c10); c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
