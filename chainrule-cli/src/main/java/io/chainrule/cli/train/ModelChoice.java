package io.chainrule.cli.train;

import io.chainrule.nn.GRU;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.RNN;
import io.chainrule.nn.RecurrentLayer;

import java.util.List;

/**
 * The model families {@code --model} names: the one list that the option's help and completion, its validation and
 * the model builder ({@link Models}) read. The recurrent ones read gray images row by row ({@link RowSequenceModel}).
 */
public enum ModelChoice implements CliChoice {
    MLP("mlp"), CNN("cnn"), RNN("rnn"), LSTM("lstm"), GRU("gru");

    private final String cliName;

    ModelChoice(String cliName) {
        this.cliName = cliName;
    }

    /** The choice {@code --model name} means. */
    public static ModelChoice of(String name) {
        return CliChoice.parse(ModelChoice.class, "--model", name);
    }

    /** Every name {@code --model} accepts, in the order of the help. */
    public static List<String> names() {
        return CliChoice.names(ModelChoice.class);
    }

    /** The names, for picocli's completion candidates and {@code ${COMPLETION-CANDIDATES}} in the help. */
    public static final class Names extends CliChoice.NameList<ModelChoice> {
        public Names() {
            super(ModelChoice.class);
        }
    }

    @Override
    public String cliName() {
        return cliName;
    }

    /** True for the models that read images row by row. */
    public boolean isRecurrent() {
        return this == RNN || this == LSTM || this == GRU;
    }

    /**
     * The batch-first recurrent layers of a recurrent model, {@code layers} deep, over rows of {@code width}.
     *
     * @param nonlinearity the plain RNN's, tanh or relu (the gated cells have their own)
     */
    RecurrentLayer recurrentLayers(int width, int hidden, int layers, String nonlinearity) {
        return switch (this) {
            case RNN -> new RNN(width, hidden, layers, true, nonlinearity);
            case LSTM -> new LSTM(width, hidden, layers, true);
            case GRU -> new GRU(width, hidden, layers, true);
            default -> throw new IllegalStateException(cliName + " is not a recurrent model");
        };
    }
}
