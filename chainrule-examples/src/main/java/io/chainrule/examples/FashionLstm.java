package io.chainrule.examples;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.data.Batch;
import io.chainrule.data.DataLoader;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Split;
import io.chainrule.data.TensorDataset;
import io.chainrule.nn.F;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.RecurrentOutput;
import io.chainrule.nn.Utils;
import io.chainrule.optim.Adam;

import java.nio.file.Path;

/**
 * An LSTM that reads each Fashion-MNIST image row by row (28 steps of 28 pixels, hidden 128) and classifies it from
 * its last hidden state with a Linear(128, 10). Adam 1e-3, batch 128, gradient norm clipped at 1.
 *
 * <p>Options: {@code --epochs N} (3), {@code --train-size N} (0 = all), {@code --hidden N} (128), {@code --data DIR}.
 */
public final class FashionLstm {
    private FashionLstm() {}

    /** The recurrent classifier: x {@code [N, 1, 28, 28]} → logits {@code [N, 10]}. */
    static final class RowLstm extends Module {
        private final LSTM lstm;
        private final Linear head;

        RowLstm(int hidden) {
            lstm = register("lstm", new LSTM(28, hidden, 1, true));
            head = register("head", new Linear(hidden, 10));
        }

        @Override
        public Tensor forward(Tensor x) {
            RecurrentOutput out = lstm.forward(x.reshape(-1, 28, 28), null); // rows are the time steps
            return head.forward(out.h().select(0, 0));                        // last layer's final h: [N, hidden]
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv);
        int epochs = args.integer("epochs", 3);
        Path dir = Path.of(args.string("data", FashionMnist.DEFAULT_DIR.toString()));
        TensorDataset train = Mnist.head(FashionMnist.load(dir, Split.TRAIN), args.integer("train-size", 0));
        TensorDataset test = FashionMnist.load(dir, Split.TEST);

        Tensor.manualSeed(0);
        RowLstm model = new RowLstm(args.integer("hidden", 128));
        Adam adam = new Adam(model.parameters(), args.real("lr", 1e-3));
        DataLoader loader = new DataLoader(train, 128).shuffle(true).generator(new Generator(0)).transform(Mnist.NORMALIZE);
        System.out.printf("training on %d images for %d epochs%n", train.size(), epochs);
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            double lossSum = 0;
            int batches = 0;
            for (Batch b : loader) {
                adam.zeroGrad();
                Tensor loss = F.crossEntropy(model.forward(b.x()), b.y());
                loss.backward();
                Utils.clipGradNorm(model.parameters(), 1.0);
                adam.step();
                lossSum += loss.item();
                if (++batches % 100 == 0) System.out.printf("  batch %d: loss %.4f%n", batches, lossSum / batches);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double acc = Mnist.accuracy(model, test, x -> x);
            System.out.printf("epoch %d: train loss %.4f, test accuracy %.4f, %.1f s%n", epoch, lossSum / batches, acc, seconds);
        }
    }
}
