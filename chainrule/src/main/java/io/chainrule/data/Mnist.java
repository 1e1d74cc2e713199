package io.chainrule.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * MNIST handwritten digits: 70,000 grayscale 28×28 images of the digits 0..9, 60,000 for training and 10,000 for
 * testing, in the IDX files {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte} (each plain or {@code .gz}).
 *
 * <pre>{@code TensorDataset test = Mnist.load(Path.of("data/mnist"), Split.TEST);   // x [10000, 1, 28, 28]}</pre>
 */
public final class Mnist {
    private static final String INSTALL_HINT = "Put the four MNIST IDX files (train-images-idx3-ubyte.gz, "
            + "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz, as distributed) in the "
            + "directory; for a data set that installs from Debian's archive use Fashion-MNIST "
            + "(`apt-get install dataset-fashion-mnist`, then FashionMnist.load).";

    private Mnist() {}

    /**
     * Loads a split from {@code dir}: x FLOAT32 {@code [N, 1, 28, 28]} scaled to [0, 1], y INT64 {@code [N]}.
     *
     * @throws IOException when the directory or a file is missing or malformed (the message names the file)
     */
    public static TensorDataset load(Path dir, Split split) throws IOException {
        return MnistFiles.load("Mnist", dir, split, INSTALL_HINT);
    }
}
