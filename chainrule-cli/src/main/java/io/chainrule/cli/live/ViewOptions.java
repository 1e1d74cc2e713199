package io.chainrule.cli.live;

import io.chainrule.cli.tensorboard.TensorBoardView;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** {@code chainrule train}'s options for watching a run: {@code --ui [PORT]} and {@code --tensorboard}. */
public final class ViewOptions {
    /** The port {@code --ui} without a number serves on. */
    public static final int DEFAULT_PORT = 6060;

    @Option(names = "--ui", arity = "0..1", paramLabel = "PORT", fallbackValue = "" + DEFAULT_PORT,
            description = "Serve a live view of the run on http://127.0.0.1:PORT/ (default " + DEFAULT_PORT + "; 0: any "
                    + "free port): loss, accuracy, learning rate, speed, gradient flow per layer, histograms, the "
                    + "clickable graph of a step. Saves OUT/live.json for 'chainrule ui OUT'. In a terminal the page "
                    + "stays up after training until Ctrl-C; otherwise it stops with the run.")
    Integer uiPort;

    @Option(names = "--tensorboard", description = "Also write TensorBoard event files into OUT/tensorboard/: loss, "
            + "accuracy, learning rate, speed per step, per-layer gradient norms and update ratios, histograms of "
            + "weights and gradients (view with: tensorboard --logdir OUT/tensorboard).")
    boolean tensorboard;

    private LiveServer server;
    private LiveState state;

    /** The observer for these options in run folder {@code dir}, or null when none is asked for. */
    public TrainObserver open(Path dir, PrintWriter out, boolean quiet) throws IOException {
        List<TrainView> views = new ArrayList<>();
        if (uiPort != null) {
            state = new LiveState(dir);
            server = LiveServer.start(uiPort, List.of(state));
            views.add(state);
            views.add(new ServerView(server));
            if (!quiet) out.println("live view " + server.url());
        }
        if (tensorboard) {
            TensorBoardView tb = new TensorBoardView(dir.resolve("tensorboard"));
            views.add(tb);
            if (!quiet) out.println("tensorboard " + tb.file() + "  (tensorboard --logdir " + dir.resolve("tensorboard") + ")");
        }
        out.flush();
        return views.isEmpty() ? null : new TrainObserver(views);
    }

    /**
     * After a finished run with {@code --ui} in a terminal: keeps the page up until {@code stop} says so (Ctrl-C),
     * polling it. Scripts and tests (no terminal) return at once, and the server stops with the run.
     */
    public void linger(boolean terminal, BooleanSupplier stop, PrintWriter out) throws InterruptedException {
        if (server == null || !terminal) return;
        state.finish();
        out.println("training done; the live view stays at " + server.url() + " until Ctrl-C");
        out.flush();
        while (!stop.getAsBoolean()) Thread.sleep(200);
    }

    /**
     * Closes {@code observer} (saves live.json, flushes the TensorBoard file, stops the server). A failure is a
     * warning on {@code err}, not an error: the run's own files are written, and an exception here would hide the
     * run's own failure.
     */
    public static void close(TrainObserver observer, PrintWriter err, boolean quiet) {
        if (observer == null) return;
        try {
            observer.close();
        } catch (IOException | RuntimeException e) {
            if (!quiet) err.println("warning: the live view or TensorBoard files were not completed: " + e.getMessage());
            err.flush();
        }
    }

    /** Stops the server when the observer closes, after the state is saved. */
    private record ServerView(LiveServer server) implements TrainView {
        @Override public void step(Step s) {}
        @Override public void layers(long step, List<Layer> layers) {}
        @Override public void histograms(long step, int epoch, List<Histograms> histograms) {}
        @Override public void epoch(int epoch, long step, double trainLoss, double trainAcc, double testLoss,
                                    double testAcc, double lr, double examplesPerSecond) {}
        @Override public void close() {
            server.close();
        }
    }
}
