package io.chainrule.nn;

import io.chainrule.Tensor;
import io.chainrule.Threads;

/**
 * Prints LSTM forward and forward+backward times for batch 64, hidden 128, seq 28, input 28 (a row-by-row MNIST
 * model). Not a test: run by hand after {@code mvn -pl chainrule test-compile}:
 * <pre>java --add-modules jdk.incubator.vector -cp chainrule/target/classes:chainrule/target/test-classes io.chainrule.nn.LstmBenchmark [iterations] [threads]</pre>
 * Prints the mean and the best of the timed iterations (the best is the steadier figure on a shared machine).
 */
public final class LstmBenchmark {
    private LstmBenchmark() {}

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        if (args.length > 1) Threads.set(Integer.parseInt(args[1]));
        Tensor.manualSeed(0);
        LSTM lstm = new LSTM(28, 128, 1, true);
        Tensor x = Tensor.randn(64, 28, 28);
        for (int i = 0; i < 5; i++) step(lstm, x); // warm-up (JIT)
        long forward = 0, total = 0, bestForward = Long.MAX_VALUE, bestTotal = Long.MAX_VALUE;
        for (int i = 0; i < iterations; i++) {
            long t0 = System.nanoTime();
            RecurrentOutput out = lstm.forward(x, null);
            Tensor loss = out.h().square().sum();
            long t1 = System.nanoTime();
            lstm.zeroGrad();
            loss.backward();
            long t2 = System.nanoTime();
            forward += t1 - t0;
            total += t2 - t0;
            bestForward = Math.min(bestForward, t1 - t0);
            bestTotal = Math.min(bestTotal, t2 - t0);
        }
        System.out.printf("LSTM(28, 128, batch_first) batch 64, seq 28, %d threads: forward %.1f ms (best %.1f), "
                        + "forward+backward %.1f ms (best %.1f), mean of %d%n", Threads.get(), forward / 1e6 / iterations,
                bestForward / 1e6, total / 1e6 / iterations, bestTotal / 1e6, iterations);
    }

    private static void step(LSTM lstm, Tensor x) {
        lstm.zeroGrad();
        lstm.forward(x, null).h().square().sum().backward();
    }
}
