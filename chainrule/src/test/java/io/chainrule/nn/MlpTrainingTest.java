package io.chainrule.nn;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** An MLP 2-64-3 built from Linear, ReLU and crossEntropy learns three Gaussian blobs with plain full-batch SGD. */
class MlpTrainingTest {
    @Test
    void learnsThreeBlobs() {
        Generator g = new Generator(2024);
        double[][] centers = {{0, 2.5}, {-2.5, -1.5}, {2.5, -1.5}};
        int perClass = 60, n = 3 * perClass;
        float[] xs = new float[n * 2];
        long[] ys = new long[n];
        for (int i = 0; i < n; i++) {
            int c = i % 3;
            ys[i] = c;
            xs[2 * i] = (float) (centers[c][0] + 0.8 * g.nextGaussian());
            xs[2 * i + 1] = (float) (centers[c][1] + 0.8 * g.nextGaussian());
        }
        Tensor x = Tensor.of(xs, n, 2), y = Tensor.of(ys);

        Sequential model = new Sequential(new Linear(2, 64, true, g), new ReLU(), new Linear(64, 3, true, g));
        double firstLoss = Double.NaN, loss = Double.NaN;
        for (int step = 0; step < 300; step++) {
            model.zeroGrad();
            Tensor l = F.crossEntropy(model.forward(x), y);
            l.backward();
            loss = l.item();
            if (step == 0) firstLoss = loss;
            try (var ng = Autograd.noGrad()) {
                for (Tensor p : model.parameters()) p.subi(p.grad().mul(0.1));
            }
        }
        long[] predicted = model.forward(x).argmax(1, false).toLongArray();
        int correct = 0;
        for (int i = 0; i < n; i++) if (predicted[i] == ys[i]) correct++;
        double accuracy = correct / (double) n;
        assertTrue(accuracy > 0.95, "train accuracy " + accuracy + " (loss " + firstLoss + " -> " + loss + ")");
        assertTrue(loss < 0.5 * firstLoss, "loss " + firstLoss + " -> " + loss);
    }
}
