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
 * A training checkpoint in a run folder, replaced as one unit. Each save writes {@code model.safetensors} and
 * {@code optimizer.safetensors} into a new folder {@code checkpoints/step-NNNNNNNNN/}, forces them to disk, then
 * replaces {@code checkpoint.properties} in one atomic rename: it holds the run's configuration, the data's shape,
 * how far training got, a CRC of each tensor file, and the name of that folder. Only then is
 * {@code model.safetensors} in the run folder re-linked to the new model (for other tools) and the previous
 * checkpoint's folder deleted. A kill at any instant therefore leaves either the previous complete checkpoint or the
 * new one in force; what else it leaves, {@link RunFolder#removeLeftovers} clears on the next run.
 *
 * <p>Runs written before checkpoint folders existed (format {@code chainrule-checkpoint-1}: the three files side
 * by side in the run folder) are still read, and the next save moves them to the new layout.
 *
 * @param dir   the run folder
 * @param files the folder that holds this checkpoint's tensor files ({@code dir} itself in the first layout)
 * @param epoch epochs completed
 * @param batch batches completed in the epoch after those (non-zero only after an interrupt)
 * @param step  optimizer steps taken in all
 * @param partial the metrics so far of the epoch that was stopped part way
 * @param best  the best epoch so far on the validation metric, whose model is {@value #BEST} in {@code files}
 *              (null when the run holds no validation set or has not finished an epoch)
 */
public record Checkpoint(Path dir, Path files, TrainConfig config, Validation validation, Tuning tuning, int[] inputShape, int classes,
                         String[] classNames, double[] mean, double[] std, int epoch, int batch, long step,
                         Partial partial, Best best) {
    /** The running loss sum, correct count and examples seen of an epoch stopped part way (zeros otherwise). */
    public record Partial(double lossSum, long correct, long seen) {
        public static final Partial NONE = new Partial(0, 0, 0);
    }

    /**
     * The epoch with the best monitored validation metric so far. Kept in the checkpoint so that --resume continues
     * the early-stopping count where it stopped.
     */
    public record Best(int epoch, double value) {}

    public static final String MODEL = "model.safetensors";
    /** The model of the {@link Best} epoch, in each checkpoint folder beside {@value #MODEL}. */
    public static final String BEST = "best.safetensors";
    public static final String OPTIMIZER = "optimizer.safetensors";
    public static final String PROPERTIES = "checkpoint.properties";
    /** The first layout: the three files side by side in the run folder. */
    static final String FORMAT_1 = "chainrule-checkpoint-1";
    /** The tensor files in their own folder, named by {@value #FOLDER_KEY}. */
    static final String FORMAT = "chainrule-checkpoint-2";
    static final String FOLDER_KEY = "checkpoint.folder";

    /**
     * Writes a new checkpoint of model and optimizer state into {@code dir} and makes it the current one (see the
     * class comment for the order that makes this safe against a kill at any moment).
     */
    public static void save(Path dir, Module model, Optimizer optimizer, TrainConfig config, Validation validation,
                            Tuning tuning, LoadedData data, int epoch, int batch, long step, Partial partial, Best best,
                            boolean bestIsNow) throws IOException {
        // The best model of the previous checkpoint, read before the pointer moves on (null when there is none).
        Path previousBest = best == null || bestIsNow ? null : currentFolder(dir).map(f -> f.resolve(BEST)).orElse(null);
        Path folder = RunFolder.newCheckpointFolder(dir, step);
        boolean firstFolder = !Files.isDirectory(folder.getParent());
        Files.createDirectories(folder);
        FaultInjection.reach("folder-created");
        Map<String, String> metadata = metadata(model, config, tuning, data, epoch);
        long modelCrc = writeTensors(folder.resolve(MODEL), model.stateDict(), metadata);
        FaultInjection.reach("model-written");
        long optCrc = writeTensors(folder.resolve(OPTIMIZER), optimizer.stateDict(), null);
        FaultInjection.reach("optimizer-written");
        long bestCrc = 0;
        if (best != null) {
            // Each checkpoint folder carries its own best model, so the pointer switch below changes the last and the
            // best model together: a crash never pairs a checkpoint with a half-written or a later best model.
            Path target = folder.resolve(BEST);
            if (bestIsNow) {
                Safetensors.save(model.stateDict(), target, metadata(model, config, tuning, data, best.epoch()));
            } else {
                if (previousBest == null || !Files.isRegularFile(previousBest)) {
                    throw new IOException("the best model of epoch " + best.epoch() + " is missing from the "
                            + "previous checkpoint in " + dir + " (expected " + previousBest + ")");
                }
                RunFolder.linkOrCopy(previousBest, target);
            }
            bestCrc = crc(target);
            FaultInjection.reach("best-written");
        }
        RunFolder.sync(folder);
        RunFolder.sync(folder.getParent());
        if (firstFolder) RunFolder.sync(dir); // the new checkpoints/ entry is durable before anything points into it

        Properties p = new Properties();
        p.setProperty("format", FORMAT);
        p.setProperty(FOLDER_KEY, RunFolder.CHECKPOINTS + "/" + folder.getFileName());
        config.store(p);
        validation.store(p);
        tuning.store(p);
        if (best != null) {
            p.setProperty("best.epoch", Integer.toString(best.epoch()));
            p.setProperty("best.value", Double.toString(best.value()));
            p.setProperty("crc.best", Long.toString(bestCrc));
        }
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
        byte[] text = sorted(p).getBytes(StandardCharsets.UTF_8);
        // The commit point: one rename makes the new checkpoint current.
        AtomicFiles.writeStream(dir.resolve(PROPERTIES), out -> {
            out.write(text);
            FaultInjection.reach("pointer-written");
        });
        RunFolder.sync(dir);
        FaultInjection.reach("pointer-switched");
        RunFolder.publishModel(dir, folder.resolve(MODEL));
        if (best != null) RunFolder.publish(dir, folder.resolve(BEST), BEST);
        FaultInjection.reach("model-published");
        Files.deleteIfExists(dir.resolve(OPTIMIZER)); // the first layout's, if this run began with one
        RunFolder.pruneCheckpoints(dir, folder);
        FaultInjection.reach("saved");
    }

    private static long writeTensors(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Safetensors.save(tensors, file, metadata);
        return crc(file);
    }

    /**
     * The {@code __metadata__} of a model file, so that the file alone says how to rebuild the model: the layers as
     * PyTorch prints them, the settings that build them, the input shape and classes, and a CSV's standardisation.
     */
    static Map<String, String> metadata(Module model, TrainConfig config, Tuning tuning, LoadedData data, int epoch) {
        Map<String, String> m = new TreeMap<>();
        m.put("format", "pt"); // the keys and layouts are PyTorch's (safetensors' convention for such files)
        m.put("chainrule.architecture", model.toString());
        m.put("chainrule.model", config.model());
        m.put("chainrule.hidden", config.hiddenString());
        m.put("chainrule.activation", config.activation());
        m.put("chainrule.dropout", Double.toString(tuning.dropout()));
        m.put("chainrule.input_shape", join(data.inputShape()));
        m.put("chainrule.classes", Integer.toString(data.classes()));
        m.put("chainrule.class_names", String.join("|", data.classNames()));
        m.put("chainrule.data", config.data());
        m.put("chainrule.epoch", Integer.toString(epoch));
        if (data.mean() != null) {
            m.put("chainrule.mean", joinD(data.mean()));
            m.put("chainrule.std", joinD(data.std()));
        }
        return m;
    }

    /**
     * Reads the checkpoint at {@code where}: a run folder, or one of the files in it.
     *
     * @throws CliException when it is missing, not a chainrule checkpoint, or its files do not belong together
     */
    public static Checkpoint read(Path where) {
        if (!Files.exists(where)) throw new CliException("checkpoint " + where + " does not exist");
        Path dir = Files.isDirectory(where) ? where : where.toAbsolutePath().getParent();
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
        String format = p.getProperty("format");
        if (!FORMAT.equals(format) && !FORMAT_1.equals(format)) {
            throw new CliException(where0 + " is not a chainrule checkpoint (format '" + format + "')");
        }
        Path files = FORMAT_1.equals(format) ? dir : folder(dir, p.getProperty(FOLDER_KEY), where0);
        TrainConfig config = TrainConfig.load(p, where0);
        Validation validation = Validation.load(p, where0);
        Tuning tuning = Tuning.load(p, where0);
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
            Best best = p.getProperty("best.epoch") == null ? null
                    : new Best(Integer.parseInt(p.getProperty("best.epoch")), Double.parseDouble(p.getProperty("best.value")));
            Checkpoint c = new Checkpoint(dir, files, config, validation, tuning, shape, classes, names, mean, std, epoch, batch,
                    step, partial, best);
            c.verify(p);
            return c;
        } catch (NumberFormatException | NullPointerException e) {
            throw new CliException(where0 + " is damaged: a number is missing or malformed (" + e.getMessage() + ")");
        }
    }

    /** The checkpoint folder that {@value #FOLDER_KEY} names: {@code checkpoints/step-N} inside {@code dir}. */
    private static Path folder(Path dir, String name, String where) {
        String prefix = RunFolder.CHECKPOINTS + "/";
        // Checked strictly, so that a damaged or edited file cannot point outside the run folder.
        if (name == null || !name.startsWith(prefix) || !RunFolder.isCheckpointFolderName(name.substring(prefix.length()))) {
            throw new CliException(where + " is damaged: '" + FOLDER_KEY + "' should name a folder " + prefix
                    + "step-NNNNNNNNN, not '" + name + "'");
        }
        return dir.resolve(RunFolder.CHECKPOINTS).resolve(name.substring(prefix.length()));
    }

    /** The checkpoint folder that {@code dir}'s {@value #PROPERTIES} names, if it names one and it is valid. */
    static java.util.Optional<Path> currentFolder(Path dir) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(dir.resolve(PROPERTIES), StandardCharsets.UTF_8)));
            if (!FORMAT.equals(p.getProperty("format"))) return java.util.Optional.empty();
            return java.util.Optional.of(folder(dir, p.getProperty(FOLDER_KEY), PROPERTIES));
        } catch (IOException | IllegalArgumentException | CliException e) {
            return java.util.Optional.empty();
        }
    }

    private void verify(Properties p) {
        check(files.resolve(MODEL), p.getProperty("crc.model"));
        check(files.resolve(OPTIMIZER), p.getProperty("crc.optimizer"));
        if (best != null) check(files.resolve(BEST), p.getProperty("crc.best"));
    }

    private void check(Path file, String expected) {
        if (!Files.isRegularFile(file)) throw new CliException("checkpoint is incomplete: " + file + " is missing");
        try {
            if (expected == null || crc(file) != Long.parseLong(expected)) {
                throw new CliException(file + " does not belong to " + dir.resolve(PROPERTIES)
                        + " (its checksum differs: copied from another run, or changed since)");
            }
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
    }

    /** Loads the model parameters into {@code model} (strict: keys and shapes must match). */
    public void loadModel(Module model) {
        loadInto(model, files.resolve(MODEL));
    }

    /** Loads the best epoch's parameters ({@value #BEST}) into {@code model}; only when {@link #best} is not null. */
    public void loadBest(Module model) {
        loadInto(model, files.resolve(BEST));
    }

    private void loadInto(Module model, Path f) {
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
        Path f = files.resolve(OPTIMIZER);
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
        StringBuilder sb = new StringBuilder("# chainrule training checkpoint: the files are in the folder checkpoint.folder names\n");
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
