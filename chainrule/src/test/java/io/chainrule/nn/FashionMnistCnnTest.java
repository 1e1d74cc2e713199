package io.chainrule.nn;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Split;
import io.chainrule.data.TensorDataset;
import io.chainrule.data.Transforms;
import io.chainrule.optim.Adam;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 6's convolution acceptance run: two conv blocks and a linear classifier (Adam 1e-3, batch 64) trained for one
 * epoch on the first {@value #TRAIN_SIZE} training images (normalized) reach at least 85% accuracy on the first
 * {@value #TEST_SIZE} test images. The subset keeps the run short on two cores; under CI (CI=true) a missing dataset
 * is a failure, not a skip.
 */
class FashionMnistCnnTest {
    private static final int TRAIN_SIZE = 30_000;
    private static final int TEST_SIZE = 2_000;
    /** Fashion-MNIST's training-set pixel mean and standard deviation. */
    private static final UnaryOperator<Batch> NORMALIZE = Transforms.normalize(0.2860, 0.3530);

    @Test
    void oneEpochOnASubsetReaches85Percent() throws Exception {
        Path dir = FashionMnist.DEFAULT_DIR;
        boolean present = Files.isDirectory(dir);
        if (System.getenv("CI") != null) {
            assertTrue(present, "Fashion-MNIST is missing at " + dir + ": apt-get install dataset-fashion-mnist");
        }
        assumeTrue(present, "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        TensorDataset train = subset(FashionMnist.load(dir, Split.TRAIN), TRAIN_SIZE);
        TensorDataset test = subset(FashionMnist.load(dir, Split.TEST), TEST_SIZE);

        Tensor.manualSeed(0);
        Sequential model = new Sequential(
                new Conv2d(1, 16, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Conv2d(16, 32, 3, 1, 1), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(32 * 7 * 7, 10));
        Adam adam = new Adam(model.parameters(), 1e-3);
        DataLoader loader = new DataLoader(train, 64).shuffle(true).generator(new Generator(0)).transform(NORMALIZE);
        for (Batch b : loader) {
            adam.zeroGrad();
            F.crossEntropy(model.forward(b.x()), b.y()).backward();
            adam.step();
        }
        model.eval();
        long correct = 0;
        try (var g = Autograd.noGrad()) {
            for (Batch b : new DataLoader(test, 500).transform(NORMALIZE)) {
                correct += (long) model.forward(b.x()).argmax(1, false).eq(b.y()).sum().item();
            }
        }
        double accuracy = correct / (double) test.size();
        System.out.printf("Fashion-MNIST CNN, 1 epoch on %d images: accuracy %.4f on %d test images%n",
                TRAIN_SIZE, accuracy, TEST_SIZE);
        assertTrue(accuracy >= 0.85, "test accuracy " + accuracy + " < 0.85");
    }

    private static TensorDataset subset(TensorDataset d, int n) {
        return new TensorDataset(d.x().narrow(0, 0, n).contiguous(), d.y().narrow(0, 0, n).contiguous());
    }
}
