package io.chainrule.cli;

/** A mistake the user can fix (bad value, missing file, unwritable folder): printed as one line, exit code 1. */
public class CliException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CliException(String message) {
        super(message);
    }

    public CliException(String message, Throwable cause) {
        super(message, cause);
    }
}
