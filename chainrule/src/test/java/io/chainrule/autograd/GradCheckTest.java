package io.chainrule.autograd;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The GradCheck utility itself: PyTorch's defaults, what it reports, what it leaves alone. */
class GradCheckTest {

    @Test
    void defaultsArePyTorchs() {
        assertEquals(1e-6, GradCheck.EPS);
        assertEquals(1e-5, GradCheck.ATOL);
        assertEquals(1e-3, GradCheck.RTOL);
    }

    @Test
    void mismatchNamesTheInputTheElementAndBothValues() {
        Tensor x = Tensor.of(new double[] {0.5, 1.5}).requiresGrad(true);
        Tensor c = Tensor.of(new double[] {2, 3}).requiresGrad(true);
        // the second input's gradient is hidden by detach: d/dc (x·c) should be x, autograd says 0
        GradCheck.GradCheckException e = assertThrows(GradCheck.GradCheckException.class,
                () -> GradCheck.check(in -> in.get(0).mul(in.get(1).detach()), List.of(x, c)));
        String m = e.getMessage();
        assertTrue(m.contains("input 1") && m.contains("[2]"), m);
        assertTrue(m.contains("analytical 0.0") && m.contains("numerical 1.4999"), m); // the worst: element 1, x = 1.5
        assertTrue(e instanceof IllegalStateException);
    }

    @Test
    void float32InputsAreCheckedInFloat64AndTheCallersTensorsAreLeftAlone() {
        Tensor x = Tensor.of(new float[] {0.25f, -1.5f, 2f}).requiresGrad(true);
        assertTrue(GradCheck.check(in -> in.get(0).tanh().mul(in.get(0)), List.of(x)));
        assertTrue(GradCheck.gradGradCheck(in -> in.get(0).exp().sum(), List.of(x)));
        assertArrayEquals(new float[] {0.25f, -1.5f, 2f}, x.toFloatArray());
        assertNull(x.grad());
        assertEquals(DType.FLOAT32, x.dtype());
    }

    @Test
    void inputsNotRequiringGradAreConstants() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor w = Tensor.of(new double[] {3, 4});
        Tensor index = Tensor.of(new long[] {1, 0, 1});
        assertTrue(GradCheck.check(in -> in.get(0).mul(in.get(1)).indexSelect(0, in.get(2)), List.of(x, w, index)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.check(in -> in.get(0).exp(), List.of(w)));
        assertTrue(e.getMessage().contains("GradCheck"), e.getMessage());
    }

    @Test
    void unusedInputsAndConstantOutputsHaveZeroGradient() {
        Tensor x = Tensor.of(new double[] {1, 2}).requiresGrad(true);
        Tensor unused = Tensor.of(new double[] {5}).requiresGrad(true);
        assertTrue(GradCheck.check(in -> in.get(0).square(), List.of(x, unused)));
        assertTrue(GradCheck.check(in -> in.get(0).gt(0.0).to(DType.FLOAT64), List.of(x)));
    }

    @Test
    void toleranceOverloadIsHonoured() {
        Tensor x = Tensor.of(new double[] {0.3}).requiresGrad(true);
        // exp(x)·(1 + 1e-4) vs exp(x): within rtol 1e-3, outside rtol 1e-6
        java.util.function.Function<List<Tensor>, Tensor> slightlyOff =
                in -> in.get(0).exp().add(in.get(0).detach().exp().mul(1e-4).mul(in.get(0)).sub(in.get(0).detach().exp().mul(1e-4).mul(in.get(0).detach())));
        assertTrue(GradCheck.check(slightlyOff, List.of(x)));
        assertThrows(GradCheck.GradCheckException.class, () -> GradCheck.check(slightlyOff, List.of(x), 1e-6, 1e-9, 1e-6));
    }
}
