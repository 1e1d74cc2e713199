package io.chainrule;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's example: one sigmoid neuron, MSE against 1, w.grad() equal to PyTorch's printout. */
class PerceptronExampleTest {
    @Test
    void gradientMatchesPyTorch() {
        Tensor x = Tensor.of(new float[] {0.5817f, -1.1089f, -0.9756f, -0.4556f, -0.2144f, -1.1662f, 1.9232f, 0.2331f, -1.2987f, -0.4950f}, 1, 10);
        Tensor w = Tensor.of(new float[] {-1.0490f, -1.7553f, 0.1665f, -0.0458f, -0.8664f, -0.3328f, -0.1398f, 1.2416f, 1.3097f, -0.4996f}, 1, 10)
                .requiresGrad(true);
        Tensor o = x.matmul(w.t()).sigmoid();
        Tensor loss = o.sub(Tensor.ones(1, 1)).square().mean();
        loss.backward();
        float[] expected = {-0.1179f, 0.2248f, 0.1977f, 0.0923f, 0.0435f, 0.2364f, -0.3898f, -0.0472f, 0.2632f, 0.1003f};
        assertArrayEquals(expected, w.grad().toFloatArray(), 1e-4f);
        assertEquals("SigmoidBackward0", o.gradFn());
    }
}
