package io.chainrule.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

/** Runs the program in process with captured output. */
final class Cli {
    /** What one run printed and returned. */
    record Run(int exit, String out, String err) {
        /** Standard error's lines, less the note a machine without Graphviz adds (it says nothing of the run). */
        List<String> errLines() {
            return err.isBlank() ? List.of() : Arrays.stream(err.strip().split("\\R"))
                    .filter(line -> !line.startsWith("note: Graphviz 'dot' is not on the PATH")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private Cli() {}

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
