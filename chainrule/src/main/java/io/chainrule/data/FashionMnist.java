package io.chainrule.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 70,000 grayscale 28×28 images of clothing in 10 classes, 60,000 for training and
 * 10,000 for testing, in the IDX files {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte} (each plain or {@code .gz}).
 *
 * <pre>{@code TensorDataset train = FashionMnist.load(Split.TRAIN);   // x [60000, 1, 28, 28] in [0, 1], y [60000]}</pre>
 *
 * <p>Class indices: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag,
 * 9 ankle boot ({@link #CLASSES}).
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover",
            "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final String INSTALL_HINT = "On Debian or Ubuntu install the files with "
            + "`apt-get install dataset-fashion-mnist` (they go to " + DEFAULT_DIR + "), or put the four Fashion-MNIST "
            + "IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
            + "t10k-labels-idx1-ubyte.gz) in the directory.";

    private FashionMnist() {}

    /**
     * Loads a split from {@code dir}: x FLOAT32 {@code [N, 1, 28, 28]} scaled to [0, 1], y INT64 {@code [N]}.
     *
     * @throws IOException when the directory or a file is missing (the message says how to install them) or malformed
     */
    public static TensorDataset load(Path dir, Split split) throws IOException {
        return MnistFiles.load("FashionMnist", dir, split, INSTALL_HINT);
    }

    /** Loads a split from {@link #DEFAULT_DIR}. */
    public static TensorDataset load(Split split) throws IOException {
        return load(DEFAULT_DIR, split);
    }
}
