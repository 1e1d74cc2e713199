package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static io.chainrule.onnx.TestModels.floatInput;
import static io.chainrule.onnx.TestModels.floats;
import static io.chainrule.onnx.TestModels.intAttr;
import static io.chainrule.onnx.TestModels.longs;
import static io.chainrule.onnx.TestModels.model;
import static io.chainrule.onnx.TestModels.node;
import static io.chainrule.onnx.TestModels.output;
import static io.chainrule.onnx.TestModels.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Malformed, truncated, mutated and lying files fail with an IOException naming the file (or, where a mutation makes
 * a valid model the loader does not support or cannot run on the input, UnsupportedOperationException /
 * IllegalArgumentException) — never anything else, never a hang, never an out-of-memory error.
 */
class OnnxBadFilesTest {
    @TempDir
    Path dir;

    @Test
    void truncationsAreIOExceptionsNamingTheFile() throws Exception {
        byte[] full = Files.readAllBytes(Fixtures.onnx("mlp"));
        Path file = dir.resolve("truncated.onnx");
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            // every cut in the header and the first nodes, every 13th byte after, and the last 32
            for (int len = 0; len < full.length; len += len < 512 || len >= full.length - 32 ? 1 : 13) {
                Files.write(file, java.util.Arrays.copyOf(full, len));
                int n = len;
                IOException e = assertThrows(IOException.class, () -> Onnx.load(file), () -> "prefix of " + n + " bytes");
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
            }
        });
    }

    /**
     * A seeded loop of 3000 mutations (1 to 4 random bytes overwritten, or a run of bytes dropped) of the CNN fixture;
     * each mutant that loads also runs on the fixture's input. Counted by outcome, so the loop is seen to exercise
     * every path.
     */
    @Test
    void mutatedFilesFailCleanly() throws Exception {
        byte[] original = Files.readAllBytes(Fixtures.onnx("cnn"));
        Tensor x = Fixtures.data("cnn").get("input_1");
        Path file = dir.resolve("mutant.onnx");
        Random random = new Random(20261203);
        int[] outcomes = new int[4]; // IOException, unsupported, bad argument, ran
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int trial = 0; trial < 3000; trial++) {
                byte[] b = original.clone();
                if (trial % 10 == 9) {
                    int at = random.nextInt(b.length), len = 1 + random.nextInt(16);
                    byte[] cut = new byte[Math.max(0, b.length - len)];
                    System.arraycopy(b, 0, cut, 0, Math.min(at, cut.length));
                    if (at + len < b.length) System.arraycopy(b, at + len, cut, at, b.length - at - len);
                    b = cut;
                } else {
                    for (int k = 1 + random.nextInt(4); k > 0; k--) b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
                Files.write(file, b);
                try {
                    OnnxModel m = Onnx.load(file);
                    try (var g = Autograd.noGrad()) {
                        m.forward(Map.of(m.inputNames().isEmpty() ? "input" : m.inputNames().get(0), x));
                    }
                    outcomes[3]++;
                } catch (IOException e) {
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                    outcomes[0]++;
                } catch (UnsupportedOperationException e) {
                    outcomes[1]++;
                } catch (IllegalArgumentException e) {
                    outcomes[2]++;
                } catch (Throwable t) {
                    throw new AssertionError("mutation " + trial + " gave " + t, t);
                }
            }
        });
        System.out.printf("ONNX mutations: %d IOException, %d unsupported, %d bad argument, %d ran%n", outcomes[0], outcomes[1],
                outcomes[2], outcomes[3]);
        assertEquals(3000, outcomes[0] + outcomes[1] + outcomes[2] + outcomes[3]);
        assertTrue(outcomes[0] > 0 && outcomes[3] > 0);
    }

    @Test
    void notProtobufAndEmptyFilesAreIOExceptions() throws Exception {
        Path text = Files.writeString(dir.resolve("text.onnx"), "this is not a model");
        IOException e = assertThrows(IOException.class, () -> Onnx.load(text));
        assertTrue(e.getMessage().startsWith(text.toString()), e.getMessage());
        Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
        e = assertThrows(IOException.class, () -> Onnx.load(empty));
        assertTrue(e.getMessage().contains("no graph"), e.getMessage());
        assertThrows(IOException.class, () -> Onnx.load(dir.resolve("missing.onnx")));
    }

    /** A length field claiming 2 GiB in a 10-byte file: protobuf refuses it without allocating. */
    @Test
    void aLyingLengthPrefixIsAnIOException() throws Exception {
        byte[] b = {0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 1, 2, 3, 4}; // field 7 (graph), length 2³¹−1
        Path file = Files.write(dir.resolve("lying.onnx"), b);
        IOException e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("not a valid ONNX model"), e.getMessage());
    }

    /** dims promise 10¹² elements; 12 bytes of raw_data are there. Checked before anything is allocated. */
    @Test
    void anInitializerWhoseDimsLieIsAnIOException() throws Exception {
        TensorProto lying = TensorProto.newBuilder().setName("w").setDataType(TensorDecoder.FLOAT).addDims(1_000_000).addDims(1_000_000)
                .setRawData(ByteString.copyFrom(new byte[12])).build();
        Path file = write(model(17, List.of(node("Add", "add", List.of("x", "w"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of(lying)), dir.resolve("dims.onnx"));
        IOException e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("more than 2³¹"), e.getMessage());

        TensorProto shortRaw = lying.toBuilder().clearDims().addDims(1000).build();
        write(model(17, List.of(node("Add", "add", List.of("x", "w"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of(shortRaw)), file);
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("raw_data holds 12 bytes but shape [1000] of FLOAT needs 4000"), e.getMessage());

        TensorProto shortFloats = floats("w", new float[3], 50);
        write(model(17, List.of(node("Add", "add", List.of("x", "w"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of(shortFloats)), file);
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("float_data holds 3 values but shape [50] needs 50"), e.getMessage());
    }

    /** A shape constant asking for 10¹² zeros: an IllegalArgumentException naming the node when it runs, not an OOM. */
    @Test
    void aShapeConstantAskingForTooMuchMemoryIsRefused() throws Exception {
        Path file = write(model(17, List.of(node("ConstantOfShape", "huge", List.of("shape"), List.of("z")),
                        node("Add", "add", List.of("x", "z"), List.of("y"))), List.of(floatInput("x", 3)), List.of(output("y")),
                List.of(longs("shape", new long[] {1_000_000, 1_000_000}, 2))), dir.resolve("huge.onnx"));
        OnnxModel m = Onnx.load(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("node 'huge' (ConstantOfShape, opset 17)") && e.getMessage().contains("more than the heap"),
                e.getMessage());
    }

    private static TensorProto external(String location, long offset, long length) {
        TensorProto.Builder b = TensorProto.newBuilder().setName("w").setDataType(TensorDecoder.FLOAT).addDims(3)
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("location").setValue(location))
                .addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("offset").setValue(Long.toString(offset)));
        if (length >= 0) {
            b.addExternalData(ai.onnx.proto.OnnxMl.StringStringEntryProto.newBuilder().setKey("length").setValue(Long.toString(length)));
        }
        return b.build();
    }

    private Path externalModel(TensorProto w) throws IOException {
        return write(model(17, List.of(node("Add", "add", List.of("x", "w"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of(w)), dir.resolve("external.onnx"));
    }

    /** External data is read from the model's folder, checked first: present, inside the folder, long enough. */
    @Test
    void externalDataIsReadAndChecked() throws Exception {
        java.nio.ByteBuffer data = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        data.putFloat(99).putFloat(1).putFloat(2).putFloat(3);
        Files.write(dir.resolve("weights.bin"), data.array());
        OnnxModel m = Onnx.load(externalModel(external("weights.bin", 4, 12)));
        assertEquals(List.of(11.0, 12.0, 13.0), java.util.Arrays.stream(m.forward(Tensor.full(10, 3)).toDoubleArray()).boxed().toList());

        Path file = externalModel(external("missing.bin", 0, 12));
        IOException e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("initializer 'w'") && e.getMessage().contains("does not exist"), e.getMessage());
        externalModel(external("../weights.bin", 0, 12));
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("outside the model's folder"), e.getMessage());
        externalModel(external("weights.bin", 0, 8));
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("length 8 but the tensor's shape needs 12 bytes"), e.getMessage());
        externalModel(external("weights.bin", 8, -1));
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("has 16 bytes; the tensor needs 12 from offset 8"), e.getMessage());
    }

    /** PyTorch's newer exporter keeps the weights next to the model: a truncated .data file is an IOException. */
    @Test
    void aTruncatedExternalDataFileIsAnIOException() throws Exception {
        Path onnx = Files.copy(Fixtures.onnx("mlp_dynamo"), dir.resolve("mlp_dynamo.onnx"));
        byte[] weights = Files.readAllBytes(Fixtures.onnx("mlp_dynamo").resolveSibling("mlp_dynamo.onnx.data"));
        Files.write(dir.resolve("mlp_dynamo.onnx.data"), java.util.Arrays.copyOf(weights, weights.length - 1));
        IOException e = assertThrows(IOException.class, () -> Onnx.load(onnx));
        assertTrue(e.getMessage().startsWith(onnx.toString()) && e.getMessage().contains("external data file"), e.getMessage());
    }

    @Test
    void anUnsupportedOpNamesTheOpTypeTheNodeAndTheOpset() throws Exception {
        Path file = write(model(17, List.of(node("Relu", "r", List.of("x"), List.of("h")), node("Det", "determinant", List.of("h"), List.of("y"))),
                List.of(floatInput("x", 3, 3)), List.of(output("y")), List.of()), dir.resolve("det.onnx"));
        var e = assertThrows(UnsupportedOperationException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("op type 'Det'") && e.getMessage().contains("node 'determinant'")
                && e.getMessage().contains("opset 17") && e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void anUnsupportedAttributeIsNamed() throws Exception {
        Path file = write(model(17, List.of(node("Relu", "r", List.of("x"), List.of("y"), intAttr("mystery", 1))),
                List.of(floatInput("x", 3)), List.of(output("y")), List.of()), dir.resolve("attr.onnx"));
        var e = assertThrows(UnsupportedOperationException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("attribute 'mystery' in node 'r' (Relu, opset 17) is not supported"), e.getMessage());
        AttributeProto wrongType = AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8("x")).build();
        write(model(17, List.of(node("LeakyRelu", "lr", List.of("x"), List.of("y"), wrongType)),
                List.of(floatInput("x", 3)), List.of(output("y")), List.of()), file);
        var io = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(io.getMessage().contains("attribute 'alpha' should be FLOAT, is STRING"), io.getMessage());
    }

    @Test
    void graphsThatBreakTheRulesAreIOExceptions() throws Exception {
        Path file = dir.resolve("rules.onnx");
        write(model(17, List.of(node("Relu", "r", List.of("nowhere"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of()), file);
        var e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("reads 'nowhere', which no graph input"), e.getMessage());
        write(model(17, List.of(node("Relu", "r", List.of("x"), List.of("x"))), List.of(floatInput("x", 3)),
                List.of(output("x")), List.of()), file);
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("writes 'x', which is already defined"), e.getMessage());
        write(model(17, List.of(node("Relu", "r", List.of("x"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("z")), List.of()), file);
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("graph output 'z' is never produced"), e.getMessage());
        write(model(17, List.of(node("Add", "a", List.of("x"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of()), file);
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("node 'a' (Add, opset 17): expects 2 inputs, has 1"), e.getMessage());
        ModelProto noOpset = model(17, List.of(node("Relu", "r", List.of("x"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of()).toBuilder().clearOpsetImport().build();
        write(noOpset, file);
        e = assertThrows(IOException.class, () -> Onnx.load(file));
        assertTrue(e.getMessage().contains("imports no opset"), e.getMessage());
        write(model(99, List.of(node("Relu", "r", List.of("x"), List.of("y"))), List.of(floatInput("x", 3)),
                List.of(output("y")), List.of()), file);
        var u = assertThrows(UnsupportedOperationException.class, () -> Onnx.load(file));
        assertTrue(u.getMessage().contains("opset 99 is newer"), u.getMessage());
    }

    @Test
    void multiInputGraphsRunByName() throws Exception {
        Path file = write(model(17, List.of(node("Add", "add", List.of("a", "b"), List.of("y"))),
                List.of(floatInput("a", -1, 2), floatInput("b", 2)), List.of(output("y")), List.of()), dir.resolve("two.onnx"));
        OnnxModel m = Onnx.load(file);
        assertEquals(List.of("a", "b"), m.inputNames());
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.zeros(1, 2)));
        assertTrue(e.getMessage().contains("has 2 inputs [a, b]"), e.getMessage());
        Tensor y = m.forward(Map.of("a", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2), "b", Tensor.of(new float[] {10, 20}))).get("y");
        assertEquals(List.of(11.0, 22.0, 13.0, 24.0), java.util.Arrays.stream(y.toDoubleArray()).boxed().toList());
    }
}
