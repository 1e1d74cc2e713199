package io.chainrule.optim;

import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * In steady state a first-order step updates parameters and state in place: what it allocates (stride arrays,
 * lambdas) is tiny next to one parameter tensor. Measured with the JVM's per-thread allocation counter; the
 * kernels' worker threads allocate nothing tensor-sized either, as tensors are created by the calling thread.
 */
class StepAllocationTest {
    @Test
    void firstOrderStepsAllocateNoTensors() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter on this JVM");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(mx.isThreadAllocatedMemorySupported() && mx.isThreadAllocatedMemoryEnabled());
        Tensor p = Tensor.randn(500, 500).requiresGrad(true);
        Tensor q = Tensor.randn(500).requiresGrad(true);
        p.sum().add(q.sum()).backward();
        long tensorBytes = 500L * 500 * 4;
        List<Optimizer> optimizers = List.of(
                new SGD(List.of(p, q), 1e-3).momentum(0.9).nesterov(true).weightDecay(0.1),
                new SGD(List.of(p, q), 1e-3).momentum(0.9).dampening(0.1),
                new Adam(List.of(p, q), 1e-3).amsgrad(true).weightDecay(0.1),
                new AdamW(List.of(p, q), 1e-3),
                new RMSprop(List.of(p, q), 1e-3).centered(true).momentum(0.9).weightDecay(0.1),
                new Adagrad(List.of(p, q), 1e-3).weightDecay(0.1));
        for (Optimizer opt : optimizers) {
            // state and scratch tensors are created here; the rest lets the JIT compile the SIMD kernels (interpreted, every
            // vector operation allocates)
            for (int i = 0; i < 100; i++) opt.step();
            long before = mx.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10; i++) opt.step();
            long perStep = (mx.getCurrentThreadAllocatedBytes() - before) / 10;
            assertTrue(perStep < tensorBytes / 10, opt.getClass().getSimpleName() + " allocates " + perStep
                    + " bytes per step; one parameter tensor is " + tensorBytes);
        }
    }
}
