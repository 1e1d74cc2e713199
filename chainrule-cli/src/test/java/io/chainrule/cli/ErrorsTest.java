package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mistakes a person makes: one line on stderr, a non-zero exit, no stack trace. */
class ErrorsTest {
    static Cli.Run oneLineError(String expectInMessage, String... args) {
        Cli.Run r = Cli.run(args);
        assertNotEquals(0, r.exit(), r::toString);
        assertEquals(1, r.errLines().size(), () -> "want one line on stderr:\n" + r);
        String line = r.errLines().get(0);
        assertTrue(line.startsWith("chainrule"), line);
        assertFalse(line.contains("Exception") || r.err().contains("\tat "), () -> "no stack trace:\n" + r);
        assertTrue(line.contains(expectInMessage), () -> "'" + expectInMessage + "' not in: " + line);
        return r;
    }

    @Test
    void unknownSubcommand() {
        Cli.Run r = oneLineError("chainrule: unknown command 'trian' (one of train, eval, ", "trian");
        assertTrue(r.err().contains("did you mean 'train'?"), r.err());
        Cli.Run far = oneLineError("chainrule: unknown command 'nosuch' (one of train, eval, predict, summary, ", "nosuch");
        assertFalse(far.err().contains("did you mean"), "no guess for a word far from every command: " + far.err());
    }

    @Test
    void unknownFlag() {
        Cli.Run r = oneLineError("Unknown option: '--bogus'", "graph", "--expr", "mlp", "--bogus");
        assertEquals(2, r.exit());
    }

    @Test
    void unknownExampleName() {
        oneLineError("'nope' is not a built-in example", "graph", "--expr", "nope");
    }

    @Test
    void unknownDemo() {
        oneLineError("'nope' is not a demo", "demo", "nope");
    }

    @Test
    void badExpression() {
        Cli.Run r = oneLineError("at column 12: unexpected ')'", "graph", "sigmoid(a +)");
        assertEquals(1, r.exit());
    }

    @Test
    void unknownFunction() {
        oneLineError("unknown function 'sigmod'", "graph", "sigmod(a)");
    }

    @Test
    void shapeMismatchInExpression() {
        oneLineError("matmul", "graph", "sum(x @ y)", "-v", "x=[1, 2, 3]", "-v", "y=[1, 2]");
    }

    @Test
    void badVariableValue() {
        oneLineError("value of a is not a number", "graph", "a*b", "-v", "a=one");
    }

    @Test
    void missingExpression() {
        oneLineError("give an EXPRESSION or --expr", "graph");
    }

    @Test
    void outputFolderBlockedByAFile(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "x");
        oneLineError("cannot", "graph", "--expr", "chain-rule", "--out", file.resolve("sub").toString());
        oneLineError("is not a folder", "demo", "matmul", "--out", file.toString());
    }
}
