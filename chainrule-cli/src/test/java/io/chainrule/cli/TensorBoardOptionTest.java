package io.chainrule.cli;

import io.chainrule.cli.tensorboard.EventFileWriterTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chainrule train --tensorboard}: the event file holds each step's loss and each epoch's metrics.csv row. */
class TensorBoardOptionTest {
    @Test
    void eventFileMatchesTheRun(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        // 300 spiral points in batches of 50: 6 steps per epoch, 18 in all.
        Cli.Run r = Cli.run("train", "--out", out.toString(), "--epochs", "3", "--batch-size", "50", "--val-split", "0",
                "--tensorboard");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("tensorboard --logdir"), r.out());
        List<Path> files;
        try (var s = Files.list(out.resolve("tensorboard"))) {
            files = s.toList();
        }
        assertEquals(1, files.size(), files.toString());
        var events = EventFileWriterTest.read(files.get(0));
        TreeMap<Long, Float> loss = new TreeMap<>();
        List<Float> epochLoss = new ArrayList<>();
        List<Long> epochSteps = new ArrayList<>();
        int weightHistograms = 0, gradNorms = 0;
        for (var e : events) {
            for (var v : e.values()) {
                if (v.tag().equals("train/loss")) loss.put(e.step(), v.simple());
                if (v.tag().equals("epoch/train_loss")) {
                    epochLoss.add(v.simple());
                    epochSteps.add(e.step());
                }
                if (v.tag().equals("weights/0.weight")) weightHistograms++;
                if (v.tag().startsWith("grad_norm/")) gradNorms++;
            }
        }
        assertEquals(18, loss.size());
        assertEquals(1L, loss.firstKey());
        assertEquals(18L, loss.lastKey());
        assertEquals(List.of(6L, 12L, 18L), epochSteps);
        // The epochs' losses are metrics.csv's, to float precision.
        List<String> rows = Files.readAllLines(out.resolve("metrics.csv"));
        for (int i = 0; i < 3; i++) {
            double csv = Double.parseDouble(rows.get(i + 1).split(",")[1]);
            assertEquals((float) csv, epochLoss.get(i), 1e-6f * Math.abs((float) csv));
        }
        // 6 steps per epoch: histograms every 2 steps (9) and one at the start; gradient norms per step, 6 params.
        assertEquals(10, weightHistograms);
        assertEquals(18 * 6, gradNorms);
        // The epoch's mean of the step losses weighted by batch size is its train loss.
        double sum = 0;
        for (long s = 1; s <= 6; s++) sum += loss.get(s);
        assertEquals(epochLoss.get(0), sum / 6, 1e-5);
    }

    @Test
    void watchingDoesNotChangeTheTraining(@TempDir Path tmp) throws Exception {
        String[] common = {"train", "--epochs", "3", "--batch-size", "50", "--quiet", "--out"};
        Path plain = tmp.resolve("plain"), watched = tmp.resolve("watched");
        assertEquals(0, Cli.run(with(common, plain.toString())).exit());
        assertEquals(0, Cli.run(with(common, watched.toString(), "--tensorboard", "--ui", "0")).exit());
        // The graph traced for the views and the statistics leave the weights and the metrics bit-identical.
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(plain.resolve("model.safetensors")),
                Files.readAllBytes(watched.resolve("model.safetensors"))));
        List<String> a = Files.readAllLines(plain.resolve("metrics.csv")), b = Files.readAllLines(watched.resolve("metrics.csv"));
        for (int i = 0; i < a.size(); i++) {
            String[] x = a.get(i).split(","), y = b.get(i).split(",");
            assertEquals(List.of(x).subList(0, 3), List.of(y).subList(0, 3)); // epoch, train_loss, train_acc
        }
    }

    private static String[] with(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
