package io.chainrule.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector bodies of {@link Updates}: the same per-element operations, in the same order, a vector at a time.
 * Each method covers whole vectors of {@code [from, to)} and returns where the scalar tail must start. The float and
 * double halves are twins (the Vector API has no generic element type); change both together.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class SimdUpdates {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;

    private SimdUpdates() {}

    static int sgd(Updates.Sgd s, float[] p, int po, float[] g, int go, float[] buf, int bo, int from, int to) {
        float lr = (float) s.lr(), wd = (float) s.weightDecay(), mom = (float) s.momentum(), damp = (float) s.dampened();
        boolean first = s.first(), nesterov = s.nesterov();
        int i = from, end = from + F.loopBound(to - from);
        for (; i < end; i += F.length()) {
            FloatVector pv = FloatVector.fromArray(F, p, po + i);
            FloatVector d = FloatVector.fromArray(F, g, go + i);
            if (wd != 0) d = pv.mul(wd).add(d);
            if (buf != null) {
                FloatVector v = first ? d : FloatVector.fromArray(F, buf, bo + i).mul(mom).add(d.mul(damp));
                v.intoArray(buf, bo + i);
                d = nesterov ? v.mul(mom).add(d) : v;
            }
            pv.sub(d.mul(lr)).intoArray(p, po + i);
        }
        return i;
    }

    static int sgd(Updates.Sgd s, double[] p, int po, double[] g, int go, double[] buf, int bo, int from, int to) {
        double lr = s.lr(), wd = s.weightDecay(), mom = s.momentum(), damp = s.dampened();
        boolean first = s.first(), nesterov = s.nesterov();
        int i = from, end = from + D.loopBound(to - from);
        for (; i < end; i += D.length()) {
            DoubleVector pv = DoubleVector.fromArray(D, p, po + i);
            DoubleVector d = DoubleVector.fromArray(D, g, go + i);
            if (wd != 0) d = pv.mul(wd).add(d);
            if (buf != null) {
                DoubleVector v = first ? d : DoubleVector.fromArray(D, buf, bo + i).mul(mom).add(d.mul(damp));
                v.intoArray(buf, bo + i);
                d = nesterov ? v.mul(mom).add(d) : v;
            }
            pv.sub(d.mul(lr)).intoArray(p, po + i);
        }
        return i;
    }

    static int adam(Updates.Adam s, float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo,
                    float[] vmax, int xo, int from, int to) {
        float decay = (float) s.decay(), wd = (float) s.weightDecay(), c1 = (float) s.oneMinusBeta1();
        float b2 = (float) s.beta2(), c2 = (float) s.oneMinusBeta2(), bc = (float) s.biasCorrection2Sqrt();
        float eps = (float) s.eps(), step = (float) s.stepSize();
        int i = from, end = from + F.loopBound(to - from);
        for (; i < end; i += F.length()) {
            FloatVector pv = FloatVector.fromArray(F, p, po + i);
            if (decay != 1) pv = pv.mul(decay);
            FloatVector gv = FloatVector.fromArray(F, g, go + i);
            if (wd != 0) gv = pv.mul(wd).add(gv);
            FloatVector mv = FloatVector.fromArray(F, m, mo + i);
            mv = mv.add(gv.sub(mv).mul(c1));
            FloatVector vv = FloatVector.fromArray(F, v, vo + i).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            if (vmax != null) {
                vv = FloatVector.fromArray(F, vmax, xo + i).lanewise(VectorOperators.MAX, vv);
                vv.intoArray(vmax, xo + i);
            }
            FloatVector denom = vv.sqrt().div(bc).add(eps);
            pv.sub(mv.div(denom).mul(step)).intoArray(p, po + i);
        }
        return i;
    }

    static int adam(Updates.Adam s, double[] p, int po, double[] g, int go, double[] m, int mo, double[] v, int vo,
                    double[] vmax, int xo, int from, int to) {
        double decay = s.decay(), wd = s.weightDecay(), c1 = s.oneMinusBeta1();
        double b2 = s.beta2(), c2 = s.oneMinusBeta2(), bc = s.biasCorrection2Sqrt();
        double eps = s.eps(), step = s.stepSize();
        int i = from, end = from + D.loopBound(to - from);
        for (; i < end; i += D.length()) {
            DoubleVector pv = DoubleVector.fromArray(D, p, po + i);
            if (decay != 1) pv = pv.mul(decay);
            DoubleVector gv = DoubleVector.fromArray(D, g, go + i);
            if (wd != 0) gv = pv.mul(wd).add(gv);
            DoubleVector mv = DoubleVector.fromArray(D, m, mo + i);
            mv = mv.add(gv.sub(mv).mul(c1));
            DoubleVector vv = DoubleVector.fromArray(D, v, vo + i).mul(b2).add(gv.mul(gv).mul(c2));
            mv.intoArray(m, mo + i);
            vv.intoArray(v, vo + i);
            if (vmax != null) {
                vv = DoubleVector.fromArray(D, vmax, xo + i).lanewise(VectorOperators.MAX, vv);
                vv.intoArray(vmax, xo + i);
            }
            DoubleVector denom = vv.sqrt().div(bc).add(eps);
            pv.sub(mv.div(denom).mul(step)).intoArray(p, po + i);
        }
        return i;
    }
}
