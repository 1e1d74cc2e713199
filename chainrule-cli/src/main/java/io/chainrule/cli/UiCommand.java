package io.chainrule.cli;

import io.chainrule.cli.live.LiveServer;
import io.chainrule.cli.live.RunSource;
import io.chainrule.cli.live.SavedRun;
import io.chainrule.cli.live.ViewOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code chainrule ui RUN_DIR...}: the browser view of finished runs, side by side, until Ctrl-C. */
@Command(name = "ui", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Serves the browser view of one or more run folders on http://127.0.0.1:PORT/ until Ctrl-C: "
                + "their curves side by side, and for runs trained with --ui their gradient flow, histograms and "
                + "clickable graph (runs without it show their metrics.csv curves)."},
        footer = {"", "Examples:", "  chainrule ui runs/2025-01-01_12-00-00", "  chainrule ui runs/* --port 8080"})
final class UiCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "RUN_DIR", description = "Run folders (with live.json or metrics.csv).")
    List<Path> runs;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "" + ViewOptions.DEFAULT_PORT,
            description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--serve-seconds", hidden = true, description = "Testing: stop after this many seconds.")
    double serveSeconds;

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        List<RunSource> sources = new ArrayList<>();
        for (Path p : runs) {
            try {
                sources.add(new SavedRun(p));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, e.getMessage());
            }
        }
        if (port < 0 || port > 65535) throw new CommandLine.ParameterException(cmd, "--port must be 0..65535, got " + port);
        try (LiveServer server = LiveServer.start(port, sources)) {
            cmd.getOut().println("serving " + sources.size() + " run" + (sources.size() == 1 ? "" : "s") + " on "
                    + server.url() + " (Ctrl-C to stop)");
            cmd.getOut().flush();
            long until = serveSeconds > 0 ? System.nanoTime() + (long) (serveSeconds * 1e9) : Long.MAX_VALUE;
            while (System.nanoTime() < until) Thread.sleep(Math.max(1, Math.min(1000, (until - System.nanoTime()) / 1_000_000)));
        }
        return 0;
    }
}
