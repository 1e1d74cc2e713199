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
    /**
     * The concrete vector classes of F and of its int twin. Each vector a method is called on comes from a cast to
     * one of them: C2 then knows the exact receiver class and binds the call statically, instead of using the type
     * profile inside the JDK's FloatVector/IntVector, which all Vector API code in the JVM shares (see GemmGen).
     */
    private static final Class<? extends FloatVector> V = F.vectorType().asSubclass(FloatVector.class);
    private static final Class<? extends IntVector> I = F.withLanes(int.class).vectorType().asSubclass(IntVector.class);

    private SimdMath() {}

    /**
     * {@code y[yo+i] = tanh(x[xo+i])}, or σ(x[xo+i]) when {@code tanh} is false, over whole vectors of [0, n);
     * returns how many were done. {@code x} and {@code y} may be the same array.
     */
    static int sigmoidOrTanh(boolean tanh, float[] x, int xo, float[] y, int yo, int n) {
        int end = F.loopBound(n);
        FloatVector ones = FloatVector.broadcast(F, 1f);
        for (int i = 0; i < end; i += F.length()) {
            // Every vector a method is called on is a V.cast or I.cast: a local or a call's result (fma's, in one
            // JDK 17 compile) is not always known to C2 as exactly the species' class.
            FloatVector one = V.cast(ones);
            FloatVector v = V.cast(FloatVector.fromArray(F, x, xo + i));
            FloatVector a = V.cast(v.abs());
            // e = e^arg, arg = −2|x| (tanh) or −|x| (sigmoid): MathFns.expNonPositive
            FloatVector arg = V.cast(V.cast(tanh ? a.mul(-2f) : a.neg()).max(EXP_MIN));
            FloatVector t = V.cast(V.cast(arg.mul(LOG2E)).add(ROUND));
            IntVector k = I.cast(I.cast(t.reinterpretAsInts()).sub(ROUND_BITS));
            FloatVector kf = V.cast(t.sub(ROUND));
            FloatVector r = V.cast(kf.fma(FloatVector.broadcast(F, -LN2_HI), arg));
            r = V.cast(kf.fma(FloatVector.broadcast(F, -LN2_LO), r));
            FloatVector p = V.cast(r.fma(E5, E4));
            p = V.cast(p.fma(r, FloatVector.broadcast(F, E3)));
            p = V.cast(p.fma(r, FloatVector.broadcast(F, E2)));
            p = V.cast(p.fma(r, FloatVector.broadcast(F, E1)));
            p = V.cast(p.fma(r, FloatVector.broadcast(F, E0)));
            p = V.cast(V.cast(p.fma(r.mul(r), r)).add(1f));
            IntVector k1 = I.cast(k.lanewise(VectorOperators.ASHR, 1));
            IntVector k2 = I.cast(k.sub(k1));
            FloatVector s1 = V.cast(I.cast(I.cast(k1.add(127)).lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats());
            FloatVector s2 = V.cast(I.cast(I.cast(k2.add(127)).lanewise(VectorOperators.LSHL, 23)).reinterpretAsFloats());
            FloatVector e = V.cast(V.cast(p.mul(s1)).mul(s2));
            FloatVector out;
            if (tanh) {
                FloatVector z = V.cast(a.mul(a));
                FloatVector q = V.cast(z.fma(T4, T3));
                q = V.cast(q.fma(z, FloatVector.broadcast(F, T2)));
                q = V.cast(q.fma(z, FloatVector.broadcast(F, T1)));
                q = V.cast(q.fma(z, FloatVector.broadcast(F, T0)));
                FloatVector small = V.cast(V.cast(q.mul(z)).fma(a, a));
                FloatVector large = V.cast(V.cast(one.sub(e)).div(one.add(e)));
                IntVector magnitude = I.cast(I.cast(V.cast(large.blend(small, a.compare(VectorOperators.LT, TANH_SMALL)))
                        .reinterpretAsInts()).and(0x7FFFFFFF));
                out = I.cast(magnitude.or(I.cast(v.reinterpretAsInts()).and(0x80000000))).reinterpretAsFloats();
            } else {
                out = V.cast(e.blend(one, v.compare(VectorOperators.GE, 0f))).div(one.add(e));
            }
            V.cast(out).intoArray(y, yo + i);
        }
        return end;
    }
}
