package io.chainrule.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.Models;
import io.chainrule.data.Datasets;
import io.chainrule.nn.Module;
import io.chainrule.onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code chainrule export} and {@code chainrule eval --model FILE.onnx}, end to end on small runs. */
class ExportCommandTest {
    /**
     * A small spiral run (3 classes, 2 features, 32-32 hidden). No validation split: the ONNX file's eval sees the
     * whole data set as "train", and so must the run's.
     */
    private static Path spiralRun(Path tmp) {
        Path run = tmp.resolve("run");
        Cli.Run r = Cli.run(TrainCommandTest.spiral(run, "--epochs", "40", "--lr", "0.02", "--val-split", "0", "--quiet"));
        assertEquals(0, r.exit(), r::toString);
        return run;
    }

    /** A run on CSV features, which the run standardises (so the file carries the mean and std). */
    private static Path csvRun(Path tmp) throws Exception {
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 60; i++) {
            double x = (i % 10) * 3.0 + 100, y = (i / 10) / 6.0;
            sb.append(x).append(',').append(y).append(',').append(x > 113 ? 1 : 0).append('\n');
        }
        Path csv = Files.writeString(tmp.resolve("points.csv"), sb.toString());
        Path run = tmp.resolve("csvrun");
        Cli.Run r = Cli.run("train", "--data", csv.toString(), "--epochs", "30", "--batch-size", "0", "--hidden", "8",
                "--val-split", "0", "--out", run.toString(), "--quiet");
        assertEquals(0, r.exit(), r::toString);
        return run;
    }

    @Test
    void exportedRunGivesTheRunsOutputsInOnnxRuntime(@TempDir Path tmp) throws Exception {
        Path run = spiralRun(tmp);
        Path file = tmp.resolve("out/spiral.onnx");
        Cli.Run r = Cli.run("export", run.toString(), "--onnx", file.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("wrote") && r.out().contains("[batch, 3] logits"), r.out());

        Checkpoint ck = Checkpoint.read(run);
        Module model = Models.build(ck.config(), ck.inputShape(), ck.classes());
        ck.loadModel(model);
        model.eval();
        Tensor x = Datasets.spiral(40, 3, 0.2, new Generator(99)).x(); // 120 points the run never saw
        Tensor expected;
        try (var g = Autograd.noGrad()) {
            expected = model.forward(x);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), new long[] {120, 2});
             OrtSession.Result out = s.run(Map.of("input", in))) {
            OnnxTensor logits = (OnnxTensor) out.get(0);
            assertArrayEquals(new long[] {120, 3}, logits.getInfo().getShape());
            float[] values = new float[360];
            logits.getFloatBuffer().get(values);
            Tensor got = Tensor.of(values, 120, 3);
            double diff = got.sub(expected).abs().max().item();
            System.out.printf("chainrule export (spiral MLP run): max |ORT - chainrule| = %.3g over 120 points%n", diff);
            assertTrue(diff <= 1e-5, "largest difference " + diff);
            assertArrayEquals(expected.argmax(1, false).toLongArray(), got.argmax(1, false).toLongArray(), "same predictions");
        }
        Map<String, String> meta = metadata(file);
        assertEquals("spiral", meta.get("chainrule.data"));
        assertEquals(Long.toString(ck.config().seed()), meta.get("chainrule.seed"));
    }

    @Test
    void exportOfAStandardisedCsvRunCarriesMeanAndStd(@TempDir Path tmp) throws Exception {
        Path run = csvRun(tmp);
        Path file = tmp.resolve("csv.onnx");
        assertEquals(0, Cli.run("export", run.toString(), "--onnx", file.toString()).exit());
        Checkpoint ck = Checkpoint.read(run);
        Map<String, String> meta = metadata(file);
        double[] mean = Arrays.stream(meta.get("chainrule.mean").split(",")).mapToDouble(Double::parseDouble).toArray();
        assertArrayEquals(ck.mean(), mean, 0);
        assertTrue(mean[0] > 100, "the features' mean, as the run computed it: " + Arrays.toString(mean));
    }

    private static Map<String, String> metadata(Path file) throws Exception {
        Map<String, String> m = new HashMap<>();
        for (StringStringEntryProto e : ModelProto.parseFrom(Files.readAllBytes(file)).getMetadataPropsList()) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    /** {@code eval --model} runs the file through chainrule's ONNX import; skipped while that is not in the build. */
    private static boolean importAvailable(Path file) throws Exception {
        try {
            Onnx.load(file);
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    private static double jsonAccuracy(Cli.Run r) {
        assertEquals(0, r.exit(), r::toString);
        Matcher m = Pattern.compile("\"accuracy\":([0-9.Ee-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        return Double.parseDouble(m.group(1));
    }

    @Test
    void evalOnTheOnnxFileGivesTheRunsAccuracy(@TempDir Path tmp) throws Exception {
        Path run = spiralRun(tmp), csvRun = csvRun(tmp);
        Path spiral = tmp.resolve("spiral.onnx"), csv = tmp.resolve("csv.onnx");
        assertEquals(0, Cli.run("export", run.toString(), "--onnx", spiral.toString()).exit());
        assertEquals(0, Cli.run("export", csvRun.toString(), "--onnx", csv.toString()).exit());
        assumeTrue(importAvailable(spiral), "Onnx.load (the import side) is not in this build");
        for (String split : new String[] {"train", "test"}) {
            double onRun = jsonAccuracy(Cli.run("eval", run.toString(), "--split", split, "--json"));
            double onFile = jsonAccuracy(Cli.run("eval", "--model", spiral.toString(), "--split", split, "--json",
                    "--out", tmp.toString()));
            assertEquals(onRun, onFile, "spiral, " + split);
        }
        double onRun = jsonAccuracy(Cli.run("eval", csvRun.toString(), "--split", "train", "--json"));
        double onFile = jsonAccuracy(Cli.run("eval", "--model", csv.toString(), "--split", "train", "--json",
                "--out", tmp.toString()));
        assertEquals(onRun, onFile, "CSV run: the file's mean and std prepare the data as the run did");
    }

    @Test
    void errors(@TempDir Path tmp) throws Exception {
        ErrorsTest.oneLineError("does not exist", "export", tmp.resolve("nothing").toString(), "--onnx",
                tmp.resolve("x.onnx").toString());
        assertEquals(2, Cli.run("export", tmp.toString()).exit(), "--onnx is required");
        assertEquals(2, Cli.run("eval").exit(), "a run or --model");
        Path notOnnx = Files.writeString(tmp.resolve("model.onnx"), "this is not protobuf \u0000\u0001\u0002 at all");
        ErrorsTest.oneLineError("is not an ONNX model", "eval", "--model", notOnnx.toString(), "--data", "spiral");
        // an ONNX file without chainrule metadata needs --data
        Path plain = tmp.resolve("plain.onnx");
        Onnx.export(new io.chainrule.nn.Linear(2, 3), Tensor.zeros(1, 2), plain);
        ErrorsTest.oneLineError("give --data", "eval", "--model", plain.toString());
        assertTrue(!Files.exists(tmp.resolve("x.onnx")));
    }
}
