package io.chainrule.cli.train;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.cli.CliException;
import io.chainrule.data.Datasets;
import io.chainrule.data.FashionMnist;
import io.chainrule.data.Idx;
import io.chainrule.data.Mnist;
import io.chainrule.data.Split;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/** Loads the data a {@link TrainConfig} names: a synthetic set, Fashion-MNIST, MNIST, a folder of IDX files, a CSV. */
public final class DataSource {
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path FASHION_MNIST_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    /** Where an MNIST package would put them. */
    public static final Path MNIST_DIR = Path.of("/usr/share/datasets/mnist");
    static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot"};

    private DataSource() {}

    /** The names --data accepts besides a path. */
    public static final List<String> NAMED = List.of("spiral", "moons", "xor", "fashion-mnist", "mnist");

    public static boolean isSynthetic(String data) {
        return data.equals("spiral") || data.equals("moons") || data.equals("xor");
    }

    /** Default points per class of a synthetic set (300 in all for each of them). */
    public static int defaultSamples(String data) {
        return data.equals("spiral") ? 100 : 150;
    }

    public static double defaultNoise(String data) {
        return data.equals("spiral") ? 0.2 : 0.1;
    }

    /** Loads the data of {@code c}. Synthetic sets are generated from the run's seed. */
    public static LoadedData load(TrainConfig c) {
        return load(c, null, null);
    }

    /**
     * Like {@link #load(TrainConfig)}; {@code standardize} false leaves a CSV's features as they are (its stored
     * mean 0 and std 1 keep them so for --resume, eval and predict).
     */
    public static LoadedData load(TrainConfig c, boolean standardize) {
        return load(c, null, null, standardize);
    }

    /**
     * Like {@link #load(TrainConfig)}; a CSV is standardised with {@code mean} and {@code std} when given (a
     * checkpoint's), else with its own statistics.
     */
    public static LoadedData load(TrainConfig c, double[] mean, double[] std) {
        return load(c, mean, std, true);
    }

    private static LoadedData load(TrainConfig c, double[] mean, double[] std, boolean standardize) {
        String d = c.data();
        switch (d) {
            case "spiral": {
                Labeled t = Labeled.of(Datasets.spiral(c.samples(), 3, c.noise(), new Generator(c.seed())));
                return new LoadedData("spiral", t, null, null, new int[] {2}, 3, names(3), null, null);
            }
            case "moons": {
                // --samples is per class for every set: moons and xor have two classes.
                Labeled t = Labeled.of(Datasets.moons(2 * c.samples(), c.noise(), new Generator(c.seed())));
                return new LoadedData("moons", t, null, null, new int[] {2}, 2, names(2), null, null);
            }
            case "xor": {
                Labeled t = Labeled.of(Datasets.xor(2 * c.samples(), c.noise(), new Generator(c.seed())));
                return new LoadedData("xor", t, null, null, new int[] {2}, 2, names(2), null, null);
            }
            case "fashion-mnist":
                return images("fashion-mnist", dir("fashion-mnist", FASHION_MNIST_DIR), c.limit(), true);
            case "mnist":
                return images("mnist", dir("mnist", MNIST_DIR), c.limit(), false);
            default:
                if (SparkTable.matches(d)) return SparkTable.load(d, c.limit()); // parquet:PATH, ... read by Spark
                return fromPath(Path.of(d), c.limit(), mean, std, standardize);
        }
    }

    /** The folder of a named image set; the system property chainrule.NAME.dir overrides it (tests, odd installs). */
    private static Path dir(String name, Path standard) {
        String p = System.getProperty("chainrule." + name + ".dir");
        return p == null ? standard : Path.of(p);
    }

    private static LoadedData images(String name, Path dir, int limit, boolean fashion) {
        if (!Files.isDirectory(dir)) {
            throw new CliException(name + " is not installed (no folder " + dir + "): "
                    + (fashion ? "apt-get install dataset-fashion-mnist" : "pass --data PATH to a folder of its IDX files")
                    + (fashion ? " (or --data PATH to a folder of IDX files)" : ""));
        }
        try {
            Labeled train = Labeled.of(fashion ? FashionMnist.load(dir, Split.TRAIN) : Mnist.load(dir, Split.TRAIN));
            Labeled test = Labeled.of(fashion ? FashionMnist.load(dir, Split.TEST) : Mnist.load(dir, Split.TEST));
            return new LoadedData(name, train.head(limit), test, null, new int[] {1, 28, 28}, 10,
                    fashion ? FASHION_CLASSES.clone() : names(10), null, null);
        } catch (IOException e) {
            throw new CliException("cannot read " + name + " from " + dir + ": " + e.getMessage()
                    + (fashion ? " (apt-get install --reinstall dataset-fashion-mnist)" : ""));
        }
    }

