package io.chainrule.cli.train;

import io.chainrule.Tensor;
import io.chainrule.nn.Linear;
import io.chainrule.nn.Module;
import io.chainrule.nn.RecurrentLayer;

/**
 * A recurrent classifier for images read row by row ({@code --model rnn|lstm|gru}): an image [1, H, W] is a
 * sequence of H rows of W pixels; the recurrent layers (batch first) read it, and a linear layer classifies the
 * last step's hidden state. State-dict keys follow PyTorch: {@code rnn.weight_ih_l0}, ..., {@code fc.weight}.
 */
final class RowSequenceModel extends Module {
    private final Module rows;
    private final RecurrentLayer rnn;
    private final Module last;
    private final Linear fc;

    /**
     * @param kind         a recurrent model: rnn, lstm or gru
     * @param nonlinearity the plain RNN's: tanh or relu
     * @param layers       stacked recurrent layers, each of {@code hidden} units
     */
    RowSequenceModel(ModelChoice kind, String nonlinearity, int height, int width, int hidden, int layers, int classes) {
        // Children in the order forward runs them (the training-step graph and the summary walk them so).
        this.rows = register("rows", new Rows(height, width));
        this.rnn = register("rnn", kind.recurrentLayers(width, hidden, layers, nonlinearity));
        this.last = register("last", new LastStep());
        this.fc = register("fc", new Linear(hidden, classes));
    }

    @Override
    public Tensor forward(Tensor x) {
        return fc.forward(last.forward(rnn.forward(rows.forward(x))));
    }

    /** [N, 1, H, W] → [N, H, W]: H steps of W features. */
    static final class Rows extends Module {
        private final int height;
        private final int width;

        Rows(int height, int width) {
            this.height = height;
            this.width = width;
        }

        @Override
        public Tensor forward(Tensor x) {
            return x.reshape(x.shape()[0], height, width);
        }
    }

    /** [N, H, hidden] → [N, hidden]: the state after the last row. */
    static final class LastStep extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.select(1, x.shape()[1] - 1);
        }
    }
}
