package io.chainrule.cli;

import io.chainrule.cli.train.OptimizerChoice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --help footers that fit 80 columns and list the default learning rates; --drop-last's count. */
class HelpTest {
    @Test
    void footersFitEightyColumns() {
        CommandLine main = Main.commandLine();
        for (String name : List.of("chainrule", "train", "eval", "predict", "summary", "export")) {
            CommandLine c = name.equals("chainrule") ? main : main.getSubcommands().get(name);
            for (String line : c.getCommandSpec().usageMessage().footer()) {
                assertTrue(line.length() <= 80, name + ": " + line.length() + " columns: " + line);
            }
        }
    }

    @Test
    void trainHelpListsEveryOptimizersDefaultLr() {
        Cli.Run r = Cli.run("train", "--help");
        String help = r.out().replaceAll("\\s+", " ");
        for (OptimizerChoice choice : OptimizerChoice.values()) {
            String opt = choice.cliName();
            if (!choice.takesLr()) {
                assertTrue(help.contains("cg and newton take none"), help);
                continue;
            }
            String lr = java.math.BigDecimal.valueOf(choice.defaultLr(false)).stripTrailingZeros().toPlainString();
            int at = help.indexOf(" " + opt + " ", help.indexOf("Default learning rates"));
            if (at < 0) at = help.indexOf(" " + opt + ",", help.indexOf("Default learning rates"));
            assertTrue(at > 0, opt + " in " + help);
            int semicolon = help.indexOf(';', at);
            assertTrue(help.substring(at, semicolon).contains(lr), opt + " " + lr + " in " + help.substring(at, semicolon));
        }
        assertTrue(help.contains("(0.001 on images)"), help);
        assertEquals(0.001, OptimizerChoice.ADAM.defaultLr(true));
    }

    @Test
    void dropLastSaysHowManyExamplesItDrops(@TempDir Path tmp) {
        // 135 training examples in batches of 32: 4 batches, 7 examples unused each epoch.
        Cli.Run r = Cli.run(TrainCommandTest.spiral(tmp.resolve("a"), "--epochs", "1", "--batch-size", "32",
                "--drop-last"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("batch 32 (drop last: 7 of 135 examples unused each epoch)"), r.out());
        Cli.Run json = Cli.run(TrainCommandTest.spiral(tmp.resolve("b"), "--epochs", "1", "--batch-size", "32",
                "--drop-last", "--json"));
        assertTrue(json.out().contains("\"batch_size\":32,\"dropped_per_epoch\":7,"), json.out());
    }
}
