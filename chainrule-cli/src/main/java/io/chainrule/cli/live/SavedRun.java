package io.chainrule.cli.live;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A finished run on disk: its {@code live.json} (written by {@code train --ui}) or, for a run trained without
 * {@code --ui}, its epochs from {@code metrics.csv} (no steps, gradient flow, histograms or graph details).
 */
public final class SavedRun implements RunSource {
    private static final String[] COLUMNS = {"epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc", "lr",
            "examples_per_s"};
    private static final String[] KEYS = {"epoch", "step", "trainLoss", "trainAcc", "testLoss", "testAcc", "lr",
            "examplesPerSecond"};

    private final Path dir;

    /** @throws IllegalArgumentException when {@code dir} holds neither live.json nor metrics.csv */
    public SavedRun(Path dir) {
        if (!Files.isRegularFile(dir.resolve(LiveState.FILE)) && !Files.isRegularFile(dir.resolve("metrics.csv"))) {
            throw new IllegalArgumentException(dir + " is not a run folder: it holds neither " + LiveState.FILE
                    + " nor metrics.csv");
        }
        this.dir = dir;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public String json() throws IOException {
        Path live = dir.resolve(LiveState.FILE);
        if (Files.isRegularFile(live)) return Files.readString(live, StandardCharsets.UTF_8);
        return fromMetrics(dir.resolve("metrics.csv"));
    }

    /** The page's layout with only the epochs filled in. */
    private String fromMetrics(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) throw new IOException(csv + ": empty file, expected a header line at byte offset 0");
        List<String> header = List.of(lines.get(0).split(",", -1));
        int[] at = new int[COLUMNS.length];
        for (int c = 0; c < COLUMNS.length; c++) {
            at[c] = header.indexOf(COLUMNS[c]);
            if (at[c] < 0) throw new IOException(csv + ": the header (byte offset 0) has no column " + COLUMNS[c]);
        }
        double[][] values = new double[COLUMNS.length][lines.size() - 1];
        long offset = lines.get(0).getBytes(StandardCharsets.UTF_8).length + 1;
        for (int r = 1; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",", -1);
            for (int c = 0; c < COLUMNS.length; c++) {
                String cell = at[c] < cells.length ? cells[at[c]] : "";
                try {
                    values[c][r - 1] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    throw new IOException(csv + ": line " + (r + 1) + " (byte offset " + offset + "): " + COLUMNS[c]
                            + " is not a number: '" + cell + "'");
                }
            }
            offset += lines.get(r).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        Json j = new Json().open().field("name", name()).key("live").bool(false).key("done").bool(true);
        j.key("steps").open();
        for (String k : new String[] {"step", "epoch", "loss", "accuracy", "lr", "examplesPerSecond"}) {
            j.key(k).openArray().closeArray();
        }
        j.close().key("epochs").open();
        for (int c = 0; c < KEYS.length; c++) j.key(KEYS[c]).nums(values[c], values[c].length);
        j.close();
        j.key("layers").open().key("names").openArray().closeArray().key("step").openArray().closeArray()
                .key("gradNorm").openArray().closeArray().key("updateRatio").openArray().closeArray().close();
        j.key("histograms").openArray().closeArray().key("graph").raw("null");
        return j.close().toString();
    }
}
