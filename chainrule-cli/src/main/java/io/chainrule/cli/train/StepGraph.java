package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.cli.graph.DotWriter;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Trace;
import io.chainrule.nn.F;
import io.chainrule.nn.Module;

import java.util.Map;

/** The computational graph of one training step of a {@link io.chainrule.nn.Sequential}, one box per layer. */
public final class StepGraph {
    private StepGraph() {}

    /**
     * Runs forward and backward on {@code x}, {@code y} (a few examples) layer by layer and returns the DOT text.
     * Leaves the parameters' gradients cleared, so the training that follows is unaffected. (The trace's gradient
     * hooks stay on the parameters' accumulator nodes, which live as long as the parameters; once the trace is done
     * they do nothing.)
     */
    public static String dot(Module model, Tensor x, Tensor y, String title) {
        return DotWriter.render(graph(model, x, y), title);
    }

    /** The traced graph of one step, with values and gradients, as {@link #dot} draws it. */
    public static GraphModel graph(Module model, Tensor x, Tensor y) {
        Trace tr = new Trace();
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) tr.leaf(p.getKey(), p.getValue());
        // The input as a leaf that requires grad, so the picture shows it (and ∂loss/∂input) instead of "constant".
        Tensor h = x.dtype().isFloatingPoint() ? tr.leaf("input", x.detach().clone().requiresGrad(true)) : x;
        for (Map.Entry<String, Module> c : model.namedChildren().entrySet()) {
            String label = c.getKey() + ": " + c.getValue().getClass().getSimpleName();
            h = c.getValue().forward(h);
            tr.module(label, tr.name(label, h));
        }
        Tensor loss = tr.module("loss: cross-entropy", tr.name("loss", F.crossEntropy(h, y)));
        GraphModel g = tr.backward(loss);
        model.zeroGrad();
        return g;
    }
}
