package io.chainrule.cli.train;

import io.chainrule.cli.CliException;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/** A value of an enum that an option names on the command line (--optimizer, --model, --activation). */
interface CliChoice {
    /** The name on the command line and in checkpoints. */
    String cliName();

    /** Every name of {@code type}, in declaration order (the order of the help). */
    static <E extends Enum<E> & CliChoice> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(CliChoice::cliName).toList();
    }

    /**
     * The names of one choice enum as picocli's completion candidates (and {@code ${COMPLETION-CANDIDATES}} in the
     * help): picocli instantiates the class it is given, so each enum has a public subclass with a no-argument
     * constructor naming its type.
     */
    abstract class NameList<E extends Enum<E> & CliChoice> implements Iterable<String> {
        private final Class<E> type;

        NameList(Class<E> type) {
            this.type = type;
        }

        @Override
        public Iterator<String> iterator() {
            return names(type).iterator();
        }
    }

    /** The constant of {@code type} that {@code option name} means, or a one-line error listing the names. */
    static <E extends Enum<E> & CliChoice> E parse(Class<E> type, String option, String name) {
        for (E c : type.getEnumConstants()) if (c.cliName().equals(name)) return c;
        throw new CliException("unknown " + option + " '" + name + "' (one of " + String.join(", ", names(type)) + ")");
    }
}
