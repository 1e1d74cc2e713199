package io.chainrule.nn;

import io.chainrule.Tensor;
import io.chainrule.Threads;

import java.util.Arrays;

/**
 * Times conv2d forward + backward on an MNIST-sized batch: [64, 1, 28, 28] → Conv2d(1, 32, 3, padding 1) → ReLU →
 * Conv2d(32, 64, 3) → sum → backward. A program, not a test (no timed assertions):
 * {@code java -cp chainrule/target/classes:chainrule/target/test-classes io.chainrule.nn.ConvBenchmark [iterations [threads]]}.
 */
public final class ConvBenchmark {
    private ConvBenchmark() {}

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        if (args.length > 1) Threads.set(Integer.parseInt(args[1]));
        Tensor.manualSeed(0);
        Conv2d c1 = new Conv2d(1, 32, 3, 1, 1), c2 = new Conv2d(32, 64, 3);
        Tensor x = Tensor.randn(64, 1, 28, 28);
        double[] fwd = new double[iterations], total = new double[iterations];
        for (int i = -3; i < iterations; i++) { // three warm-up rounds for the JIT
            c1.zeroGrad();
            c2.zeroGrad();
            long t0 = System.nanoTime();
            Tensor y = c2.forward(c1.forward(x).relu());
            long t1 = System.nanoTime();
            y.sum().backward();
            long t2 = System.nanoTime();
            if (i >= 0) {
                fwd[i] = (t1 - t0) / 1e6;
                total[i] = (t2 - t0) / 1e6;
            }
        }
        Arrays.sort(fwd);
        Arrays.sort(total);
        System.out.printf("conv2d 64x1x28x28 -> 32@3x3 (pad 1) -> relu -> 64@3x3: forward %.0f ms, forward+backward %.0f ms "
                + "(median of %d; min %.0f ms; %d threads)%n", fwd[iterations / 2], total[iterations / 2], iterations, total[0],
                Threads.get());
    }
}
