package io.chainrule.autograd;

import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gradGradCheck's perturbed evaluations must run with grad mode on: its function differentiates inside. */
class GradGradCheckTest {
    @Test
    void checksSecondDerivatives() {
        Tensor x = Tensor.of(new double[] {0.3, -1.2, 2.0}).requiresGrad(true);
        assertTrue(GradCheck.gradGradCheck(in -> in.get(0).tanh().mul(in.get(0)).sum(), List.of(x)));
    }

    @Test
    void stillDetectsAWrongFirstDerivative() {
        Tensor x = Tensor.of(new double[] {0.3, -1.2}).requiresGrad(true);
        // x·x has derivative 2x; detach() hides one factor from autograd, which then reports x.
        assertThrows(GradCheck.GradCheckException.class,
                () -> GradCheck.check(in -> in.get(0).mul(in.get(0).detach()).sum(), List.of(x)));
    }
}
