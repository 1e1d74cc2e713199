package io.chainrule;

import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Graphs are garbage: a long training-like loop keeps a flat heap. */
class MemoryTest {

    @Test
    void tenThousandTrainingStepsKeepAFlatHeap() {
        Generator gen = new Generator(0);
        Tensor x = Tensor.randn(gen, 16, 8);
        Tensor y = x.narrow(1, 0, 1).mul(2.0).sub(x.narrow(1, 1, 1)).tanh(); // a learnable target
        Tensor w1 = Tensor.randn(gen, 8, 32).mul(0.3).requiresGrad(true);
        Tensor b1 = Tensor.zeros(32).requiresGrad(true);
        Tensor w2 = Tensor.randn(gen, 32, 1).mul(0.3).requiresGrad(true);
        Tensor b2 = Tensor.zeros(1).requiresGrad(true);
        List<Tensor> params = List.of(w1, b1, w2, b2);

        double firstLoss = Double.NaN, lastLoss = Double.NaN;
        long usedAfter1000 = 0, usedAfter10000 = 0;
        for (int step = 1; step <= 10_000; step++) {
            Tensor loss = x.matmul(w1).add(b1).relu().matmul(w2).add(b2).sub(y).square().mean();
            loss.backward();
            try (var g = Autograd.noGrad()) {
                for (Tensor p : params) p.subi(p.grad().mul(0.05));
            }
            for (Tensor p : params) p.zeroGrad();
            if (step == 1) firstLoss = loss.item();
            if (step == 10_000) lastLoss = loss.item();
            if (step == 1_000) usedAfter1000 = usedHeap();
        }
        usedAfter10000 = usedHeap();
        long growth = usedAfter10000 - usedAfter1000;
        assertTrue(growth < 4L << 20, "heap grew by " + growth / 1024 + " KiB between step 1,000 and 10,000");
        assertTrue(lastLoss < 0.1 * firstLoss, "training must work too: loss " + firstLoss + " -> " + lastLoss);
    }

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
