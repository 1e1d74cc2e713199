package io.chainrule.cli.train;

import io.chainrule.cli.CliException;
import io.chainrule.data.TensorDataset;
import io.chainrule.parallel.StepEngineProvider;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code --data FORMAT:PATH}: a table read by Spark (parquet, csv, orc, json; local, hdfs:// or s3a:// paths) into
 * this process. Needs chainrule-spark on the class path, which bin/chainrule adds for such a --data.
 */
final class SparkTable {
    private static final Pattern SPEC = Pattern.compile("(parquet|csv|orc|json):(.+)");

    private SparkTable() {}

    static boolean matches(String data) {
        return SPEC.matcher(data).matches();
    }

    static LoadedData load(String data, int limit) {
        Matcher m = SPEC.matcher(data);
        if (!m.matches()) throw new CliException("--data " + data + ": expected FORMAT:PATH");
        StepEngineProvider spark = StepEngineProvider.find("spark");
        if (spark == null) {
            throw new CliException("--data " + data + " is read by Spark: run the program through bin/chainrule, which "
                    + "adds chainrule-spark and Spark's jars for such data");
        }
        TensorDataset t;
        try {
            t = spark.readTable(m.group(1).toLowerCase(Locale.ROOT), m.group(2), limit);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CliException("--data " + data + ": " + e.getMessage());
        }
        long maxLabel = 0;
        for (long y : t.y().toLongArray()) maxLabel = Math.max(maxLabel, y);
        if (maxLabel < 1) throw new CliException("--data " + data + ": every label is 0; need at least two classes");
        if (maxLabel > DataSource.MAX_LABEL) throw new CliException("--data " + data + ": label " + maxLabel + " is too large for a class number (at most " + DataSource.MAX_LABEL + ")");
        int classes = (int) maxLabel + 1;
        String name = m.group(2).replaceAll(".*/(?=.)", "");
        return new LoadedData(name, Labeled.of(t), null, null, new int[] {t.x().shape()[1]}, classes, DataSource.names(classes),
                null, null);
    }
}
