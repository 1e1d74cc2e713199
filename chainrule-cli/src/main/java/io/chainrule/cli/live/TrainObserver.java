package io.chainrule.cli.live;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.cli.tensorboard.Histogram;
import io.chainrule.cli.train.StepGraph;
import io.chainrule.nn.Module;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code chainrule train} tells its views ({@code --ui}, {@code --tensorboard}): each step's loss, accuracy,
 * learning rate and speed; every few steps each parameter's gradient norm and update/weight ratio (about
 * {@link #LAYER_POINTS_PER_EPOCH} per epoch); a few times per epoch ({@link #HISTOGRAMS_PER_EPOCH}) histograms of
 * the weights and gradients; and at the start the graph of one step. The statistics are computed once here and
 * handed to every view.
 */
public final class TrainObserver implements Closeable {
    static final int LAYER_POINTS_PER_EPOCH = 20;
    static final int HISTOGRAMS_PER_EPOCH = 3;
    /** Examples in the traced step: the same few as graph.dot's. */
    private static final int GRAPH_EXAMPLES = 4;

    private final List<TrainView> views;
    private Module model;
    private int layerEvery = 1;
    private int histogramEvery = 1;
    /** The parameters before the coming step, kept only when that step's update ratio is wanted. */
    private Map<String, float[]> before;

    public TrainObserver(List<TrainView> views) {
        this.views = List.copyOf(views);
    }

    /**
     * The run starts (or resumes) after {@code step} steps: traces the graph of one step on the first examples of
     * {@code x}, {@code y}, and keeps the weights to measure the first update.
     */
    public void started(Module model, Tensor x, Tensor y, int batchesPerEpoch, long step) throws IOException {
        this.model = model;
        this.layerEvery = Math.max(1, batchesPerEpoch / LAYER_POINTS_PER_EPOCH);
        this.histogramEvery = Math.max(1, batchesPerEpoch / HISTOGRAMS_PER_EPOCH);
        int k = Math.min(GRAPH_EXAMPLES, x.shape()[0]);
        var graph = StepGraph.graph(model, x.narrow(0, 0, k), y.narrow(0, 0, k));
        for (TrainView v : views) v.graph(graph);
        List<TrainView.Histograms> h = histograms();
        for (TrainView v : views) v.histograms(step, 0, h);
        before = weights();
    }

    /** After optimizer step number {@code step} (counted from 1) of epoch {@code epoch} (1-based). */
    public void step(long step, int epoch, double loss, double accuracy, double lr, double examplesPerSecond)
            throws IOException {
        TrainView.Step s = new TrainView.Step(step, epoch, loss, accuracy, lr, examplesPerSecond);
        for (TrainView v : views) v.step(s);
        if (before != null) {
            List<TrainView.Layer> layers = layers(before);
            for (TrainView v : views) v.layers(step, layers);
            before = null;
        }
        if (step % histogramEvery == 0) {
            List<TrainView.Histograms> h = histograms();
            for (TrainView v : views) v.histograms(step, epoch, h);
        }
        // The update of the next step is the difference from the weights now.
        if ((step + 1) % layerEvery == 0) before = weights();
    }

    /** An epoch ended (its row of metrics.csv). */
    public void epoch(int epoch, long step, double trainLoss, double trainAcc, double testLoss, double testAcc,
                      double lr, double examplesPerSecond) throws IOException {
        for (TrainView v : views) v.epoch(epoch, step, trainLoss, trainAcc, testLoss, testAcc, lr, examplesPerSecond);
    }

    /** Closes every view, reporting the first failure after trying them all. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (TrainView v : views) {
            try {
                v.close();
            } catch (IOException | UncheckedIOException e) {
                if (first == null) first = e instanceof IOException io ? io : ((UncheckedIOException) e).getCause();
            }
        }
        if (first != null) throw first;
    }

    private Map<String, float[]> weights() {
        Map<String, float[]> w = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) w.put(p.getKey(), floats(p.getValue()));
        return w;
    }

    private List<TrainView.Layer> layers(Map<String, float[]> old) {
        List<TrainView.Layer> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            float[] now = floats(p.getValue());
            float[] was = old.get(p.getKey());
            double w2 = 0, d2 = 0;
            for (int i = 0; i < now.length; i++) {
                w2 += (double) was[i] * was[i];
                double d = (double) now[i] - was[i];
                d2 += d * d;
            }
            Tensor g = p.getValue().grad();
            double gradNorm = g == null ? Double.NaN : norm(floats(g));
            out.add(new TrainView.Layer(p.getKey(), gradNorm, w2 == 0 ? Double.NaN : Math.sqrt(d2 / w2), Math.sqrt(w2)));
        }
        return out;
    }

    private List<TrainView.Histograms> histograms() {
        List<TrainView.Histograms> out = new ArrayList<>();
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            Tensor g = p.getValue().grad();
            out.add(new TrainView.Histograms(p.getKey(), Histogram.of(floats(p.getValue())),
                    g == null ? null : Histogram.of(floats(g))));
        }
        return out;
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return Math.sqrt(s);
    }

    private static float[] floats(Tensor t) {
        return t.detach().to(DType.FLOAT32).contiguous().toFloatArray();
    }
}
