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

    private DoubleSimdUpdates() {}

    static int sgd(Updates.Sgd s, double[] p, int po, double[] g, int go, double[] buf, int bo, int from, int to) {
        double lr = (double) s.lr(), wd = (double) s.weightDecay(), mom = (double) s.momentum(), damp = (double) s.dampened();
        boolean first = s.first(), nesterov = s.nesterov();
        int i = from, end = from + S.loopBound(to - from);
        for (; i < end; i += S.length()) {
            DoubleVector pv = DoubleVector.fromArray(S, p, po + i);
            DoubleVector d = DoubleVector.fromArray(S, g, go + i);
            if (wd != 0) d = pv.mul(wd).add(d);
            if (buf != null) {
                DoubleVector v = first ? d : DoubleVector.fromArray(S, buf, bo + i).mul(mom).add(d.mul(damp));
                v.intoArray(buf, bo + i);
                d = nesterov ? v.mul(mom).add(d) : v;
            }
            pv.sub(d.mul(lr)).intoArray(p, po + i);
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
            DoubleVector pv = DoubleVector.fromArray(S, p, po + i);
            if (decay != 1) pv = pv.mul(decay);
            DoubleVector gv = DoubleVector.fromArray(S, g, go + i);
            if (wd != 0) gv = pv.mul(wd).add(gv);
            DoubleVector mv = DoubleVector.fromArray(S, m, mo + i);
            mv = mv.add(gv.sub(mv).mul(c1));
            DoubleVector vv = DoubleVector.fromArray(S, v, vo + i).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            if (vmax != null) {
                vv = DoubleVector.fromArray(S, vmax, xo + i).lanewise(VectorOperators.MAX, vv);
                vv.intoArray(vmax, xo + i);
            }
            DoubleVector denom = vv.sqrt().div(bc).add(eps);
            pv.sub(mv.div(denom).mul(step)).intoArray(p, po + i);
        }
        return i;
    }
}
