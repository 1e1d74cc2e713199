package io.chainrule.cli.tensorboard;

import io.chainrule.cli.live.TrainView;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a run's numbers into a TensorBoard event file: per step {@code train/loss}, {@code train/accuracy},
 * {@code train/lr}, {@code train/examples_per_s}; every few steps {@code grad_norm/<param>} and
 * {@code update_ratio/<param>}; per epoch {@code epoch/train_loss}, {@code epoch/train_accuracy} (and the test
 * columns when there is a test set), at the epoch's last step; and a few times per epoch the histograms
 * {@code weights/<param>} and {@code grads/<param>}. Flushed after every epoch and at the end.
 */
public final class TensorBoardView implements TrainView {
    private final EventFileWriter writer;

    public TensorBoardView(Path dir) throws IOException {
        this.writer = EventFileWriter.create(dir);
    }

    public Path file() {
        return writer.file();
    }

    @Override
    public void step(Step s) throws IOException {
        writer.scalars(s.step(), now(), new String[] {"train/loss", "train/accuracy", "train/lr", "train/examples_per_s"},
                new double[] {s.loss(), s.accuracy(), s.lr(), s.examplesPerSecond()});
    }

    @Override
    public void layers(long step, List<Layer> layers) throws IOException {
        int n = layers.size();
        String[] tags = new String[2 * n];
        double[] values = new double[2 * n];
        int k = 0;
        for (Layer l : layers) {
            if (Double.isNaN(l.gradNorm())) continue;
            tags[k] = "grad_norm/" + l.name();
            values[k++] = l.gradNorm();
        }
        for (Layer l : layers) {
            if (Double.isNaN(l.updateRatio())) continue;
            tags[k] = "update_ratio/" + l.name();
            values[k++] = l.updateRatio();
        }
        if (k > 0) writer.scalars(step, now(), java.util.Arrays.copyOf(tags, k), java.util.Arrays.copyOf(values, k));
    }

    @Override
    public void histograms(long step, int epoch, List<Histograms> histograms) throws IOException {
        double t = now();
        for (Histograms h : histograms) {
            writer.histogram(step, t, "weights/" + h.name(), h.weights());
            if (h.grads() != null) writer.histogram(step, t, "grads/" + h.name(), h.grads());
        }
    }

    @Override
    public void epoch(int epoch, long step, double trainLoss, double trainAcc, double testLoss, double testAcc,
                      double lr, double examplesPerSecond) throws IOException {
        if (Double.isNaN(testLoss)) {
            writer.scalars(step, now(), new String[] {"epoch/train_loss", "epoch/train_accuracy"},
                    new double[] {trainLoss, trainAcc});
        } else {
            writer.scalars(step, now(), new String[] {"epoch/train_loss", "epoch/train_accuracy", "epoch/test_loss",
                    "epoch/test_accuracy"}, new double[] {trainLoss, trainAcc, testLoss, testAcc});
        }
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }
}
