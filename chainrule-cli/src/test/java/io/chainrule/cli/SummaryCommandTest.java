package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model summary train prints before training, and {@code chainrule summary RUN}. */
class SummaryCommandTest {
    private static void assertRow(String out, String name, String type, String shape, String params) {
        Pattern row = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+" + Pattern.quote(type) + "\\s+"
                + Pattern.quote(shape) + "\\s+" + Pattern.quote(params) + "$");
        assertTrue(row.matcher(out).find(), name + " " + type + " " + shape + " " + params + " in\n" + out);
    }

    @Test
    void mlpLayersBeforeTrainingAndFromTheRun(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(run, "--epochs", "1", "--dropout", "0.1"));
        assertEquals(0, r.exit(), r::toString);
        for (String out : new String[] {r.out(), Cli.run("summary", run.toString()).out()}) {
            assertRow(out, "0", "Linear", "[N, 32]", "96");      // 2·32 + 32
            assertRow(out, "1", "ReLU", "[N, 32]", "0");
            assertRow(out, "2", "Dropout", "[N, 32]", "0");
            assertRow(out, "3", "Linear", "[N, 32]", "1,056");   // 32·32 + 32
            assertRow(out, "6", "Linear", "[N, 3]", "99");       // 32·3 + 3
            assertTrue(out.contains("total 1,251 parameters (4.9 KiB as float32)"), out);
        }
        assertTrue(r.out().indexOf("total 1,251") < r.out().indexOf("epoch 1/1"), "before the first epoch");
        Cli.Run s = Cli.run("summary", run.toString());
        assertTrue(s.out().contains("1 epoch done") && s.out().contains("dropout 0.1"), s.out());
    }

    @Test
    void cnnShapesThroughConvolutionAndPooling(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 20, 4);
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run("train", "--data", data.toString(), "--model", "cnn", "--hidden", "8", "--epochs", "1",
                "--out", run.toString());
        assertEquals(0, r.exit(), r::toString);
        assertRow(r.out(), "0", "Conv2d", "[N, 16, 8, 8]", "160");     // 16·1·3·3 + 16
        assertRow(r.out(), "2", "MaxPool2d", "[N, 16, 4, 4]", "0");
        assertRow(r.out(), "3", "Conv2d", "[N, 32, 4, 4]", "4,640");   // 32·16·9 + 32
        assertRow(r.out(), "5", "MaxPool2d", "[N, 32, 2, 2]", "0");
        assertRow(r.out(), "6", "Flatten", "[N, 128]", "0");
        assertRow(r.out(), "7", "Linear", "[N, 8]", "1,032");          // 128·8 + 8
    }

    @Test
    void quietAndJsonPrintNoTable(@TempDir Path tmp) {
        Cli.Run r = Cli.run(TrainCommandTest.spiral(tmp.resolve("run"), "--epochs", "1", "--json"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(!r.out().contains("output shape"), r.out());
        Cli.Run missing = Cli.run("summary", tmp.resolve("nothing").toString());
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }
}
