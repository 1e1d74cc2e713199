package io.chainrule.autograd;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RetainGraphsTest {
    @Test
    void backwardInsideTheScopeKeepsTheGraph() {
        Tensor x = Tensor.of(new double[] {3}).requiresGrad(true);
        Tensor y;
        try (var keep = Autograd.retainGraphs()) {
            y = x.pow(3).sum();
            y.backward();
        }
        assertEquals(27, x.grad().item(), 0.0);
        // The graph survived: second derivative 6x = 18 through it.
        Tensor g = Autograd.grad(List.of(y), List.of(x), null, true, true).get(0);
        assertEquals(27, g.item(), 1e-12);
        assertEquals(18, Autograd.grad(List.of(g.sum()), List.of(x), null, false, false).get(0).item(), 1e-12);
    }

    @Test
    void scopeIsRestoredOnClose() {
        Tensor x = Tensor.scalar(2, DType.FLOAT64).requiresGrad(true);
        try (var outer = Autograd.retainGraphs()) {
            try (var inner = Autograd.retainGraphs()) {
                x.mul(3).backward();
            }
            Tensor y = x.mul(x);
            y.backward();
            y.backward(); // still retained: closing the inner scope left the outer one in force
        }
        assertEquals(3 + 4 + 4, x.grad().item(), 0.0);
        Tensor y = x.mul(x);
        y.backward();
        assertThrows(IllegalStateException.class, y::backward);
    }
}
