package io.chainrule.cli.live;

import io.chainrule.cli.graph.GraphJson;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.tensorboard.Histogram;
import io.chainrule.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the browser view knows of a run training in this process, kept small by thinning ({@link Thinned}), and
 * saved as {@code RUN/live.json} after epochs (at most once a second) and at the end, so that {@code chainrule ui}
 * shows the run later.
 *
 * <p>The JSON: {@code {"name", "live", "done", "steps": {"step", "epoch", "loss", "accuracy", "lr",
 * "examplesPerSecond"}, "epochs": {"epoch", "step", "trainLoss", "trainAcc", "testLoss", "testAcc", "lr",
 * "examplesPerSecond"}, "layers": {"names", "step", "gradNorm": [per layer], "updateRatio": [per layer]},
 * "histograms": [{"step", "epoch", "layers": [{"name", "weights", "grads"}]}], "graph": {"nodes", "edges"}}}},
 * each series an array of numbers (null for NaN), a histogram {@code {"min", "max", "limits", "counts"}}.
 */
public final class LiveState implements TrainView, RunSource {
    static final String FILE = "live.json";
    private static final int STEP_POINTS = 4000;
    private static final int LAYER_POINTS = 1500;
    private static final int HISTOGRAM_SNAPSHOTS = 40;
    private static final long SAVE_INTERVAL_NS = 1_000_000_000L;

    private record Snapshot(long step, int epoch, List<Histograms> layers) {}

    private record LayerPoint(long step, List<Layer> layers) {}

    private final Path dir;
    private final Thinned<Step> steps = new Thinned<>(STEP_POINTS);
    private final List<double[]> epochs = new ArrayList<>();
    private final Thinned<LayerPoint> layers = new Thinned<>(LAYER_POINTS);
    private final Thinned<Snapshot> histograms = new Thinned<>(HISTOGRAM_SNAPSHOTS);
    private String graph = "null";
    private boolean done;
    private long lastSave;

    public LiveState(Path dir) {
        this.dir = dir;
    }

    @Override
    public Path dir() {
        return dir;
    }

    @Override
    public synchronized void graph(GraphModel g) {
        Json j = new Json().open().key("nodes").openArray();
        for (GraphJson.Node n : GraphJson.nodes(g)) {
            j.open().field("id", n.id()).field("op", n.op()).field("name", n.name()).field("shape", n.shape())
                    .field("cluster", n.cluster()).field("rule", n.rule()).field("value", n.value())
                    .field("grad", n.grad()).key("leaf").bool(n.leaf()).key("root").bool(n.root()).close();
        }
        j.closeArray().key("edges").openArray();
        for (String[] e : GraphJson.edges(g)) j.openArray().str(e[0]).str(e[1]).closeArray();
        graph = j.closeArray().close().toString();
    }

    @Override
    public synchronized void step(Step s) {
        steps.add(s);
    }

    @Override
    public synchronized void layers(long step, List<Layer> l) {
        layers.add(new LayerPoint(step, List.copyOf(l)));
    }

    @Override
    public synchronized void histograms(long step, int epoch, List<Histograms> h) {
        histograms.add(new Snapshot(step, epoch, List.copyOf(h)));
    }

    @Override
    public void epoch(int epoch, long step, double trainLoss, double trainAcc, double testLoss, double testAcc,
                      double lr, double examplesPerSecond) throws IOException {
        synchronized (this) {
            epochs.add(new double[] {epoch, step, trainLoss, trainAcc, testLoss, testAcc, lr, examplesPerSecond});
        }
        if (System.nanoTime() - lastSave > SAVE_INTERVAL_NS) save();
    }

    /** Training ended: the page shows the run as finished. */
    public synchronized void finish() {
        done = true;
    }

    @Override
    public void close() throws IOException {
        finish();
        save();
    }

    private void save() throws IOException {
        String text;
        synchronized (this) {
            text = json(false);
        }
        AtomicFiles.writeString(dir.resolve(FILE), text);
        lastSave = System.nanoTime();
    }

    @Override
    public synchronized String json() {
        return json(true);
    }

    private String json(boolean live) {
        Json j = new Json().open().field("name", name()).key("live").bool(live && !done).key("done").bool(done);
        List<Step> st = steps.items();
        j.key("steps").open();
        column(j, "step", st.size(), i -> st.get(i).step());
        column(j, "epoch", st.size(), i -> st.get(i).epoch());
        column(j, "loss", st.size(), i -> st.get(i).loss());
        column(j, "accuracy", st.size(), i -> st.get(i).accuracy());
        column(j, "lr", st.size(), i -> st.get(i).lr());
        column(j, "examplesPerSecond", st.size(), i -> st.get(i).examplesPerSecond());
        j.close();
        j.key("epochs").open();
        String[] names = {"epoch", "step", "trainLoss", "trainAcc", "testLoss", "testAcc", "lr", "examplesPerSecond"};
        for (int c = 0; c < names.length; c++) {
            int col = c;
            column(j, names[c], epochs.size(), i -> epochs.get(i)[col]);
        }
        j.close();
        List<LayerPoint> lp = layers.items();
        j.key("layers").open().key("names").openArray();
        int nl = lp.isEmpty() ? 0 : lp.get(0).layers().size();
        for (int l = 0; l < nl; l++) j.str(lp.get(0).layers().get(l).name());
        j.closeArray();
        column(j, "step", lp.size(), i -> lp.get(i).step());
        j.key("gradNorm").openArray();
        for (int l = 0; l < nl; l++) {
            int layer = l;
            series(j, lp.size(), i -> lp.get(i).layers().get(layer).gradNorm());
        }
        j.closeArray().key("updateRatio").openArray();
        for (int l = 0; l < nl; l++) {
            int layer = l;
            series(j, lp.size(), i -> lp.get(i).layers().get(layer).updateRatio());
        }
        j.closeArray().close();
        j.key("histograms").openArray();
        for (Snapshot s : histograms.items()) {
            j.open().field("step", s.step()).field("epoch", s.epoch()).key("layers").openArray();
            for (Histograms h : s.layers()) {
                j.open().field("name", h.name());
                histogram(j.key("weights"), h.weights());
                histogram(j.key("grads"), h.grads());
                j.close();
            }
            j.closeArray().close();
        }
        j.closeArray();
        j.key("graph").raw(graph);
        return j.close().toString();
    }

    private interface Column {
        double at(int i);
    }

    private static void column(Json j, String key, int n, Column c) {
        series(j.key(key), n, c);
    }

    private static void series(Json j, int n, Column c) {
        j.openArray();
        for (int i = 0; i < n; i++) j.num(c.at(i));
        j.closeArray();
    }

    private static void histogram(Json j, Histogram h) {
        if (h == null) {
            j.raw("null");
            return;
        }
        j.open().field("min", h.min()).field("max", h.max()).key("limits").nums(h.limits(), h.limits().length)
                .key("counts").nums(h.counts(), h.counts().length).close();
    }
}
