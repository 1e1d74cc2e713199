package io.chainrule.cli;

import io.chainrule.DType;
import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --dtype float64: the parameters and inputs in double precision, through train, resume, eval, predict, export. */
class DtypeTest {
    private static double firstLoss(Path run) throws Exception {
        return Double.parseDouble(Files.readAllLines(run.resolve("metrics.csv")).get(1).split(",")[1]);
    }

    @Test
    void float64RunsEndToEnd(@TempDir Path tmp) throws Exception {
        String[] opts = {"--epochs", "3", "--batch-size", "50", "--dtype", "float64"};
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(run, opts));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains(", float64, 3 epochs"), r.out());
        assertEquals(DType.FLOAT64, Safetensors.load(run.resolve("model.safetensors")).get("0.weight").dtype());
        // The same initial weights and data as a float32 run: the first loss agrees to float32's precision.
        Path single = tmp.resolve("single");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(single, "--epochs", "1", "--batch-size", "50", "--quiet")).exit());
        assertEquals(firstLoss(single), firstLoss(run), 1e-6);
        Path split = tmp.resolve("split");
        assertEquals(130, Cli.run(TrainCommandTest.spiral(split, ValidationTest.concat(opts, "--stop-after-batches", "4",
                "--quiet"))).exit());
        assertEquals(0, Cli.run("train", "--resume", split.toString(), "--quiet").exit());
        assertArrayEquals(Files.readAllBytes(run.resolve("model.safetensors")),
                Files.readAllBytes(split.resolve("model.safetensors")));
        assertEquals(0, Cli.run("eval", run.toString(), "--json").exit());
        Path rows = Files.writeString(tmp.resolve("rows.csv"), "0.5,-0.2\n");
        Cli.Run p = Cli.run("predict", run.toString(), "--input", rows.toString());
        assertEquals(0, p.exit(), p::toString);
        Cli.Run s = Cli.run("summary", run.toString());
        assertEquals(0, s.exit(), s::toString);
        Cli.Run x = Cli.run("export", run.toString(), "--onnx", tmp.resolve("m.onnx").toString());
        assertEquals(0, x.exit(), x::toString);
        Cli.Run bad = Cli.run(TrainCommandTest.spiral(tmp.resolve("bad"), "--dtype", "float16"));
        assertTrue(bad.exit() != 0 && bad.err().contains("--dtype must be float32 or float64, got 'float16'"), bad.err());
    }
}
