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
        err.println(name + ": " + oneLine(e.getMessage()) + " (see '" + name + " --help')");
        if (debug()) e.printStackTrace(err);
        err.flush();
        return USAGE;
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
        if (e instanceof IOException io) return oneLine(Files2.describe(io));
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
