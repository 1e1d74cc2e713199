package io.chainrule;

import io.chainrule.autograd.Autograd;

/**
 * Per-op overhead, run by hand (not a test):
 * {@code java --add-modules jdk.incubator.vector -cp chainrule/target/classes:chainrule/target/test-classes io.chainrule.OverheadBenchmark}.
 * Prints the cost of a 1×1 add with autograd recording and of a 16-16-10 MLP SGD step at batch 1 (best of 5 rounds).
 */
public final class OverheadBenchmark {
    private OverheadBenchmark() {}

    public static void main(String[] args) {
        Tensor x = Tensor.randn(1, 1).requiresGrad(true);
        Tensor y = Tensor.randn(1, 1);
        double bestAdd = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            int n = 2_000_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) x.add(y);
            bestAdd = Math.min(bestAdd, (System.nanoTime() - t0) / (double) n);
        }
        System.out.printf("1x1 add with grad recording: %.0f ns/op%n", bestAdd);

        Tensor w1 = Tensor.randn(16, 16).mul(0.1).requiresGrad(true), b1 = Tensor.zeros(16).requiresGrad(true);
        Tensor w2 = Tensor.randn(10, 16).mul(0.1).requiresGrad(true), b2 = Tensor.zeros(10).requiresGrad(true);
        Tensor[] params = {w1, b1, w2, b2};
        Tensor in = Tensor.randn(1, 16);
        Tensor target = Tensor.of(new long[] {3}, 1, 1);
        double bestStep = Double.MAX_VALUE;
        for (int r = 0; r < 5; r++) {
            int n = 100_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                Tensor h = in.matmul(w1.t()).add(b1).relu();
                Tensor logits = h.matmul(w2.t()).add(b2);
                logits.logSoftmax(1).gather(1, target).neg().mean().backward();
                try (var g = Autograd.noGrad()) {
                    for (Tensor p : params) {
                        p.subi(p.grad().mul(0.01));
                        p.zeroGrad();
                    }
                }
            }
            bestStep = Math.min(bestStep, (System.nanoTime() - t0) / 1e3 / n);
        }
        System.out.printf("16-16-10 batch-1 SGD step: %.2f us%n", bestStep);
    }
}