    private static LoadedData fromPath(Path p, int limit, double[] mean, double[] std, boolean standardize) {
        if (!Files.exists(p)) {
            throw new CliException("--data " + p + ": no such file or folder (or use one of " + String.join(", ", NAMED) + ")");
        }
        if (Files.isDirectory(p)) return idxFolder(p, limit);
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv") || n.endsWith(".csv.gz") || n.endsWith(".txt")) return csv(p, limit, mean, std, standardize);
        throw new CliException("--data " + p + ": expected a folder of IDX files or a .csv file");
    }

    /** A folder with train-images*, train-labels* and optionally t10k-images*, t10k-labels* (gzipped or not). */
    static LoadedData idxFolder(Path dir, int limit) {
        Path trainImages = find(dir, "train-images");
        Path trainLabels = find(dir, "train-labels");
        if (trainImages == null || trainLabels == null) {
            throw new CliException("--data " + dir + ": expected IDX files named train-images-* and train-labels-* "
                    + "(and t10k-images-*, t10k-labels-* for a test set)");
        }
        try {
            Labeled train = idxPair(trainImages, trainLabels);
            Path ti = find(dir, "t10k-images");
            Path tl = find(dir, "t10k-labels");
            Labeled test = ti != null && tl != null ? idxPair(ti, tl) : null;
            int[] s = train.x().shape();
            int classes = (int) Math.max(max(train.y()), test == null ? 0 : max(test.y())) + 1;
            // classes.txt may name classes that no label in these files uses: the model gets an output for each.
            String[] names = classNames(dir, classes);
            return new LoadedData(dir.getFileName().toString(), train.head(limit), test, null,
                    new int[] {s[1], s[2], s[3]}, names.length, names, null, null);
        } catch (IOException e) {
            throw new CliException("cannot read IDX data in " + dir + ": " + e.getMessage());
        }
    }

    /** The file in an IDX folder that names its classes, one per line, class 0 first. */
    public static final String CLASS_NAMES_FILE = "classes.txt";

