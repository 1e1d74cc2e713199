package io.chainrule.cli.train;

import io.chainrule.cli.CliException;

import java.util.Arrays;
import java.util.List;

/** A value of an enum that an option names on the command line (--optimizer, --model, --activation). */
interface CliChoice {
    /** The name on the command line and in checkpoints. */
    String cliName();

    /** Every name of {@code type}, in declaration order (the order of the help). */
    static <E extends Enum<E> & CliChoice> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(CliChoice::cliName).toList();
    }

    /** The constant of {@code type} that {@code option name} means, or a one-line error listing the names. */
    static <E extends Enum<E> & CliChoice> E parse(Class<E> type, String option, String name) {
        for (E c : type.getEnumConstants()) if (c.cliName().equals(name)) return c;
        throw new CliException("unknown " + option + " '" + name + "' (one of " + String.join(", ", names(type)) + ")");
    }
}
