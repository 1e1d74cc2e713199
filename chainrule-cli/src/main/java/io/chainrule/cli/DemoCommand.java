package io.chainrule.cli;

import io.chainrule.cli.demo.ChainRuleDemo;
import io.chainrule.cli.demo.Demo;
import io.chainrule.cli.demo.DemoContext;
import io.chainrule.cli.demo.DeltaNotationDemo;
import io.chainrule.cli.demo.LayerRecurrenceDemo;
import io.chainrule.cli.demo.MiniBatchesDemo;
import io.chainrule.cli.demo.PreprocessingDemo;
import io.chainrule.cli.demo.ReparameterisationDemo;
import io.chainrule.cli.demo.SubgradientsDemo;
import io.chainrule.cli.demo.MatmulDemo;
import io.chainrule.cli.demo.MlpDeltasDemo;
import io.chainrule.cli.demo.OptimizersDemo;
import io.chainrule.cli.demo.PerceptronDemo;
import io.chainrule.cli.demo.TwoLayerDemo;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code chainrule demo NAME}: the tutorials as runnable walk-throughs. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Runs a tutorial as a walk-through: prints each number next to the formula it checks, "
                + "compares closed forms with autograd, and writes the graph picture (DOT, and SVG when Graphviz's "
                + "dot is on the PATH) into --out. Fails (exit 1) if a check does not hold.",
                "Without NAME: lists the demos."})
final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", completionCandidates = Names.class,
            description = "One of: ${COMPLETION-CANDIDATES}.")
    String name;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the graph pictures go (default runs/demo-NAME).")
    Path out;

    @Option(names = "--no-pictures", description = "Print only; write no files.")
    boolean noPictures;

    /** All demos, in the order they are listed. */
    static List<Demo> demos() {
        return List.of(new PerceptronDemo(), new ChainRuleDemo(), new MatmulDemo(), new TwoLayerDemo(),
                new MlpDeltasDemo(), new DeltaNotationDemo(), new LayerRecurrenceDemo(), new SubgradientsDemo(),
                new ReparameterisationDemo(), new MiniBatchesDemo(), new PreprocessingDemo(), new OptimizersDemo());
    }

    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return demos().stream().map(Demo::name).iterator();
        }
    }

    @Override
    public Integer call() throws Exception {
        CommandLine cmd = spec.commandLine();
        PrintWriter o = cmd.getOut();
        if (name == null) {
            o.println("Demos (chainrule demo NAME [--out DIR]):");
            for (Demo d : demos()) o.printf("  %-18s %s%n", d.name(), d.summary());
            o.flush();
            return 0;
        }
        Demo demo = demos().stream().filter(d -> d.name().equals(name)).findFirst().orElseThrow(() ->
                new CommandLine.ParameterException(cmd, "Invalid value for NAME: '" + name + "' is not a demo (one of "
                        + String.join(", ", demos().stream().map(Demo::name).toList()) + ")"));
        Path dir = null;
        if (!noPictures) dir = FileChecks.prepareOutputDir(out != null ? out : Path.of("runs", "demo-" + name));
        DemoContext ctx = new DemoContext(o, cmd.getErr(), dir);
        demo.run(ctx);
        if (!ctx.written().isEmpty()) {
            ctx.blank();
            for (Path p : ctx.written()) o.println("wrote " + p);
        }
        o.flush();
        long failed = ctx.failures();
        if (failed > 0) {
            cmd.getErr().println("chainrule demo " + name + ": " + failed + " of " + ctx.checks().size() + " checks failed");
            return Errors.FAILURE;
        }
        return 0;
    }
}
