package io.chainrule.cli.live;

import io.chainrule.cli.tensorboard.TensorBoardView;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code chainrule train}'s options for watching a run: {@code --tensorboard}. */
public final class ViewOptions {
    @Option(names = "--tensorboard", description = "Also write TensorBoard event files into OUT/tensorboard/: loss, "
            + "accuracy, learning rate, speed per step, per-layer gradient norms and update ratios, histograms of "
            + "weights and gradients (view with: tensorboard --logdir OUT/tensorboard).")
    boolean tensorboard;

    /** The observer for these options in run folder {@code dir}, or null when none is asked for. */
    public TrainObserver open(Path dir, PrintWriter out, boolean quiet) throws IOException {
        List<TrainView> views = new ArrayList<>();
        if (tensorboard) {
            TensorBoardView tb = new TensorBoardView(dir.resolve("tensorboard"));
            views.add(tb);
            if (!quiet) out.println("tensorboard " + tb.file() + "  (tensorboard --logdir " + dir.resolve("tensorboard") + ")");
        }
        return views.isEmpty() ? null : new TrainObserver(views);
    }
}
