package io.chainrule.cli.train;

import io.chainrule.cli.CliException;

import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Everything that determines a training run (with the seed, the parameters after each epoch follow from it), and
 * what a checkpoint records so that {@code --resume} and {@code eval} can rebuild the model.
 *
 * @param data       spiral, moons, xor, fashion-mnist, mnist, or a path
 * @param samples    synthetic sets: points per class (xor: points in all / 2, its labels follow the points); 0 elsewhere
 * @param noise      synthetic sets: noise level
 * @param limit      image sets: use only the first {@code limit} training examples (0: all)
 * @param hidden     hidden layer widths
 * @param batchSize  examples per batch; 0 means the whole set (full batch)
 */
public record TrainConfig(String data, int samples, double noise, int limit, String model, int[] hidden,
                          String activation, String optimizer, double lr, int epochs, int batchSize, boolean dropLast,
                          long seed) {

    /** The optimizer this run names ({@link OptimizerChoice#of}: an unknown name is a clear error). */
    public OptimizerChoice optimizerChoice() {
        return OptimizerChoice.of(optimizer);
    }

    /** Writes the fields into {@code p} under {@code config.*} keys. */
    void store(Properties p) {
        p.setProperty("config.data", data);
        p.setProperty("config.samples", Integer.toString(samples));
        p.setProperty("config.samples_per_class", "true");
        p.setProperty("config.noise", Double.toString(noise));
        p.setProperty("config.limit", Integer.toString(limit));
        p.setProperty("config.model", model);
        p.setProperty("config.hidden", hiddenString());
        p.setProperty("config.activation", activation);
        p.setProperty("config.optimizer", optimizer);
        p.setProperty("config.lr", Double.toString(lr));
        p.setProperty("config.epochs", Integer.toString(epochs));
        p.setProperty("config.batch_size", Integer.toString(batchSize));
        p.setProperty("config.drop_last", Boolean.toString(dropLast));
        p.setProperty("config.seed", Long.toString(seed));
    }

    /** Reads what {@link #store} wrote; {@code where} names the file for messages. */
    static TrainConfig load(Properties p, String where) {
        return new TrainConfig(str(p, "config.data", where), samples(p, where),
                dbl(p, "config.noise", where), integer(p, "config.limit", where), str(p, "config.model", where),
                parseHidden(str(p, "config.hidden", where)), str(p, "config.activation", where),
                str(p, "config.optimizer", where), dbl(p, "config.lr", where), integer(p, "config.epochs", where),
                integer(p, "config.batch_size", where), Boolean.parseBoolean(str(p, "config.drop_last", where)),
                lng(p, "config.seed", where));
    }

    /**
     * config.samples per class. Checkpoints written before --samples meant "per class" for every set stored moons'
     * and xor's points in all: those are halved (the same data, as the sets have two classes).
     */
    private static int samples(Properties p, String where) {
        int s = integer(p, "config.samples", where);
        String data = p.getProperty("config.data", "");
        if (p.getProperty("config.samples_per_class") != null || !(data.equals("moons") || data.equals("xor"))) return s;
        if (s % 2 != 0) {
            throw new CliException(where + " stores " + s + " " + data + " points in all (an older checkpoint); "
                    + "--samples is now per class and cannot express an odd total: train the run again");
        }
        return s / 2;
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(data, samples, noise, limit, model, hidden, activation, optimizer, lr, e, batchSize,
                dropLast, seed);
    }

    public String hiddenString() {
        return Arrays.stream(hidden).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    /** Parses {@code 256,128} as a checkpoint stores it; an empty string means no hidden layer. */
    public static int[] parseHidden(String s) {
        if (s == null || s.isBlank()) return new int[0];
        return parseWidths(s);
    }

    /**
     * Parses the {@code --hidden} option: one or more widths. An empty value is refused rather than read as "no
     * hidden layer", which would silently train a linear model under the name of an MLP.
     */
    public static int[] parseHiddenOption(String s) {
        if (s.isBlank()) {
            throw new CliException("--hidden '" + s + "' names no layer: give one or more widths, like 64,64");
        }
        return parseWidths(s);
    }

    private static int[] parseWidths(String s) {
        String[] parts = s.split(",", -1);
        int[] h = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i].strip();
            if (part.isEmpty()) throw new CliException("--hidden wants widths like 256,128; '" + s + "' has an empty one");
            try {
                h[i] = Integer.parseInt(part);
            } catch (NumberFormatException e) {
                throw new CliException("--hidden wants widths like 256,128; '" + part + "' is not a number");
            }
            if (h[i] < 1 || h[i] > 1 << 16) {
                throw new CliException("--hidden: a layer width must be between 1 and 65536, got " + h[i]);
            }
        }
        return h;
    }

    /** One line for logs. */
    public String describe() {
        return String.format(Locale.ROOT, "%s, %s [%s] %s, %s lr %s, %d epochs, batch %s%s, seed %d", data, model,
                hiddenString(), activation, optimizer, lr, epochs, batchSize == 0 ? "full" : Integer.toString(batchSize),
                dropLast ? " (drop last)" : "", seed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainConfig c && data.equals(c.data) && samples == c.samples && noise == c.noise
                && limit == c.limit && model.equals(c.model) && Arrays.equals(hidden, c.hidden)
                && activation.equals(c.activation) && optimizer.equals(c.optimizer) && lr == c.lr
                && epochs == c.epochs && batchSize == c.batchSize && dropLast == c.dropLast && seed == c.seed;
    }

    @Override
    public int hashCode() {
        return data.hashCode() * 31 + Arrays.hashCode(hidden);
    }

    @Override
    public String toString() {
        return describe();
    }

    private static String str(Properties p, String key, String where) {
        String v = p.getProperty(key);
        if (v == null) throw new CliException(where + " lacks '" + key + "' (not a chainrule checkpoint?)");
        return v;
    }

    private static int integer(Properties p, String key, String where) {
        try {
            return Integer.parseInt(str(p, key, where).strip());
        } catch (NumberFormatException e) {
            throw new CliException(where + ": '" + key + "' is not an integer: " + p.getProperty(key));
        }
    }

    private static long lng(Properties p, String key, String where) {
        try {
            return Long.parseLong(str(p, key, where).strip());
        } catch (NumberFormatException e) {
            throw new CliException(where + ": '" + key + "' is not an integer: " + p.getProperty(key));
        }
    }

    private static double dbl(Properties p, String key, String where) {
        try {
            return Double.parseDouble(str(p, key, where).strip());
        } catch (NumberFormatException e) {
            throw new CliException(where + ": '" + key + "' is not a number: " + p.getProperty(key));
        }
    }
}