    /**
     * The class names of an IDX folder: the lines of its {@value #CLASS_NAMES_FILE} when it has one (stored in the
     * checkpoint, so eval and predict show them), else the class numbers.
     */
    static String[] classNames(Path dir, int classes) throws IOException {
        Path f = dir.resolve(CLASS_NAMES_FILE);
        if (!Files.isRegularFile(f)) return names(classes);
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8).stream().map(String::strip)
                .filter(l -> !l.isEmpty()).toList();
        if (lines.size() < classes) {
            throw new CliException(f + " names " + lines.size() + " classes, but the labels go up to " + (classes - 1)
                    + " (" + classes + " classes): one name per line, class 0 first");
        }
        for (String l : lines) {
            if (l.contains("|")) throw new CliException(f + ": a class name may not contain '|': " + l);
        }
        return lines.toArray(new String[0]);
    }

    private static Labeled idxPair(Path images, Path labels) throws IOException {
        Tensor x = Idx.read(images);
        Tensor y = Idx.read(labels);
        if (x.dim() != 3 || y.dim() != 1) {
            throw new CliException("IDX files " + images.getFileName() + " / " + labels.getFileName()
                    + ": expected images [N, H, W] and labels [N], got " + java.util.Arrays.toString(x.shape()) + " and "
                    + java.util.Arrays.toString(y.shape()));
        }
        if (x.shape()[0] != y.shape()[0]) {
            throw new CliException(images.getFileName() + " has " + x.shape()[0] + " images but "
                    + labels.getFileName() + " has " + y.shape()[0] + " labels");
        }
        if (min(y) < 0) throw new CliException(labels.getFileName() + ": negative class label " + min(y));
        checkLabel(labels, max(y));
        int[] s = x.shape();
        Tensor xs = x.to(DType.FLOAT32).reshape(s[0], 1, s[1], s[2]).div(255.0);
        return new Labeled(xs, y.to(DType.INT64));
    }

    private static Path find(Path dir, String prefix) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && Files.isRegularFile(f))
                    .sorted().findFirst().orElse(null);
        } catch (IOException e) {
            throw new CliException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    /**
     * A CSV of numbers: one example per line, the class label (an integer from 0) in the column named
     * {@code label} (or the last column when the first line is not a header). Features are standardised.
     */
    static LoadedData csv(Path file, int limit, double[] givenMean, double[] givenStd) {
        return csv(file, limit, givenMean, givenStd, true);
    }

    /** A CSV as above; with {@code standardize} false (and no given statistics) the features stay as they are. */
    static LoadedData csv(Path file, int limit, double[] givenMean, double[] givenStd, boolean standardize) {
        List<double[]> rows = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        int labelCol = -1;
        int cols = -1;
        try (BufferedReader r = open(file)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) continue;
                String[] cells = line.split(",", -1);
                if (cols < 0) {
                    cols = cells.length;
                    if (cols < 2) throw new CliException(file + " line 1: need at least one feature and a label column, got " + cols + " column");
                    if (!isNumber(cells[0].strip()) || !isNumber(cells[cols - 1].strip())) { // a header
                        for (int i = 0; i < cols; i++) if (cells[i].strip().equalsIgnoreCase("label")) labelCol = i;
                        if (labelCol < 0) labelCol = cols - 1;
                        continue;
                    }
                    labelCol = cols - 1;
                }
                if (cells.length != cols) {
                    throw new CliException(file + " line " + lineNo + ": " + cells.length + " columns, expected " + cols);
                }
                double[] f = new double[cols - 1];
                int k = 0;
                for (int i = 0; i < cols; i++) {
                    String cell = cells[i].strip();
                    double v;
                    try {
                        v = Double.parseDouble(cell);
                    } catch (NumberFormatException e) {
                        throw new CliException(file + " line " + lineNo + ", column " + (i + 1) + ": '" + cell + "' is not a number");
                    }
                    if (i == labelCol) {
                        if (v != Math.rint(v) || v < 0) {
                            throw new CliException(file + " line " + lineNo + ": the label " + cell + " is not a class number 0, 1, 2, ...");
                        }
                        labels.add((long) v);
                    } else {
                        if (!Double.isFinite(v)) throw new CliException(file + " line " + lineNo + ", column " + (i + 1) + ": " + cell + " is not finite");
                        f[k++] = v;
                    }
                }
                rows.add(f);
                if (limit > 0 && rows.size() >= limit) break;
            }
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        if (rows.isEmpty()) throw new CliException(file + ": no data rows");
        int n = rows.size();
        int f = cols - 1;
        double[] mean = givenMean;
        double[] std = givenStd;
        if (mean != null && (mean.length != f || std == null || std.length != f)) {
            throw new CliException(file + " has " + f + " feature columns but the checkpoint was trained on " + mean.length);
        }
        if (mean == null && !standardize) { // the identity, stored like any standardisation
            mean = new double[f];
            std = new double[f];
            java.util.Arrays.fill(std, 1.0);
        }
        if (mean == null) {
            mean = new double[f];
            std = new double[f];
            for (double[] row : rows) for (int j = 0; j < f; j++) mean[j] += row[j] / n;
            for (double[] row : rows) for (int j = 0; j < f; j++) std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
            for (int j = 0; j < f; j++) std[j] = std[j] > 0 ? Math.sqrt(std[j]) : 1;
        }
        float[] xs = new float[n * f];
        long[] ys = new long[n];
        long maxLabel = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) xs[i * f + j] = (float) ((rows.get(i)[j] - mean[j]) / std[j]);
            ys[i] = labels.get(i);
            maxLabel = Math.max(maxLabel, ys[i]);
        }
        if (maxLabel < 1) throw new CliException(file + ": every label is 0; need at least two classes");
        checkLabel(file, maxLabel);
        int classes = (int) maxLabel + 1;
        Labeled train = new Labeled(Tensor.of(xs, n, f), Tensor.of(ys, n));
        return new LoadedData(file.getFileName().toString(), train, null, null, new int[] {f}, classes, names(classes), mean, std);
    }

    /** The largest class label a data file may hold: the model gets one output per class up to it. */
    static final long MAX_LABEL = 10_000;

    /** One rule for labels in CSV and IDX files: a class number of at most {@link #MAX_LABEL}. */
    private static void checkLabel(Path file, long label) {
        if (label > MAX_LABEL) {
            throw new CliException(file + ": label " + label + " is too large for a class number (at most " + MAX_LABEL + ")");
        }
    }

    /** Parses a comma-separated list of numbers (a stored standardisation); null for none. */
    static double[] parseDoubles(String s) {
        if (s == null || s.isBlank()) return null;
        String[] parts = s.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < v.length; i++) v[i] = Double.parseDouble(parts[i]);
        return v;
    }

    /** A text file for reading, gunzipped when its name ends in .gz (CSV data, and predict's CSV inputs). */
    public static BufferedReader open(Path file) throws IOException {
        var in = Files.newInputStream(file);
        if (file.getFileName().toString().endsWith(".gz")) in = new java.util.zip.GZIPInputStream(in);
        return new BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** True when {@code s} parses as a number (a CSV cell that is no header). */
    public static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static long max(Tensor y) {
        long m = Long.MIN_VALUE;
        for (long v : y.toLongArray()) m = Math.max(m, v);
        return m;
    }

    private static long min(Tensor y) {
        long m = Long.MAX_VALUE;
        for (long v : y.toLongArray()) m = Math.min(m, v);
        return m;
    }

    static String[] names(int classes) {
        String[] n = new String[classes];
        for (int i = 0; i < classes; i++) n[i] = Integer.toString(i);
        return n;
    }
}
