package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.DataSource;
import io.chainrule.data.Idx;

import javax.imageio.ImageIO;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads the inputs of {@code chainrule predict} into a batch shaped for a run's model: an image file (PNG, JPEG,
 * anything ImageIO reads) made gray and resized to the run's input, a CSV of rows, or an IDX file.
 *
 * @param x      the batch, {@code [N, ...inputShape]}, FLOAT32
 * @param labels a name for each row: the file, with {@code #i} for files of several examples
 */
record PredictInputs(Tensor x, List<String> labels) {
    private static final List<String> IMAGE_SUFFIXES = List.of(".png", ".jpg", ".jpeg", ".gif", ".bmp");

    /** Reads {@code file} for the model of {@code ck}; {@code invert} turns dark-on-light images light-on-dark. */
    static PredictInputs read(Path file, Checkpoint ck, boolean invert) throws IOException {
        if (!Files.isRegularFile(file)) throw new CliException("--input " + file + ": no such file");
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (IMAGE_SUFFIXES.stream().anyMatch(n::endsWith)) return image(file, ck, invert);
        if (n.endsWith(".csv") || n.endsWith(".csv.gz") || n.endsWith(".txt")) return csv(file, ck);
        if (n.contains("idx") || n.endsWith("-ubyte") || n.endsWith("-ubyte.gz")) return idx(file, ck, invert);
        throw new CliException("--input " + file + ": expected an image (.png, .jpg), a .csv file or an IDX file "
                + "(a name with 'idx' or ending in -ubyte)");
    }

    /** One image: gray, resized to the run's height × width, scaled to [0, 1] as the training images were. */
    private static PredictInputs image(Path file, Checkpoint ck, boolean invert) throws IOException {
        int[] shape = ck.inputShape();
        if (shape.length != 3 || shape[0] != 1) {
            throw new CliException("--input " + file + " is an image, but the run's model takes inputs of shape "
                    + HumanFormat.shape(shape) + " (" + ck.config().data() + "); give a CSV of rows instead");
        }
        BufferedImage img = ImageIO.read(file.toFile());
        if (img == null) throw new IOException(file + ": not an image ImageIO can read (PNG, JPEG, GIF, BMP)");
        int h = shape[1], w = shape[2];
        BufferedImage gray = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = gray.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(img, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        float[] px = new float[h * w];
        var raster = gray.getRaster();
        for (int r = 0; r < h; r++) {
            for (int c = 0; c < w; c++) {
                float v = raster.getSample(c, r, 0) / 255f;
                px[r * w + c] = invert ? 1 - v : v;
            }
        }
        return new PredictInputs(Tensor.of(px, 1, 1, h, w), List.of(file.toString()));
    }

    /**
     * Rows of numbers, one example each, with the run's feature count; a column named {@code label} (or one column
     * too many, the last, as in training files) is ignored. A CSV-trained run's standardisation is applied.
     */
    private static PredictInputs csv(Path file, Checkpoint ck) throws IOException {
        int features = 1;
        for (int d : ck.inputShape()) features *= d;
        List<float[]> rows = new ArrayList<>();
        int skip = -1;
        try (BufferedReader r = DataSource.open(file)) {
            String line;
            int lineNo = 0;
            boolean first = true;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] cells = line.split(",", -1);
                if (first) {
                    first = false;
                    if (!DataSource.isNumber(cells[0].strip())) { // a header
                        for (int i = 0; i < cells.length; i++) if (cells[i].strip().equalsIgnoreCase("label")) skip = i;
                        if (skip < 0 && cells.length == features + 1) skip = cells.length - 1;
                        continue;
                    }
                    if (cells.length == features + 1) skip = cells.length - 1;
                }
                int expected = features + (skip >= 0 ? 1 : 0);
                if (cells.length != expected) {
                    throw new CliException(file + " line " + lineNo + ": " + cells.length + " columns, but the run's model "
                            + "takes " + features + " features" + (skip >= 0 ? " (and a label column)" : ""));
                }
                float[] row = new float[features];
                int k = 0;
                for (int i = 0; i < cells.length; i++) {
                    if (i == skip) continue;
                    double v;
                    try {
                        v = Double.parseDouble(cells[i].strip());
                    } catch (NumberFormatException e) {
                        throw new CliException(file + " line " + lineNo + ", column " + (i + 1) + ": '" + cells[i].strip()
                                + "' is not a number");
                    }
                    if (ck.mean() != null) v = (v - ck.mean()[k]) / ck.std()[k];
                    row[k++] = (float) v;
                }
                rows.add(row);
            }
        }
        if (rows.isEmpty()) throw new CliException(file + ": no data rows");
        float[] all = new float[rows.size() * features];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, all, i * features, features);
        int[] shape = new int[ck.inputShape().length + 1];
        shape[0] = rows.size();
        System.arraycopy(ck.inputShape(), 0, shape, 1, ck.inputShape().length);
        return new PredictInputs(Tensor.of(all, shape), numbered(file, rows.size()));
    }

    /** An IDX file of images [N, H, W] (bytes, scaled to [0, 1] as in training) or of feature rows [N, F]. */
    private static PredictInputs idx(Path file, Checkpoint ck, boolean invert) throws IOException {
        Tensor t = Idx.read(file);
        int[] s = t.shape();
        int[] want = ck.inputShape();
        Tensor x;
        if (s.length == 3 && want.length == 3 && want[0] == 1 && s[1] == want[1] && s[2] == want[2]) {
            x = t.to(DType.FLOAT32).reshape(s[0], 1, s[1], s[2]).div(255.0);
            if (invert) x = x.neg().add(1.0);
        } else if (s.length == 2 && want.length == 1 && s[1] == want[0]) {
            x = t.to(DType.FLOAT32);
        } else {
            throw new CliException(file + " holds a tensor of shape " + Arrays.toString(s) + "; the run's model takes "
                    + "examples of shape " + HumanFormat.shape(want) + " (an IDX file of [N" + (want.length == 3
                    ? ", " + want[1] + ", " + want[2] : ", " + want[0]) + "])");
        }
        return new PredictInputs(x.contiguous(), numbered(file, s[0]));
    }

    private static List<String> numbered(Path file, int n) {
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) labels.add(file + "#" + i);
        return labels;
    }
}
