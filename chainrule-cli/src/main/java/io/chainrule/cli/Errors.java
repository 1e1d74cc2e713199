package io.chainrule.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * Turns exceptions into one line on stderr and an exit code, never a stack trace: 2 for a command line picocli
 * rejects, 1 for everything that fails while running. {@code CHAINRULE_DEBUG=1} adds the stack trace.
 */
final class Errors {
    static final int USAGE = 2;
    static final int FAILURE = 1;

    private Errors() {}

    static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter err = cmd.getErr();
        String name = cmd.getCommandSpec().qualifiedName();
        err.println(name + ": " + oneLine(unknownCommand(e).orElse(e.getMessage())) + " (see '" + name + " --help')");
        if (debug()) e.printStackTrace(err);
        err.flush();
        return USAGE;
    }

    /**
     * "unknown command 'trian' (one of train, eval, ...)" for a first word that names no subcommand, where picocli
     * would say "Unmatched argument at index 0".
     */
    private static java.util.Optional<String> unknownCommand(CommandLine.ParameterException e) {
        CommandLine cmd = e.getCommandLine();
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || cmd.getSubcommands().isEmpty()
                || u.getUnmatched().isEmpty() || u.getUnmatched().get(0).startsWith("-")) {
            return java.util.Optional.empty();
        }
        String first = u.getUnmatched().get(0);
        java.util.List<String> names = cmd.getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
        // picocli suggests the nearest name however far it is; only a near miss (a typo) is worth a guess.
        String suggestion = names.stream().filter(n -> editDistance(n, first) <= 2).findFirst()
                .map(n -> "; did you mean '" + n + "'?").orElse("");
        return java.util.Optional.of("unknown command '" + first + "' (one of " + String.join(", ", names) + ", help)"
                + suggestion);
    }

    /** Levenshtein distance: the fewest single-letter insertions, deletions and changes from a to b. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int change = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(change, Math.min(prev[j], cur[j - 1]) + 1);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    static int onExecutionError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println(cmd.getCommandSpec().qualifiedName() + ": " + message(e));
        if (debug()) e.printStackTrace(err);
        err.flush();
        return FAILURE;
    }

    /** The user-facing text of an exception: its message for expected kinds, the type too for bugs. */
    static String message(Throwable e) {
        if (e instanceof UncheckedIOException u && u.getCause() != null) e = u.getCause();
        if (e instanceof IOException io) return oneLine(FileChecks.describe(io));
        if (e instanceof CliException || e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
        if (e instanceof OutOfMemoryError) {
            return "out of memory; give the JVM more with -J-Xmx4g (or JAVA_OPTS=-Xmx4g)";
        }
        if (e instanceof StackOverflowError) {
            return "stack overflow; give the JVM a bigger stack with -J-Xss16m";
        }
        return "internal error: " + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + oneLine(e.getMessage()))
                + " (set CHAINRULE_DEBUG=1 for the stack trace)";
    }

    static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static boolean debug() {
        String v = System.getenv("CHAINRULE_DEBUG");
        return v != null && !v.isEmpty() && !v.equals("0");
    }
}
