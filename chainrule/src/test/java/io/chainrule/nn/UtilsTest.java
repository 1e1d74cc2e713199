package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Gradient clipping by total norm and by value. */
class UtilsTest {
    /** A leaf whose grad() is {@code grad} (by backward through a dot product). */
    private static Tensor withGrad(double[] grad) {
        Tensor p = Tensor.zeros(DType.FLOAT64, grad.length).requiresGrad(true);
        p.mul(Tensor.of(grad)).sum().backward();
        return p;
    }

    @Test
    void clipGradNormReturnsTotalAndScales() {
        Tensor a = withGrad(new double[] {3, 4}), b = withGrad(new double[] {12});
        Tensor none = Tensor.zeros(2).requiresGrad(true);  // no grad: skipped
        double total = Utils.clipGradNorm(List.of(a, b, none), 1.0);
        assertEquals(13.0, total, 1e-12);
        double scale = 1.0 / (13.0 + 1e-6);
        assertArrayEquals(new double[] {3 * scale, 4 * scale}, a.grad().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {12 * scale}, b.grad().toDoubleArray(), 1e-15);
        assertNull(none.grad());
        // the clipped total is maxNorm (up to the 1e-6 guard), which a second call changes by no more than that guard
        assertEquals(1.0, Utils.clipGradNorm(List.of(a, b), 1.0), 1e-6);
        assertArrayEquals(new double[] {12 * scale}, b.grad().toDoubleArray(), 12 * 2e-6);
    }

    @Test
    void clipGradNormBelowMaxLeavesGradients() {
        Tensor a = withGrad(new double[] {3, 4});
        assertEquals(5.0, Utils.clipGradNorm(List.of(a), 10.0), 1e-12);
        assertArrayEquals(new double[] {3, 4}, a.grad().toDoubleArray(), 0.0);
        // a parameter listed twice counts once, in the norm and in the scaling
        Tensor b = withGrad(new double[] {3, 4});
        assertEquals(5.0, Utils.clipGradNorm(List.of(b, b), 2.5), 1e-12);
        assertEquals(2.5, b.grad().norm().item(), 1e-5);
    }

    @Test
    void clipGradValueClamps() {
        Tensor a = withGrad(new double[] {-3, 0.2, 0.7, -0.1});
        Tensor f = Tensor.zeros(2).requiresGrad(true);
        f.mul(Tensor.of(new float[] {5f, -0.25f})).sum().backward();
        Utils.clipGradValue(List.of(a, f, Tensor.zeros(1).requiresGrad(true)), 0.5);
        assertArrayEquals(new double[] {-0.5, 0.2, 0.5, -0.1}, a.grad().toDoubleArray(), 0.0);
        assertArrayEquals(new float[] {0.5f, -0.25f}, f.grad().toFloatArray(), 0f);
    }

    @Test
    void badArguments() {
        assertThrows(IllegalArgumentException.class, () -> Utils.clipGradNorm(List.of(), -1));
        assertThrows(IllegalArgumentException.class, () -> Utils.clipGradValue(List.of(), Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Utils.clipGradNorm(null, 1));
        assertEquals(0.0, Utils.clipGradNorm(List.of(), 1.0));
        assertTrue(Double.isInfinite(Utils.clipGradNorm(List.of(withGrad(new double[] {Double.POSITIVE_INFINITY})), 1.0)));
    }
}
