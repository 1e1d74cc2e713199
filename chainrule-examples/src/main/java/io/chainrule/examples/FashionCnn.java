package io.chainrule.examples;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Split;
import io.chainrule.data.TensorDataset;
import io.chainrule.data.Transforms;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.F;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import io.chainrule.optim.CosineAnnealingLR;

import java.nio.file.Path;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A small convolutional network on Fashion-MNIST: two conv blocks (conv-BN-ReLU-pool) and an MLP head, Adam 1e-3,
 * batch 64, the learning rate annealed over the epochs along a cosine (the last epochs' small steps add about half a
 * point of accuracy). Prints the test accuracy and the time of every epoch.
 *
 * <p>Options: {@code --epochs N} (5), {@code --constant-lr} (no annealing),
 * {@code --augment} (random shifts of up to 2 pixels and horizontal flips),
 * {@code --train-size N} (0 = all 60,000), {@code --lr X} (1e-3), {@code --data DIR}.
 */
public final class FashionCnn {
    private FashionCnn() {}

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int epochs = args.integer("epochs", 5);
        boolean augment = args.flag("augment");
        Path dir = Path.of(args.string("data", FashionMnist.DEFAULT_DIR.toString()));
        TensorDataset train = Mnist.head(FashionMnist.load(dir, Split.TRAIN), args.integer("train-size", 0));
        TensorDataset test = FashionMnist.load(dir, Split.TEST);

        Tensor.manualSeed(0);
        Sequential model = new Sequential(
                new Conv2d(1, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25), new Linear(64 * 7 * 7, 128), new ReLU(), new Dropout(0.25),
                new Linear(128, 10));
        System.out.println(model);
        Adam adam = new Adam(model.parameters(), args.real("lr", 1e-3));
        CosineAnnealingLR schedule = args.flag("constant-lr") ? null : new CosineAnnealingLR(adam, epochs);
        Generator gen = new Generator(1);
        UnaryOperator<Batch> transform = Mnist.NORMALIZE;
        if (augment) {
            UnaryOperator<Batch> shift = Transforms.randomShift(2, gen);
            UnaryOperator<Batch> flip = Transforms.randomHorizontalFlip(0.5, gen);
            transform = b -> Mnist.NORMALIZE.apply(flip.apply(shift.apply(b)));
        }
        DataLoader loader = new DataLoader(train, 64).shuffle(true).generator(new Generator(0)).transform(transform);
        System.out.printf("training on %d images for %d epochs%s%n", train.size(), epochs, augment ? " with augmentation" : "");
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            double lossSum = 0;
            int batches = 0;
            for (Batch b : loader) {
                adam.zeroGrad();
                Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
                loss.backward();
                adam.step();
                lossSum += loss.item();
                batches++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            if (schedule != null) schedule.step();
            double acc = Mnist.accuracy(model, test, Function.identity());
            System.out.printf("epoch %d: train loss %.4f, test accuracy %.4f, %.1f s%n", epoch, lossSum / batches, acc, seconds);
        }
    }
}
