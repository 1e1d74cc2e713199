package io.chainrule.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector bodies of {@link RecurrentKernels}' and {@link GruKernels}' float rows: the same operations in the same
 * order as the scalar loops there, so each lane equals the scalar result bit for bit. Each method covers whole vectors of one row and returns
 * how many columns it did; the caller finishes the row.
 *
 * <p>Only loaded after {@link Simd#ENABLED} confirmed that {@code jdk.incubator.vector} is resolvable.
 */
final class SimdRecurrent {
    private static final VectorSpecies<Float> F = SimdMath.F;

    private SimdRecurrent() {}

    /** c = f·cPrev + i·g from one row of activations (i, f, g, o). */
    static int cellState(float[] acts, int a, float[] cPrev, int cp, float[] c, int co, int hidden) {
        int end = F.loopBound(hidden), step = F.length();
        for (int j = 0; j < end; j += step) {
            FloatVector i = FloatVector.fromArray(F, acts, a + j);
            FloatVector f = FloatVector.fromArray(F, acts, a + hidden + j);
            FloatVector u = FloatVector.fromArray(F, acts, a + 2 * hidden + j);
            f.mul(FloatVector.fromArray(F, cPrev, cp + j)).add(i.mul(u)).intoArray(c, co + j);
        }
        return end;
    }

    /** The backward of one LSTM row ({@link RecurrentKernels#lstmBackward}). */
    static int lstmBackward(float[] acts, int a, float[] cPrev, int cp, float[] tcs, int tco, float[] dhOut, int dho,
                            float[] dhNext, int dhn, float[] dc, int dco, float[] dGates, int d, int hidden) {
        int end = F.loopBound(hidden), step = F.length();
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int j = 0; j < end; j += step) {
            FloatVector i = FloatVector.fromArray(F, acts, a + j);
            FloatVector f = FloatVector.fromArray(F, acts, a + hidden + j);
            FloatVector u = FloatVector.fromArray(F, acts, a + 2 * hidden + j);
            FloatVector o = FloatVector.fromArray(F, acts, a + 3 * hidden + j);
            FloatVector tc = FloatVector.fromArray(F, tcs, tco + j);
            FloatVector dh = FloatVector.fromArray(F, dhOut, dho + j).add(FloatVector.fromArray(F, dhNext, dhn + j));
            FloatVector dct = FloatVector.fromArray(F, dc, dco + j).add(dh.mul(o).mul(one.sub(tc.mul(tc))));
            dct.mul(u).mul(i.mul(one.sub(i))).intoArray(dGates, d + j);
            dct.mul(FloatVector.fromArray(F, cPrev, cp + j)).mul(f.mul(one.sub(f))).intoArray(dGates, d + hidden + j);
            dct.mul(i).mul(one.sub(u.mul(u))).intoArray(dGates, d + 2 * hidden + j);
            dh.mul(tc).mul(o.mul(one.sub(o))).intoArray(dGates, d + 3 * hidden + j);
            dct.mul(f).intoArray(dc, dco + j);
        }
        return end;
    }

    /** The backward of one GRU row ({@link GruKernels#backward}); {@code dh} becomes the direct part dh'·z. */
    static int gruBackward(float[] acts, int a, float[] ghn, int gn, float[] hPrev, int hp, float[] dhOut, int dho,
                           float[] dh, int dhn, float[] dGi, float[] dGh, int d, int hidden) {
        int end = F.loopBound(hidden), step = F.length();
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (int j = 0; j < end; j += step) {
            FloatVector r = FloatVector.fromArray(F, acts, a + j);
            FloatVector z = FloatVector.fromArray(F, acts, a + hidden + j);
            FloatVector n = FloatVector.fromArray(F, acts, a + 2 * hidden + j);
            FloatVector dht = FloatVector.fromArray(F, dhOut, dho + j).add(FloatVector.fromArray(F, dh, dhn + j));
            FloatVector dn = dht.mul(one.sub(z)), dz = dht.mul(FloatVector.fromArray(F, hPrev, hp + j).sub(n));
            dht.mul(z).intoArray(dh, dhn + j);
            FloatVector dnp = dn.mul(one.sub(n.mul(n)));
            FloatVector drp = dnp.mul(FloatVector.fromArray(F, ghn, gn + j)).mul(r.mul(one.sub(r)));
            FloatVector dzp = dz.mul(z.mul(one.sub(z)));
            drp.intoArray(dGi, d + j);
            dzp.intoArray(dGi, d + hidden + j);
            dnp.intoArray(dGi, d + 2 * hidden + j);
            drp.intoArray(dGh, d + j);
            dzp.intoArray(dGh, d + hidden + j);
            dnp.mul(r).intoArray(dGh, d + 2 * hidden + j);
        }
        return end;
    }
}
