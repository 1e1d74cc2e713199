package io.chainrule.cli;

import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.ModelSummary;
import io.chainrule.cli.train.Models;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code chainrule summary}: a run's settings and its model's layers, output shapes and parameter counts. */
@Command(name = "summary", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = "Prints a run's settings and its model layer by layer: output shape and parameter count (as "
                + "Keras's summary()).",
        footer = {"", "Example:", "  chainrule summary runs/2025-01-01_12-00-00"})
final class SummaryCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "A run folder that 'chainrule train' wrote.")
    Path run;

    @Override
    public Integer call() {
        Checkpoint ck = Checkpoint.read(run);
        var o = spec.commandLine().getOut();
        o.println("run       " + ck.dir());
        o.println("settings  " + ck.config().describe() + ck.tuning().describe());
        o.println("progress  " + ck.epoch() + " epoch" + (ck.epoch() == 1 ? "" : "s") + " done, " + ck.step()
                + " steps" + (ck.best() == null ? "" : ", best epoch " + ck.best().epoch() + " by "
                + ck.validation().monitor()));
        o.println("input     " + HumanFormat.shape(ck.inputShape()) + ", " + ck.classes() + " classes");
        o.println();
        o.print(ModelSummary.table(ModelSummary.of(Models.build(ck), ck.inputShape())));
        o.flush();
        return 0;
    }
}
