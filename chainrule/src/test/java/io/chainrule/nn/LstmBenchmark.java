package io.chainrule.nn;

import io.chainrule.Tensor;

/**
 * Prints LSTM forward and forward+backward times for batch 64, hidden 128, seq 28, input 28 (a row-by-row MNIST
 * model). Not a test: run by hand after {@code mvn -pl chainrule test-compile}:
 * <pre>java -cp chainrule/target/classes:chainrule/target/test-classes io.chainrule.nn.LstmBenchmark [iterations]</pre>
 */
public final class LstmBenchmark {
    private LstmBenchmark() {}

    public static void main(String[] args) {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Tensor.manualSeed(0);
        LSTM lstm = new LSTM(28, 128, 1, true);
        Tensor x = Tensor.randn(64, 28, 28);
        for (int i = 0; i < 5; i++) step(lstm, x); // warm-up (JIT)
        long forward = 0, total = 0;
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
        }
        System.out.printf("LSTM(28, 128, batch_first) batch 64, seq 28: forward %.1f ms, forward+backward %.1f ms (mean of %d, %d threads)%n",
                forward / 1e6 / iterations, total / 1e6 / iterations, iterations, Runtime.getRuntime().availableProcessors());
    }

    private static void step(LSTM lstm, Tensor x) {
        lstm.zeroGrad();
        lstm.forward(x, null).h().square().sum().backward();
    }
}
