package io.chainrule.cli.train;

import io.chainrule.cli.CliException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One row of {@code metrics.csv}. The validation columns are NaN when the run holds no examples back
 * ({@code --val-split 0}).
 *
 * @param epoch 1-based
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAcc, double valLoss, double valAcc, double lr,
                           double seconds, double examplesPerSecond, long step) {
    static final String HEADER = "epoch,train_loss,train_acc,val_loss,val_acc,lr,seconds,examples_per_s,step";

    String csv() {
        return String.format(Locale.ROOT, "%d,%.8g,%.6f,%s,%s,%s,%.4f,%.1f,%d", epoch, trainLoss, trainAcc,
                Double.isNaN(valLoss) ? "" : String.format(Locale.ROOT, "%.8g", valLoss),
                Double.isNaN(valAcc) ? "" : String.format(Locale.ROOT, "%.6f", valAcc),
                Double.isNaN(lr) ? "" : String.format(Locale.ROOT, "%.6g", lr), seconds,
                examplesPerSecond, step);
    }

    /** The CSV text of {@code rows}, header first. */
    static String csv(List<EpochMetrics> rows) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (EpochMetrics m : rows) sb.append(m.csv()).append('\n');
        return sb.toString();
    }

    /** Reads a metrics.csv this class wrote, keeping the rows up to {@code maxEpoch}; empty when there is none. */
    static List<EpochMetrics> read(Path file, int maxEpoch) {
        List<EpochMetrics> rows = new ArrayList<>();
        if (!Files.isRegularFile(file)) return rows;
        try {
            List<String> lines = Files.readAllLines(file);
            for (int i = 1; i < lines.size(); i++) {
                String[] c = lines.get(i).split(",", -1);
                if (c.length < 9) continue;
                EpochMetrics m = new EpochMetrics(Integer.parseInt(c[0]), Double.parseDouble(c[1]),
                        Double.parseDouble(c[2]), c[3].isEmpty() ? Double.NaN : Double.parseDouble(c[3]),
                        c[4].isEmpty() ? Double.NaN : Double.parseDouble(c[4]), c[5].isEmpty() ? Double.NaN : Double.parseDouble(c[5]),
                        Double.parseDouble(c[6]), Double.parseDouble(c[7]), Long.parseLong(c[8]));
                if (m.epoch() <= maxEpoch) rows.add(m);
            }
        } catch (IOException | NumberFormatException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        return rows;
    }

    /** A JSON object (one line) for --json. */
    String json() {
        StringBuilder sb = new StringBuilder("{\"event\":\"epoch\"");
        sb.append(",\"epoch\":").append(epoch);
        num(sb, "train_loss", trainLoss);
        num(sb, "train_acc", trainAcc);
        if (!Double.isNaN(valLoss)) num(sb, "val_loss", valLoss);
        if (!Double.isNaN(valAcc)) num(sb, "val_acc", valAcc);
        num(sb, "lr", lr);
        num(sb, "seconds", seconds);
        num(sb, "examples_per_s", examplesPerSecond);
        sb.append(",\"step\":").append(step);
        return sb.append('}').toString();
    }

    static void num(StringBuilder sb, String key, double v) {
        sb.append(",\"").append(key).append("\":");
        sb.append(Double.isFinite(v) ? Double.toString(v) : "null"); // Java's 1.0E-5 is valid JSON
    }
}
