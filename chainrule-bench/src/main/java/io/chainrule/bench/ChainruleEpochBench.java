package io.chainrule.bench;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.Threads;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Split;
import io.chainrule.nn.F;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One training epoch over the 60,000 Fashion-MNIST training images: MLP 784-256-128-10, Adam (lr 1e-3), batch 128,
 * shuffled by a {@link DataLoader}, the loss read every batch (as a training loop that logs it does). Each epoch is
 * one single-shot measurement; the fork's heap is capped at 512 MB, so a finished run shows that the whole program,
 * data set included, trains within that.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xms512m", "-Xmx512m"})
public class ChainruleEpochBench {
    @Param({"1", "2"})
    public int threads;

    Sequential model;
    Adam optimizer;
    DataLoader loader;
    private double lastLoss;

    @Setup
    public void setup() throws IOException {
        Threads.set(threads);
        model = new Sequential(new Flatten(), Workloads.mlp(Workloads.MLP));
        optimizer = new Adam(model.parameters(), 1e-3);
        loader = new DataLoader(FashionMnist.load(Split.TRAIN), 128).shuffle(true).generator(new Generator(0));
    }

    @Benchmark
    public double epoch() {
        return lastLoss = train(Integer.MAX_VALUE);
    }

    /** Prints each epoch's mean loss, so a run shows that it learns. */
    @TearDown(Level.Iteration)
    public void report() {
        System.out.printf("(chainrule epoch mean loss %.4f) ", lastLoss);
    }

    /** Trains on up to {@code maxBatches} batches of a fresh epoch; returns their mean loss. */
    double train(int maxBatches) {
        double sum = 0;
        int n = 0;
        for (Batch b : loader) {
            if (n == maxBatches) break;
            optimizer.zeroGrad();
            Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
            loss.backward();
            optimizer.step();
            sum += loss.item();
            n++;
        }
        return sum / n;
    }
}
