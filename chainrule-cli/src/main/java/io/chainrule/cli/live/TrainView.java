package io.chainrule.cli.live;

import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.tensorboard.Histogram;

import java.io.Closeable;
import java.io.IOException;
import java.util.List;

/** Something that shows a run as it trains: the browser view's state, a TensorBoard event file. */
public interface TrainView extends Closeable {
    /**
     * One optimizer step's numbers; the loss and accuracy are the batch's, before the update.
     *
     * @param epoch 1-based epoch the step belongs to
     */
    record Step(long step, int epoch, double loss, double accuracy, double lr, double examplesPerSecond) {}

    /** One parameter's gradient norm and the norm of its last update relative to its own norm. */
    record Layer(String name, double gradNorm, double updateRatio, double weightNorm) {}

    /** The histograms of one parameter's values and gradient. {@code grads} is null before any backward. */
    record Histograms(String name, Histogram weights, Histogram grads) {}

    /** The graph of one step with values and gradients; the parameters are those at the start of the run. */
    default void graph(GraphModel graph) throws IOException {}

    void step(Step s) throws IOException;

    void layers(long step, List<Layer> layers) throws IOException;

    void histograms(long step, int epoch, List<Histograms> histograms) throws IOException;

    /** An epoch's summary, as in metrics.csv; NaN test columns when there is no test set. */
    void epoch(int epoch, long step, double trainLoss, double trainAcc, double testLoss, double testAcc, double lr,
               double examplesPerSecond) throws IOException;

    /** The run has ended (finished, stopped or failed). */
    @Override
    void close() throws IOException;
}
