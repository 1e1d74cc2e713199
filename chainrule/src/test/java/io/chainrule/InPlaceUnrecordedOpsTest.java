package io.chainrule;

import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** sqrti and maximumi: in-place ops for optimizer state, which have no derivative and are never recorded. */
class InPlaceUnrecordedOpsTest {
    @Test
    void sqrtiComputesInPlace() {
        Tensor t = Tensor.of(new double[] {4, 9, 2, 0});
        assertSame(t, t.sqrti());
        assertArrayEquals(new double[] {2, 3, Math.sqrt(2), 0}, t.toDoubleArray(), 0.0);
        Tensor f = Tensor.of(new float[] {16f, 0.25f});
        f.sqrti();
        assertArrayEquals(new float[] {4f, 0.5f}, f.toFloatArray(), 0f);
    }

    @Test
    void sqrtiWritesThroughNonContiguousViews() {
        Tensor base = Tensor.of(new double[] {1, 4, 9, 16}, 2, 2);
        base.t().sqrti();
        assertArrayEquals(new double[] {1, 2, 3, 4}, base.toDoubleArray(), 0.0);
        Tensor row = base.select(0, 1);
        row.sqrti();
        assertArrayEquals(new double[] {1, 2, Math.sqrt(3), 2}, base.toDoubleArray(), 0.0);
    }

    @Test
    void maximumiBroadcastsTheOtherOperand() {
        Tensor t = Tensor.of(new double[] {1, 5, 3, 0}, 2, 2);
        assertSame(t, t.maximumi(Tensor.of(new double[] {2, 4})));
        assertArrayEquals(new double[] {2, 5, 3, 4}, t.toDoubleArray(), 0.0);
        Tensor f = Tensor.of(new float[] {1f, -1f});
        f.maximumi(Tensor.scalar(0.5, DType.FLOAT64));
        assertArrayEquals(new float[] {1f, 0.5f}, f.toFloatArray(), 0f);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new double[] {1, 2}).maximumi(Tensor.zeros(DType.FLOAT64, 3)));
    }

    @Test
    void refusedWhereAutogradWouldHaveToRecordThem() {
        Tensor leaf = Tensor.of(new double[] {1, 4}).requiresGrad(true);
        assertThrows(IllegalStateException.class, leaf::sqrti);
        Tensor nonLeaf = leaf.mul(2);
        assertThrows(IllegalStateException.class, nonLeaf::sqrti);
        Tensor plain = Tensor.of(new double[] {1, 4});
        assertThrows(IllegalStateException.class, () -> plain.maximumi(leaf));
        try (var g = Autograd.noGrad()) {
            leaf.sqrti();
            plain.maximumi(leaf);
        }
        assertArrayEquals(new double[] {1, 2}, leaf.toDoubleArray(), 0.0);
        assertArrayEquals(new double[] {1, 4}, plain.toDoubleArray(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[] {4}).sqrti());
    }

    @Test
    void bumpsTheVersionSoSavedTensorsAreProtected() {
        Tensor x = Tensor.of(new double[] {1, 4}).requiresGrad(true);
        Tensor y = Tensor.of(new double[] {2, 3});
        Tensor z = x.mul(y).sum(); // saves y
        y.sqrti();
        assertThrows(IllegalStateException.class, z::backward);
    }
}
