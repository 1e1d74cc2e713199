package io.chainrule.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 sums of {@link NormKernels} in vector registers: each run (one plane of one channel, a few hundred
 * elements) is summed lane-wise in float, its lanes then added in a fixed order into the caller's double. Load only
 * when {@link Simd#ENABLED}.
 */
final class SimdNorm {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * The species' concrete vector class. Each vector a method is called on is cast to it (the accumulators, loop
     * variables, at each use): C2 then knows the exact receiver class and binds the call statically, instead of using
     * the type profile inside the JDK's FloatVector, which other Vector API code in the JVM shares (see GemmGen).
     */
    private static final Class<? extends FloatVector> V = F.vectorType().asSubclass(FloatVector.class);

    private SimdNorm() {}

    /** Σ x over {@code len} elements at {@code at}. */
    static double sum(float[] x, int at, int len) {
        FloatVector acc = FloatVector.zero(F);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += F.length()) acc = V.cast(acc).add(FloatVector.fromArray(F, x, at + j));
        double s = V.cast(acc).reduceLanes(VectorOperators.ADD);
        for (; j < len; j++) s += x[at + j];
        return s;
    }

    /** Σ (x − m)². */
    static double squaredDeviations(float[] x, int at, int len, float m) {
        FloatVector acc = FloatVector.zero(F), mv = FloatVector.broadcast(F, m);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += F.length()) {
            FloatVector d = V.cast(V.cast(FloatVector.fromArray(F, x, at + j)).sub(mv));
            acc = d.fma(d, acc);
        }
        double s = V.cast(acc).reduceLanes(VectorOperators.ADD);
        for (; j < len; j++) {
            double d = x[at + j] - m;
            s += d * d;
        }
        return s;
    }

    /** Σ u and Σ u·(v − m) in one pass, added to {@code sums[0]} and {@code sums[1]}. */
    static void gradSums(float[] u, int uo, float[] v, int vo, int len, float m, double[] sums) {
        FloatVector s1 = FloatVector.zero(F), s2 = FloatVector.zero(F), mv = FloatVector.broadcast(F, m);
        int j = 0;
        for (int bound = F.loopBound(len); j < bound; j += F.length()) {
            FloatVector g = V.cast(FloatVector.fromArray(F, u, uo + j));
            s1 = V.cast(s1).add(g);
            s2 = g.fma(V.cast(FloatVector.fromArray(F, v, vo + j)).sub(mv), s2);
        }
        double a = V.cast(s1).reduceLanes(VectorOperators.ADD), b = V.cast(s2).reduceLanes(VectorOperators.ADD);
        for (; j < len; j++) {
            a += u[uo + j];
            b += u[uo + j] * (v[vo + j] - m);
        }
        sums[0] += a;
        sums[1] += b;
    }
}
