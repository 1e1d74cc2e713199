package io.chainrule.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The {@code chainrule} program. Every subcommand prints to {@code spec.commandLine().getOut()} so tests can run
 * it in process with {@link #commandLine()} and captured writers.
 */
@Command(name = "chainrule", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, usageHelpAutoWidth = true,
        description = "Tensors, autograd and neural networks on the plain JVM - shown step by step.",
        subcommands = {TrainCommand.class, EvalCommand.class, PredictCommand.class, SummaryCommand.class, ExportCommand.class, GraphCommand.class, DemoCommand.class, UiCommand.class,
                CommandLine.HelpCommand.class},
        footer = {"", "Examples:",
                "  chainrule train                  a spiral, an MLP, Adam: charts and a",
                "                                   checkpoint in runs/",
                "  chainrule eval runs/<date_time>",
                "  chainrule predict runs/<date_time> --input points.csv",
                "  chainrule summary runs/<date_time>",
                "  chainrule ui runs/<date_time>    the runs in a browser (train --ui: live)",
                "  chainrule export runs/<date_time> --onnx model.onnx",
                "  chainrule demo perceptron",
                "  chainrule graph --expr chain-rule --out graphs",
                "  chainrule graph 'sigmoid(a*wa + b*wb)' -v a=1.5 -v wa=0.8"})
public final class Main implements Runnable {
    /** {@code --version}: the release, and the matrix-multiply kernels this JVM runs (tile and vector size). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"chainrule 0.1.0", io.chainrule.tensor.Gemm.kernelInfo()};
        }
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The configured command line: one-line errors, exit codes 2 (usage) and 1 (failure). */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setParameterExceptionHandler(Errors::onParameterError);
        cmd.setExecutionExceptionHandler(Errors::onExecutionError);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    public static void main(String[] args) {
        CommandLine cmd = commandLine();
        cmd.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true));
        cmd.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true));
        int code;
        try {
            code = cmd.execute(args);
        } catch (Throwable t) { // errors (out of memory, stack overflow) pass picocli's handlers
            cmd.getErr().println("chainrule: " + Errors.message(t));
            code = Errors.FAILURE;
        }
        System.exit(code);
    }
}
