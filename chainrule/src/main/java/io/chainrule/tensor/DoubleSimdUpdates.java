// twin: float -> FloatSimdUpdates
package io.chainrule.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector bodies of {@link DoubleUpdates}: the same per-element operations, in the same order, a vector at a time.
 * Each method covers whole vectors of {@code [from, to)} and returns where the scalar tail must start.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class DoubleSimdUpdates {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /**
     * The species' concrete vector class. Each vector a method is called on is cast to it (each local where it is
     * assigned and again after a branch merged it, results of operations where a method is called on them): C2 then knows the exact receiver class and
     * binds the call statically, instead of using the type profile inside the JDK's DoubleVector, which other Vector
     * API code in the JVM shares and may have made polymorphic (see GemmGen, DoubleSimdPointwise).
     */
    private static final Class<? extends DoubleVector> V = S.vectorType().asSubclass(DoubleVector.class);

    private DoubleSimdUpdates() {}

    static int sgd(Updates.Sgd s, double[] p, int po, double[] g, int go, double[] buf, int bo, int from, int to) {
        double lr = (double) s.lr(), wd = (double) s.weightDecay(), mom = (double) s.momentum(), damp = (double) s.dampened();
        boolean first = s.first(), nesterov = s.nesterov();
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) {
            DoubleVector pv = V.cast(DoubleVector.fromArray(S, p, po + i));
            DoubleVector d = V.cast(DoubleVector.fromArray(S, g, go + i));
            if (wd != 0) d = V.cast(V.cast(pv.mul(wd)).add(d));
            if (buf != null) {
                DoubleVector v = first ? d
                        : V.cast(V.cast(V.cast(DoubleVector.fromArray(S, buf, bo + i)).mul(mom)).add(V.cast(d).mul(damp)));
                V.cast(v).intoArray(buf, bo + i);
                d = nesterov ? V.cast(V.cast(V.cast(v).mul(mom)).add(d)) : v;
            }
            V.cast(pv.sub(V.cast(d).mul(lr))).intoArray(p, po + i);
        }
        return i;
    }

    static int adam(Updates.Adam s, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo,
                    double[] vmax, int xo, int from, int to) {
        double decay = (double) s.decay(), wd = (double) s.weightDecay(), c1 = (double) s.oneMinusBeta1();
        double b2 = (double) s.beta2(), c2 = (double) s.oneMinusBeta2(), bc = (double) s.biasCorrection2Sqrt();
        double eps = (double) s.eps(), step = (double) s.stepSize();
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) {
            DoubleVector pv = V.cast(DoubleVector.fromArray(S, p, po + i));
            if (decay != 1) pv = V.cast(pv.mul(decay));
            DoubleVector gv = V.cast(DoubleVector.fromArray(S, g, go + i));
            if (wd != 0) gv = V.cast(V.cast(V.cast(pv).mul(wd)).add(gv));
            DoubleVector mv = V.cast(DoubleVector.fromArray(S, m, mo + i));
            gv = V.cast(gv);
            mv = V.cast(mv.add(V.cast(gv.sub(mv)).mul(c1)));
            DoubleVector vv = V.cast(V.cast(V.cast(DoubleVector.fromArray(S, v, vo + i)).mul(b2))
                    .add(V.cast(gv.mul(gv)).mul(c2)));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            if (vmax != null) {
                vv = V.cast(V.cast(DoubleVector.fromArray(S, vmax, xo + i)).lanewise(VectorOperators.MAX, vv));
                vv.intoArray(vmax, xo + i);
            }
            DoubleVector denom = V.cast(V.cast(V.cast(vv).sqrt()).div(bc)).add(eps);
            V.cast(V.cast(pv).sub(V.cast(mv.div(denom)).mul(step))).intoArray(p, po + i);
        }
        return i;
    }
}
