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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA peak of one core, the yardstick of {@link GemmTable}'s "% of peak": twelve independent chains of vector
 * FMAs on registers, no loads, more chains than FMA latency × FMA pipes on current x86 cores. Each chain accumulates
 * ({@code acc = x·y + acc}), the form a GEMM kernel uses: written the other way round ({@code acc = acc·x + y}) C2
 * copies the addend before every FMA and spills, and the loop measured a quarter below this one (and below a C loop
 * of the same FMAs) on this project's machine.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class PeakGemmBench {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    /** Loop iterations per call, each 12 FMAs. */
    static final int ITERATIONS = 1 << 16;

    @Param({"float32", "float64"})
    public String dtype;

    /** Floating-point operations of one call. */
    static double flop(String dtype) {
        int lanes = dtype.equals("float32") ? F.length() : D.length();
        return 2.0 * 12 * lanes * ITERATIONS;
    }

    // Non-constant operands, so that C2 cannot fold the chains.
    private final float[] fs = {1.0000001f, 1e-7f};
    private final double[] ds = {1.000000001, 1e-9};

    @Benchmark
    public double fma() {
        return dtype.equals("float32") ? floats(fs[0], fs[1]) : doubles(ds[0], ds[1]);
    }

    private static double floats(float a, float b) {
        FloatVector x = FloatVector.broadcast(F, a), y = FloatVector.broadcast(F, b);
        FloatVector c0 = y, c1 = y, c2 = y, c3 = y, c4 = y, c5 = y, c6 = y, c7 = y, c8 = y, c9 = y, c10 = y, c11 = y;
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = x.fma(y, c0); c1 = x.fma(y, c1); c2 = x.fma(y, c2); c3 = x.fma(y, c3);
            c4 = x.fma(y, c4); c5 = x.fma(y, c5); c6 = x.fma(y, c6); c7 = x.fma(y, c7);
            c8 = x.fma(y, c8); c9 = x.fma(y, c9); c10 = x.fma(y, c10); c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    private static double doubles(double a, double b) {
        DoubleVector x = DoubleVector.broadcast(D, a), y = DoubleVector.broadcast(D, b);
        DoubleVector c0 = y, c1 = y, c2 = y, c3 = y, c4 = y, c5 = y, c6 = y, c7 = y, c8 = y, c9 = y, c10 = y, c11 = y;
        for (int i = 0; i < ITERATIONS; i++) {
            c0 = x.fma(y, c0); c1 = x.fma(y, c1); c2 = x.fma(y, c2); c3 = x.fma(y, c3);
            c4 = x.fma(y, c4); c5 = x.fma(y, c5); c6 = x.fma(y, c6); c7 = x.fma(y, c7);
            c8 = x.fma(y, c8); c9 = x.fma(y, c9); c10 = x.fma(y, c10); c11 = x.fma(y, c11);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }
}
