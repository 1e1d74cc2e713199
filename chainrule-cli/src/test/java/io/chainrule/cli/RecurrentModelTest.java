package io.chainrule.cli;

import io.chainrule.Tensor;
import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --model rnn|lstm|gru: images read row by row. */
class RecurrentModelTest {
    @Test
    void lstmReadsTheRowsAndTrains(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 60, 20);
        Path run = tmp.resolve("run");
        String[] opts = {"train", "--data", data.toString(), "--model", "lstm", "--hidden", "8", "--epochs", "2",
                "--batch-size", "16", "--lr", "0.02", "--out", run.toString()};
        Cli.Run r = Cli.run(opts);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("model     lstm 8×8 rows-8-2 (tanh), 594 parameters"), r.out());
        // LSTM 8→8: 4 gates × 8 × (8 + 8) weights + 2 × 4 × 8 biases = 576; the classifier 8·2 + 2 = 18.
        assertTrue(r.out().matches("(?s).*\\nrnn\\s+LSTM\\s+\\[N, 8, 8]\\s+576\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nfc\\s+Linear\\s+\\[N, 2]\\s+18\\n.*"), r.out());
        Map<String, Tensor> state = Safetensors.load(run.resolve("model.safetensors"));
        assertArrayEquals(new int[] {32, 8}, state.get("rnn.weight_ih_l0").shape());
        assertArrayEquals(new int[] {2, 8}, state.get("fc.weight").shape());
        assertEquals(0, Cli.run("eval", run.toString(), "--json").exit());
        Cli.Run p = Cli.run("predict", run.toString(), "--input", data.resolve("t10k-images-idx3-ubyte").toString());
        assertEquals(0, p.exit(), p::toString);
        assertEquals(20, p.out().lines().count());
        // Interrupted and resumed: the same parameters as the run above.
        Path split = tmp.resolve("split");
        String[] stopped = ValidationTest.concat(opts, "--stop-after-batches", "3");
        stopped[stopped.length - 3] = split.toString(); // the value of --out
        assertEquals(130, Cli.run(stopped).exit());
        assertEquals(0, Cli.run("train", "--resume", split.toString(), "--quiet").exit());
        assertArrayEquals(Files.readAllBytes(run.resolve("model.safetensors")),
                Files.readAllBytes(split.resolve("model.safetensors")));
    }

    @Test
    void stackedGruAndPlainRnn(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 20, 4);
        Path gru = tmp.resolve("gru");
        assertEquals(0, Cli.run("train", "--data", data.toString(), "--model", "gru", "--hidden", "6,6", "--epochs", "1",
                "--quiet", "--out", gru.toString()).exit());
        Map<String, Tensor> state = Safetensors.load(gru.resolve("model.safetensors"));
        assertArrayEquals(new int[] {18, 6}, state.get("rnn.weight_ih_l1").shape()); // 3 gates × 6, from layer 0's 6
        Path rnn = tmp.resolve("rnn");
        Cli.Run r = Cli.run("train", "--data", data.toString(), "--model", "rnn", "--activation", "relu", "--hidden", "4",
                "--epochs", "1", "--out", rnn.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("model     rnn 8×8 rows-4-2 (relu)"), r.out());
    }

    @Test
    void mistakes(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 20, 4);
        ErrorsTest.oneLineError("--model lstm reads gray images row by row; this data has input [2]", "train",
                "--model", "lstm", "--out", tmp.resolve("a").toString());
        ErrorsTest.oneLineError("--model gru stacks recurrent layers of one width", "train", "--data", data.toString(),
                "--model", "gru", "--hidden", "8,4", "--out", tmp.resolve("b").toString());
        ErrorsTest.oneLineError("--activation with --model lstm: none", "train", "--data", data.toString(), "--model",
                "lstm", "--activation", "relu", "--out", tmp.resolve("c").toString());
    }
}
