package io.chainrule.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static io.chainrule.tensor.MathFns.*;

/**
 * Vector twins of {@link MathFns#sigmoid(float)} and {@link MathFns#tanh(float)}: the same IEEE operations in the
 * same order (fma where the scalar code calls {@link Math#fma}), so every lane equals the scalar result bit for bit
 * and a row gives the same numbers whatever its length or alignment. Change both together.
 *
 * <p>Both functions live in one row method on purpose. C2 inlines small hot methods into their callers, and a caller
 * holding several of these bodies runs past its inlining budget; a helper that is then not inlined takes and returns
 * boxed vectors, which is ten times slower. A method over 325 bytecodes is never inlined, so this one is always
 * compiled on its own, with every vector operation in it intrinsified.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class SimdMath {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private SimdMath() {}

    /**
     * {@code y[yo+i] = tanh(x[xo+i])}, or σ(x[xo+i]) when {@code tanh} is false, over whole vectors of [0, n);
     * returns how many were done. {@code x} and {@code y} may be the same array.
     */
    static int sigmoidOrTanh(boolean tanh, float[] x, int xo, float[] y, int yo, int n) {
        int end = F.loopBound(n);
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int i = 0; i < end; i += F.length()) {
            FloatVector v = FloatVector.fromArray(F, x, xo + i);
            FloatVector a = v.abs();
            // e = e^arg, arg = −2|x| (tanh) or −|x| (sigmoid): MathFns.expNonPositive
            FloatVector arg = (tanh ? a.mul(-2f) : a.neg()).max(EXP_MIN);
            FloatVector t = arg.mul(LOG2E).add(ROUND);
            IntVector k = t.reinterpretAsInts().sub(ROUND_BITS);
            FloatVector kf = t.sub(ROUND);
            FloatVector r = kf.fma(FloatVector.broadcast(F, -LN2_HI), arg);
            r = kf.fma(FloatVector.broadcast(F, -LN2_LO), r);
            FloatVector p = r.fma(E5, E4);
            p = p.fma(r, FloatVector.broadcast(F, E3));
            p = p.fma(r, FloatVector.broadcast(F, E2));
            p = p.fma(r, FloatVector.broadcast(F, E1));
            p = p.fma(r, FloatVector.broadcast(F, E0));
            p = p.fma(r.mul(r), r).add(1f);
            IntVector k1 = k.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = k.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector e = p.mul(s1).mul(s2);
            FloatVector out;
            if (tanh) {
                FloatVector z = a.mul(a);
                FloatVector q = z.fma(T4, T3);
                q = q.fma(z, FloatVector.broadcast(F, T2));
                q = q.fma(z, FloatVector.broadcast(F, T1));
                q = q.fma(z, FloatVector.broadcast(F, T0));
                FloatVector small = q.mul(z).fma(a, a);
                FloatVector large = one.sub(e).div(one.add(e));
                IntVector magnitude = large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL)).reinterpretAsInts()
                        .and(0x7FFFFFFF);
                out = magnitude.or(v.reinterpretAsInts().and(0x80000000)).reinterpretAsFloats();
            } else {
                out = e.blend(one, v.compare(VectorOperators.GE, 0f)).div(one.add(e));
            }
            out.intoArray(y, yo + i);
        }
        return end;
    }
}
