package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.cli.CliException;
import io.chainrule.io.AtomicFiles;
import io.chainrule.io.Safetensors;
import io.chainrule.nn.Module;
import io.chainrule.optim.Optimizer;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.CRC32;

/**
 * A training checkpoint in a run folder: {@code model.safetensors}, {@code optimizer.safetensors} and
 * {@code checkpoint.properties} (the run's configuration, the data's shape, how far training got, and a CRC of
 * each tensor file so that a half-written set is caught). Each file is written atomically, the properties last.
 *
 * @param epoch epochs completed
 * @param batch batches completed in the epoch after those (non-zero only after an interrupt)
 * @param step  optimizer steps taken in all
 * @param partial the metrics so far of the epoch that was stopped part way
 */
public record Checkpoint(Path dir, TrainConfig config, int[] inputShape, int classes, String[] classNames,
                         double[] mean, double[] std, int epoch, int batch, long step, Partial partial) {
    /** The running loss sum, correct count and examples seen of an epoch stopped part way (zeros otherwise). */
    public record Partial(double lossSum, long correct, long seen) {
        public static final Partial NONE = new Partial(0, 0, 0);
    }

    public static final String MODEL = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String PROPERTIES = "checkpoint.properties";
    static final String FORMAT = "chainrule-checkpoint-1";

    /** Writes model, optimizer state and the properties into {@code dir}. */
    public static void save(Path dir, Module model, Optimizer optimizer, TrainConfig config, LoadedData data, int epoch,
                            int batch, long step, Partial partial) throws IOException {
        long modelCrc = writeTensors(dir.resolve(MODEL), model.stateDict());
        long optCrc = writeTensors(dir.resolve(OPTIMIZER), optimizer.stateDict());
        Properties p = new Properties();
        p.setProperty("format", FORMAT);
        config.store(p);
        p.setProperty("data.input_shape", join(data.inputShape()));
        p.setProperty("data.classes", Integer.toString(data.classes()));
        p.setProperty("data.class_names", String.join("|", data.classNames()));
        if (data.mean() != null) {
            p.setProperty("data.mean", joinD(data.mean()));
            p.setProperty("data.std", joinD(data.std()));
        }
        p.setProperty("progress.epoch", Integer.toString(epoch));
        p.setProperty("progress.batch", Integer.toString(batch));
        p.setProperty("progress.step", Long.toString(step));
        p.setProperty("progress.loss_sum", Double.toString(partial.lossSum()));
        p.setProperty("progress.correct", Long.toString(partial.correct()));
        p.setProperty("progress.seen", Long.toString(partial.seen()));
        p.setProperty("crc.model", Long.toString(modelCrc));
        p.setProperty("crc.optimizer", Long.toString(optCrc));
        AtomicFiles.writeString(dir.resolve(PROPERTIES), sorted(p));
    }

    private static long writeTensors(Path file, Map<String, Tensor> tensors) throws IOException {
        Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "." + file.getFileName(), ".tmp");
        try {
            Safetensors.save(tensors, tmp);
            long crc = crc(tmp);
            AtomicFiles.move(tmp, file);
            return crc;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads the checkpoint at {@code where}: a run folder, or one of its three files.
     *
     * @throws CliException when it is missing, not a chainrule checkpoint, or its files do not belong together
     */
    public static Checkpoint read(Path where) {
        Path dir = Files.isDirectory(where) ? where : where.toAbsolutePath().getParent();
        if (!Files.exists(where)) throw new CliException("checkpoint " + where + " does not exist");
        Path props = dir.resolve(PROPERTIES);
        if (!Files.isRegularFile(props)) {
            throw new CliException("checkpoint " + where + ": no " + PROPERTIES + " in " + dir
                    + " (give the run folder that 'chainrule train' wrote)");
        }
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(props, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new CliException("cannot read " + props + ": " + e.getMessage());
        }
        String where0 = props.toString();
        if (!FORMAT.equals(p.getProperty("format"))) {
            throw new CliException(where0 + " is not a chainrule checkpoint (format '" + p.getProperty("format") + "')");
        }
        TrainConfig config = TrainConfig.load(p, where0);
        try {
            int[] shape = Arrays.stream(p.getProperty("data.input_shape", "").split(",")).mapToInt(s -> Integer.parseInt(s.strip())).toArray();
            int classes = Integer.parseInt(p.getProperty("data.classes"));
            String[] names = p.getProperty("data.class_names", "").split("\\|", -1);
            if (names.length != classes) names = DataSource.names(classes);
            double[] mean = DataSource.parseDoubles(p.getProperty("data.mean"));
            double[] std = DataSource.parseDoubles(p.getProperty("data.std"));
            int epoch = Integer.parseInt(p.getProperty("progress.epoch"));
            int batch = Integer.parseInt(p.getProperty("progress.batch"));
            long step = Long.parseLong(p.getProperty("progress.step"));
            Partial partial = new Partial(Double.parseDouble(p.getProperty("progress.loss_sum", "0")),
                    Long.parseLong(p.getProperty("progress.correct", "0")), Long.parseLong(p.getProperty("progress.seen", "0")));
            Checkpoint c = new Checkpoint(dir, config, shape, classes, names, mean, std, epoch, batch, step, partial);
            c.verify(p);
            return c;
        } catch (NumberFormatException | NullPointerException e) {
            throw new CliException(where0 + " is damaged: a number is missing or malformed (" + e.getMessage() + ")");
        }
    }

    private void verify(Properties p) {
        check(dir.resolve(MODEL), p.getProperty("crc.model"));
        check(dir.resolve(OPTIMIZER), p.getProperty("crc.optimizer"));
    }

    private static void check(Path file, String expected) {
        if (!Files.isRegularFile(file)) throw new CliException("checkpoint is incomplete: " + file + " is missing");
        try {
            if (expected == null || crc(file) != Long.parseLong(expected)) {
                throw new CliException(file + " does not belong to " + file.resolveSibling(PROPERTIES)
                        + " (its checksum differs: copied from another run, or changed since)");
            }
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Loads the model parameters into {@code model} (strict: keys and shapes must match). */
    public void loadModel(Module model) {
        Path f = dir.resolve(MODEL);
        try {
            model.loadStateDict(Safetensors.load(f));
        } catch (IOException e) {
            throw new CliException("cannot read " + f + ": " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliException(f + " does not fit the model " + config.model() + " [" + config.hiddenString()
                    + "] described in " + PROPERTIES + ": " + e.getMessage());
        }
    }

    /** Loads the optimizer state into {@code optimizer}. */
    public void loadOptimizer(Optimizer optimizer) {
        Path f = dir.resolve(OPTIMIZER);
        try {
            optimizer.loadStateDict(Safetensors.load(f));
        } catch (IOException e) {
            throw new CliException("cannot read " + f + ": " + e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliException(f + " does not fit the " + config.optimizer() + " optimizer: " + e.getMessage());
        }
    }

    private static long crc(Path file) throws IOException {
        CRC32 c = new CRC32();
        c.update(Files.readAllBytes(file));
        return c.getValue();
    }

    private static String sorted(Properties p) throws IOException {
        // Properties.store writes a date and a random order; this keeps the file stable and readable.
        StringBuilder sb = new StringBuilder("# chainrule training checkpoint (see model.safetensors, optimizer.safetensors)\n");
        Map<String, String> m = new TreeMap<>();
        for (String k : p.stringPropertyNames()) m.put(k, p.getProperty(k));
        for (Map.Entry<String, String> e : m.entrySet()) {
            Properties one = new Properties();
            one.setProperty(e.getKey(), e.getValue());
            StringWriter w = new StringWriter();
            one.store(w, null);
            for (String line : w.toString().split("\\R")) if (!line.startsWith("#")) sb.append(line).append('\n');
        }
        return sb.toString();
    }

    private static String join(int[] v) {
        return Arrays.stream(v).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String joinD(double[] v) {
        return Arrays.stream(v).mapToObj(Double::toString).collect(Collectors.joining(","));
    }
}
