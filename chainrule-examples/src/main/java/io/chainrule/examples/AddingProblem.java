package io.chainrule.examples;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.io.AtomicFiles;
import io.chainrule.nn.F;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.RNN;
import io.chainrule.nn.RecurrentLayer;
import io.chainrule.nn.Utils;
import io.chainrule.optim.Adam;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The adding problem (Hochreiter &amp; Schmidhuber 1997): each step carries {@code [value, marker]}, values uniform in
 * [0, 1], exactly two markers set (one in each half of the sequence); the target is the sum of the two marked
 * values. Predicting the constant 1 scores MSE 1/6 ≈ 0.167; an LSTM learns the task (MSE well below 0.01) where a
 * plain tanh RNN, whose gradient vanishes over the long gap, stays near 0.167.
 *
 * <p>Writes {@code adding-problem.png} with both training-loss curves (log scale). Options: {@code --length N} (50),
 * {@code --steps N} (2000), {@code --hidden N} (32), {@code --batch N} (64), {@code --lr X} (3e-3), {@code --out FILE}.
 */
public final class AddingProblem {
    private AddingProblem() {}

    /** A recurrent layer whose final hidden state feeds Linear(hidden, 1). */
    static final class Regressor extends Module {
        private final RecurrentLayer rnn;
        private final Linear head;

        Regressor(RecurrentLayer rnn) {
            this.rnn = register("rnn", rnn);
            this.head = register("head", new Linear(rnn.hiddenSize(), 1));
        }

        @Override
        public Tensor forward(Tensor x) {
            return head.forward(rnn.forward(x, null).h().select(0, 0)).squeeze(1);
        }
    }

    /** A batch: x {@code [batch, length, 2]} (batch first), y {@code [batch]}. */
    static Tensor[] batch(Generator gen, int batch, int length) {
        float[] x = new float[batch * length * 2];
        float[] y = new float[batch];
        for (int b = 0; b < batch; b++) {
            int first = gen.nextInt(length / 2);
            int second = length / 2 + gen.nextInt(length - length / 2);
            for (int t = 0; t < length; t++) {
                int i = (b * length + t) * 2;
                x[i] = (float) gen.nextDouble();
                if (t == first || t == second) {
                    x[i + 1] = 1f;
                    y[b] += x[i];
                }
            }
        }
        return new Tensor[] {Tensor.of(x, batch, length, 2), Tensor.of(y, batch)};
    }

    /** Trains one model and returns its (smoothed) loss every 10 steps. */
    static List<Double> train(String name, RecurrentLayer layer, int steps, int batch, int length, double lr) {
        Tensor.manualSeed(0);
        Regressor model = new Regressor(layer);
        Adam adam = new Adam(model.parameters(), lr);
        Generator gen = new Generator(42); // both models see the same batches
        List<Double> curve = new ArrayList<>();
        double window = 0;
        long start = System.nanoTime();
        for (int step = 1; step <= steps; step++) {
            Tensor[] xy = batch(gen, batch, length);
            adam.zeroGrad();
            Tensor loss = F.mseLoss(model.forward(xy[0]), xy[1]);
            loss.backward();
            Utils.clipGradNorm(model.parameters(), 1.0);
            adam.step();
            window += loss.item();
            if (step % 10 == 0) {
                curve.add(window / 10);
                window = 0;
            }
            if (step % 100 == 0) {
                System.out.printf("%s step %d: mse %.5f (%.1f s)%n", name, step, curve.get(curve.size() - 1),
                        (System.nanoTime() - start) / 1e9);
            }
        }
        return curve;
    }

    public static void main(String[] argv) throws IOException {
        Args args = new Args(argv);
        int length = args.integer("length", 50);
        int steps = args.integer("steps", 2000);
        int hidden = args.integer("hidden", 32);
        int batch = args.integer("batch", 64);
        double lr = args.real("lr", 3e-3);
        Path out = Path.of(args.string("out", "adding-problem.png"));

        List<Double> lstm = train("LSTM", new LSTM(2, hidden, 1, true), steps, batch, length, lr);
        List<Double> rnn = train("RNN", new RNN(2, hidden, 1, true), steps, batch, length, lr);
        System.out.printf("final mse (mean of the last 100 steps): LSTM %.5f, RNN %.5f%n", last(lstm), last(rnn));

        XYChart chart = new XYChartBuilder().width(800).height(500)
                .title("Adding problem, length " + length + " (hidden " + hidden + ", batch " + batch + ")")
                .xAxisTitle("training step").yAxisTitle("MSE (mean of 10 steps)").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(1e-4).setYAxisMax(1.0); // whole decades, so the log axis gets labels
        chart.addSeries("LSTM", steps(lstm.size()), lstm).setMarker(SeriesMarkers.NONE);
        chart.addSeries("RNN (tanh)", steps(rnn.size()), rnn).setMarker(SeriesMarkers.NONE);
        chart.addSeries("predict 1 (MSE 1/6)", List.of(10.0, 10.0 * lstm.size()), List.of(1 / 6.0, 1 / 6.0))
                .setMarker(SeriesMarkers.NONE);
        writePng(chart, out);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static double last(List<Double> curve) {
        int n = Math.min(10, curve.size());
        return curve.subList(curve.size() - n, curve.size()).stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static List<Double> steps(int n) {
        List<Double> s = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) s.add(10.0 * i);
        return s;
    }

    /** Writes through a temporary file and a rename, so a reader never sees half a PNG. */
    private static void writePng(XYChart chart, Path out) throws IOException {
        AtomicFiles.write(out, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
