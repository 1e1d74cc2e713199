package io.chainrule.cli.train;

import io.chainrule.nn.GELU;
import io.chainrule.nn.LeakyReLU;
import io.chainrule.nn.Module;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sigmoid;
import io.chainrule.nn.Tanh;

import java.util.List;
import java.util.function.Supplier;

/** The activations {@code --activation} names, each with its layer: the one list help, validation and models read. */
public enum ActivationChoice implements CliChoice {
    RELU("relu", ReLU::new), TANH("tanh", Tanh::new), SIGMOID("sigmoid", Sigmoid::new), GELU("gelu", GELU::new),
    LEAKY_RELU("leaky-relu", LeakyReLU::new);

    private final String cliName;
    private final Supplier<Module> layer;

    ActivationChoice(String cliName, Supplier<Module> layer) {
        this.cliName = cliName;
        this.layer = layer;
    }

    /** The choice {@code --activation name} means. */
    public static ActivationChoice of(String name) {
        return CliChoice.parse(ActivationChoice.class, "--activation", name);
    }

    /** Every name {@code --activation} accepts, in the order of the help. */
    public static List<String> names() {
        return CliChoice.names(ActivationChoice.class);
    }

    /** The names, for picocli's completion candidates and {@code ${COMPLETION-CANDIDATES}} in the help. */
    public static final class Names extends CliChoice.NameList<ActivationChoice> {
        public Names() {
            super(ActivationChoice.class);
        }
    }

    @Override
    public String cliName() {
        return cliName;
    }

    /** A new layer of this activation. */
    public Module layer() {
        return layer.get();
    }
}
