package io.chainrule.data;

import io.chainrule.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The loader MNIST and Fashion-MNIST share: four IDX files with fixed names, 28×28 images, labels 0..9. */
final class MnistFiles {
    private static final int SIDE = 28;
    private static final int CLASSES = 10;

    private MnistFiles() {}

    /**
     * Loads {@code split} from {@code dir}: x FLOAT32 [N, 1, 28, 28] in [0, 1], y INT64 [N].
     *
     * @param name       the data set's name, for messages
     * @param installHint how to get the files, appended to "not found" messages
     */
    static TensorDataset load(String name, Path dir, Split split, String installHint) throws IOException {
        if (dir == null || split == null) {
            throw new IllegalArgumentException(name + ".load: directory and split must not be null (dir " + dir
                    + ", split " + split + ")");
        }
        String prefix = split == Split.TRAIN ? "train" : "t10k";
        if (!Files.isDirectory(dir)) {
            throw new IOException(name + ".load: directory " + dir + " does not exist. " + installHint);
        }
        Path imagesFile = find(name, dir, prefix + "-images-idx3-ubyte", installHint);
        Path labelsFile = find(name, dir, prefix + "-labels-idx1-ubyte", installHint);

        // Pixels are divided by 255 as they are decoded (what torchvision's ToTensor does), so the 60,000 images
        // are converted in one pass with no intermediate tensor.
        Idx.Contents images = Idx.read(imagesFile, 255f);
        Idx.Contents labels = Idx.read(labelsFile, 1f);
        int[] idims = images.header().dims();
        int[] ldims = labels.header().dims();
        if (images.header().type() != Idx.ElementType.UBYTE || idims.length != 3 || idims[1] != SIDE || idims[2] != SIDE) {
            throw new IOException(name + ".load: " + imagesFile + ": expected unsigned-byte images of shape [N, 28, 28], "
                    + "the header at byte offset 0 declares " + images.header().type().label + " " + Arrays.toString(idims));
        }
        if (labels.header().type() != Idx.ElementType.UBYTE || ldims.length != 1) {
            throw new IOException(name + ".load: " + labelsFile + ": expected unsigned-byte labels of shape [N], "
                    + "the header at byte offset 0 declares " + labels.header().type().label + " " + Arrays.toString(ldims));
        }
        if (idims[0] != ldims[0]) {
            throw new IOException(name + ".load: " + imagesFile + " holds " + idims[0] + " images but " + labelsFile
                    + " holds " + ldims[0] + " labels (header at byte offset 4)");
        }
        Tensor y = labels.tensor();
        long[] values = y.toLongArray();
        for (int i = 0; i < values.length; i++) {
            if (values[i] >= CLASSES) {
                throw new IOException(name + ".load: " + labelsFile + ": label " + values[i] + " of example " + i
                        + " is not a class 0..9, at byte offset " + (labels.header().length() + i));
            }
        }
        Tensor x = images.tensor().view(idims[0], 1, SIDE, SIDE);
        return new TensorDataset(x, y);
    }

    /** {@code base} or {@code base.gz} in {@code dir}, whichever exists. */
    private static Path find(String name, Path dir, String base, String installHint) throws IOException {
        Path plain = dir.resolve(base);
        if (Files.isRegularFile(plain)) return plain;
        Path gz = dir.resolve(base + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        throw new IOException(name + ".load: neither " + plain + " nor " + gz + " exists. " + installHint);
    }
}
