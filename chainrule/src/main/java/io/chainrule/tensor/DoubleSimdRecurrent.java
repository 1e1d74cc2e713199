// twin: float -> FloatSimdRecurrent
package io.chainrule.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector bodies of {@link DoubleRecurrentRows}: the same operations in the same order as the scalar loops there, so
 * each lane equals the scalar result bit for bit. Each method covers whole vectors of one row and returns how many
 * columns it did; the caller finishes the row.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class DoubleSimdRecurrent {
    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    /**
     * The species' concrete vector class. Each vector a method is called on is cast to it (each local where it is
     * assigned, results of operations where a method is called on them; arguments need no cast): C2 then knows the
     * exact receiver class and binds the call statically, instead of using the type profile inside the JDK's
     * DoubleVector, which other Vector API code in the JVM shares (see GemmGen, DoubleSimdPointwise).
     */
    private static final Class<? extends DoubleVector> V = S.vectorType().asSubclass(DoubleVector.class);

    private DoubleSimdRecurrent() {}

    /** c = f·cPrev + i·g from one row of activations (i, f, g, o). */
    static int cellState(double[] acts, int a, double[] cPrev, int cp, double[] c, int co, int hidden) {
        int end = S.loopBound(hidden), step = S.length();
        for (int j = 0; j < end; j += step) {
            DoubleVector i = V.cast(DoubleVector.fromArray(S, acts, a + j));
            DoubleVector f = V.cast(DoubleVector.fromArray(S, acts, a + hidden + j));
            DoubleVector u = V.cast(DoubleVector.fromArray(S, acts, a + 2 * hidden + j));
            V.cast(V.cast(f.mul(DoubleVector.fromArray(S, cPrev, cp + j))).add(i.mul(u))).intoArray(c, co + j);
        }
        return end;
    }

    /** The backward of one LSTM row ({@link DoubleRecurrentRows#lstmBackward}). */
    static int lstmBackward(double[] acts, int a, double[] cPrev, int cp, double[] tcs, int tco, double[] dhOut, int dho,
                            double[] dhNext, int dhn, double[] dc, int dco, double[] dGates, int d, int hidden) {
        int end = S.loopBound(hidden), step = S.length();
        DoubleVector ones = DoubleVector.broadcast(S, 1d);
        for (int j = 0; j < end; j += step) {
            DoubleVector one = V.cast(ones); // a loop-invariant local reaches the loop typed DoubleVector
            DoubleVector i = V.cast(DoubleVector.fromArray(S, acts, a + j));
            DoubleVector f = V.cast(DoubleVector.fromArray(S, acts, a + hidden + j));
            DoubleVector u = V.cast(DoubleVector.fromArray(S, acts, a + 2 * hidden + j));
            DoubleVector o = V.cast(DoubleVector.fromArray(S, acts, a + 3 * hidden + j));
            DoubleVector tc = V.cast(DoubleVector.fromArray(S, tcs, tco + j));
            DoubleVector dh = V.cast(V.cast(DoubleVector.fromArray(S, dhOut, dho + j)).add(DoubleVector.fromArray(S, dhNext, dhn + j)));
            DoubleVector dct = V.cast(V.cast(DoubleVector.fromArray(S, dc, dco + j)).add(V.cast(dh.mul(o)).mul(one.sub(tc.mul(tc)))));
            V.cast(V.cast(dct.mul(u)).mul(i.mul(one.sub(i)))).intoArray(dGates, d + j);
            V.cast(V.cast(dct.mul(DoubleVector.fromArray(S, cPrev, cp + j))).mul(f.mul(one.sub(f))))
                    .intoArray(dGates, d + hidden + j);
            V.cast(V.cast(dct.mul(i)).mul(one.sub(u.mul(u)))).intoArray(dGates, d + 2 * hidden + j);
            V.cast(V.cast(dh.mul(tc)).mul(o.mul(one.sub(o)))).intoArray(dGates, d + 3 * hidden + j);
            V.cast(dct.mul(f)).intoArray(dc, dco + j);
        }
        return end;
    }

    /** The backward of one GRU row ({@link DoubleRecurrentRows#gruBackward}); {@code dh} becomes the direct part dh'·z. */
    static int gruBackward(double[] acts, int a, double[] ghn, int gn, double[] hPrev, int hp, double[] dhOut, int dho,
                           double[] dh, int dhn, double[] dGi, double[] dGh, int d, int hidden) {
        int end = S.loopBound(hidden), step = S.length();
        DoubleVector ones = DoubleVector.broadcast(S, 1d);
        for (int j = 0; j < end; j += step) {
            DoubleVector one = V.cast(ones); // a loop-invariant local reaches the loop typed DoubleVector
            DoubleVector r = V.cast(DoubleVector.fromArray(S, acts, a + j));
            DoubleVector z = V.cast(DoubleVector.fromArray(S, acts, a + hidden + j));
            DoubleVector n = V.cast(DoubleVector.fromArray(S, acts, a + 2 * hidden + j));
            DoubleVector dht = V.cast(V.cast(DoubleVector.fromArray(S, dhOut, dho + j)).add(DoubleVector.fromArray(S, dh, dhn + j)));
            DoubleVector dn = V.cast(dht.mul(one.sub(z))), dz = V.cast(dht.mul(V.cast(DoubleVector.fromArray(S, hPrev, hp + j)).sub(n)));
            V.cast(dht.mul(z)).intoArray(dh, dhn + j);
            DoubleVector dnp = V.cast(dn.mul(one.sub(n.mul(n))));
            DoubleVector drp = V.cast(V.cast(dnp.mul(DoubleVector.fromArray(S, ghn, gn + j))).mul(r.mul(one.sub(r))));
            DoubleVector dzp = V.cast(dz.mul(z.mul(one.sub(z))));
            drp.intoArray(dGi, d + j);
            dzp.intoArray(dGi, d + hidden + j);
            dnp.intoArray(dGi, d + 2 * hidden + j);
            drp.intoArray(dGh, d + j);
            dzp.intoArray(dGh, d + hidden + j);
            V.cast(dnp.mul(r)).intoArray(dGh, d + 2 * hidden + j);
        }
        return end;
    }
}
