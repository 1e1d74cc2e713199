package io.chainrule.io;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.nn.Linear;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte compatibility with the reference writer, round trips, strict reading of hostile files, atomic writes. */
class SafetensorsTest {
    @TempDir
    Path dir;

    /** A file as the reference writer lays it out: u64 LE length, the header padded with spaces to 8, the data. */
    private static byte[] file(String headerJson, byte[] data) {
        byte[] json = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) b.put((byte) ' ');
        return b.put(data).array();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    private static byte[] bytes(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (byte) v[i];
        return out;
    }

    private Path write(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private byte[] saved(Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Path p = dir.resolve("out.safetensors");
        Safetensors.save(tensors, p, metadata);
        return Files.readAllBytes(p);
    }

    // ------------------------------------------------------------------------------------------ reference bytes

    @Test
    void simpleFileMatchesThePythonLibraryByteForByte() throws IOException {
        // safetensors.torch.save_file({"a": torch.tensor([1.0, 2.0])}, path)
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"; // 54 bytes, padded to 56
        byte[] expected = file(header, floats(1, 2));
        assertEquals(8 + 56 + 8, expected.length);
        assertEquals(56, expected[0]);
        assertEquals(' ', expected[8 + 54]);
        assertArrayEquals(expected, saved(Map.of("a", Tensor.of(new float[] {1, 2})), null));

        Map<String, Tensor> loaded = Safetensors.load(write("ref.safetensors", expected));
        assertEquals(List.of("a"), List.copyOf(loaded.keySet()));
        assertArrayEquals(new float[] {1, 2}, loaded.get("a").toFloatArray());
        assertEquals(DType.FLOAT32, loaded.get("a").dtype());
    }

    @Test
    void referenceImplementationTestVectors() throws IOException {
        // The Rust crate's own serialization tests (safetensors/src/tensor.rs: test_serialization, test_empty).
        byte[] attn = bytes(64, 0, 0, 0, 0, 0, 0, 0, 123, 34, 97, 116, 116, 110, 46, 48, 34, 58, 123, 34, 100,
                116, 121, 112, 101, 34, 58, 34, 70, 51, 50, 34, 44, 34, 115, 104, 97, 112, 101, 34,
                58, 91, 49, 44, 50, 44, 51, 93, 44, 34, 100, 97, 116, 97, 95, 111, 102, 102, 115,
                101, 116, 115, 34, 58, 91, 48, 44, 50, 52, 93, 125, 125, 0, 0, 0, 0, 0, 0, 128, 63,
                0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64);
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
        assertArrayEquals(attn, saved(Map.of("attn.0", t), null));
        Tensor back = Safetensors.load(write("attn.safetensors", attn)).get("attn.0");
        assertArrayEquals(new int[] {1, 2, 3}, back.shape());
        assertArrayEquals(t.toFloatArray(), back.toFloatArray());

        byte[] empty = bytes(8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32);
        assertArrayEquals(empty, saved(Map.of(), null));
        assertTrue(Safetensors.load(write("empty.safetensors", empty)).isEmpty());

        byte[] withMeta = bytes(40, 0, 0, 0, 0, 0, 0, 0, 123, 34, 95, 95, 109, 101, 116, 97, 100, 97, 116, 97, 95,
                95, 34, 58, 123, 34, 102, 114, 97, 109, 101, 119, 111, 114, 107, 34, 58, 34, 112,
                116, 34, 125, 125, 32, 32, 32, 32, 32);
        assertArrayEquals(withMeta, saved(Map.of(), Map.of("framework", "pt")));
        assertEquals(Map.of("framework", "pt"), Safetensors.loadMetadata(write("meta.safetensors", withMeta)));
    }

    @Test
    void tensorsAreLaidOutByDtypeThenName() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", Tensor.of(new boolean[] {true}, 1));
        in.put("f2", Tensor.of(new float[] {2}));
        in.put("f1", Tensor.of(new float[] {1}));
        in.put("d", Tensor.of(new double[] {3}));
        in.put("i", Tensor.of(new long[] {4}));
        String header = "{\"__metadata__\":{\"a\":\"1\",\"format\":\"pt\"},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"f1\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]},"
                + "\"f2\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]},"
                + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[24,25]}}";
        ByteBuffer data = ByteBuffer.allocate(25).order(ByteOrder.LITTLE_ENDIAN);
        data.putLong(4).putDouble(3).putFloat(1).putFloat(2).put((byte) 1);
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put("a", "1");
        assertArrayEquals(file(header, data.array()), saved(in, meta));
        Safetensors.Contents c = Safetensors.read(dir.resolve("out.safetensors"));
        assertEquals(List.of("i", "d", "f1", "f2", "b"), List.copyOf(c.tensors().keySet()));
        assertEquals(meta, c.metadata());
    }

    @Test
    void namesAreEscapedAsSerdeJsonDoes() throws IOException {
        String name = "q\"b\\s\n\u0001é✓";
        byte[] out = saved(Map.of(name, Tensor.of(new float[] {1})), null);
        String header = new String(out, 8, out[0], StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"q\\\"b\\\\s\\n\\u0001é✓\":{"), header);
        assertEquals(List.of(name), List.copyOf(Safetensors.load(dir.resolve("out.safetensors")).keySet()));
    }

    // ----------------------------------------------------------------------------------------------- round trip

    @Test
    void roundTripsEveryDtypeAndShape() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("f32", Tensor.of(new float[] {1.5f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.MIN_VALUE, 3e38f}, 2, 3));
        in.put("f64", Tensor.of(new double[] {Math.PI, -1e-300, Double.NEGATIVE_INFINITY}));
        in.put("i64", Tensor.of(new long[] {Long.MIN_VALUE, -1, 0, Long.MAX_VALUE}, 2, 2));
        in.put("bool", Tensor.of(new boolean[] {true, false, true}, 3, 1));
        in.put("scalar", Tensor.scalar(7.25));
        in.put("scalar64", Tensor.scalar(-2.5, DType.FLOAT64));
        in.put("empty", Tensor.zeros(0));
        in.put("empty3d", Tensor.zeros(DType.INT64, 2, 0, 3));
        in.put("transposed", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).t());
        in.put("slice", Tensor.arange(DType.FLOAT64, 0, 12, 1).reshape(3, 4).narrow(1, 1, 2));
        Path p = dir.resolve("all.safetensors");
        Safetensors.save(in, p);
        Map<String, Tensor> out = Safetensors.load(p);
        assertEquals(in.keySet(), out.keySet());
        for (String k : in.keySet()) {
            Tensor a = in.get(k), b = out.get(k);
            assertEquals(a.dtype(), b.dtype(), k);
            assertArrayEquals(a.shape(), b.shape(), k);
            switch (a.dtype()) {
                case FLOAT32 -> {
                    float[] x = a.toFloatArray(), y = b.toFloatArray();
                    for (int i = 0; i < x.length; i++) assertEquals(Float.floatToRawIntBits(x[i]), Float.floatToRawIntBits(y[i]), k);
                }
                case FLOAT64 -> {
                    double[] x = a.toDoubleArray(), y = b.toDoubleArray();
                    for (int i = 0; i < x.length; i++) assertEquals(Double.doubleToRawLongBits(x[i]), Double.doubleToRawLongBits(y[i]), k);
                }
                case INT64 -> assertArrayEquals(a.toLongArray(), b.toLongArray(), k);
                case BOOL -> assertArrayEquals(a.toBooleanArray(), b.toBooleanArray(), k);
            }
        }
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, out.get("transposed").toFloatArray());
        assertArrayEquals(new double[] {1, 2, 5, 6, 9, 10}, out.get("slice").toDoubleArray());
        assertEquals(0, out.get("scalar").dim());
        assertEquals(7.25, out.get("scalar").item());
    }

    @Test
    void readsNarrowerDtypesByWidening() throws IOException {
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"i32\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[12,20]},"
                + "\"u8\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[20,22]}}";
        ByteBuffer d = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        d.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x0001).putShort((short) 0x7C00); // 1, -2, 2^-24, inf
        d.putShort((short) 0x3F80).putShort((short) 0xC0A0); // bf16 1.0, -5.0
        d.putInt(-7).putInt(123456);
        d.put((byte) 255).put((byte) 3);
        Map<String, Tensor> t = Safetensors.load(write("narrow.safetensors", file(header, d.array())));
        assertArrayEquals(new float[] {1, -2, 0x1p-24f, Float.POSITIVE_INFINITY}, t.get("h").toFloatArray());
        assertArrayEquals(new float[] {1, -5}, t.get("bf").toFloatArray());
        assertArrayEquals(new long[] {-7, 123456}, t.get("i32").toLongArray());
        assertArrayEquals(new long[] {255, 3}, t.get("u8").toLongArray());
    }

    @Test
    void readsAHeaderWithWhitespaceMetadataAndUnknownFields() throws IOException {
        String header = "{ \"__metadata__\" : { \"format\" : \"pt\" } ,\n \"w\" : { \"data_offsets\" : [ 0 , 16 ] ,"
                + " \"extra\": {\"x\": [1, -2.5e3, null, true]}, \"shape\" : [2, 2], \"dtype\" : \"F32\" } }";
        Safetensors.Contents c = Safetensors.read(write("ws.safetensors", file(header, floats(1, 2, 3, 4))));
        assertEquals(Map.of("format", "pt"), c.metadata());
        assertArrayEquals(new int[] {2, 2}, c.tensors().get("w").shape());
        assertArrayEquals(new float[] {1, 2, 3, 4}, c.tensors().get("w").toFloatArray());
    }

    // ------------------------------------------------------------------------------------------- hostile files

    /** Loading must fail with an IOException that names the file and a byte offset. */
    private void assertRejected(String name, byte[] content, String... fragments) throws IOException {
        Path p = write(name, content);
        IOException e = assertThrows(IOException.class, () -> Safetensors.load(p));
        String msg = e.getMessage();
        assertTrue(msg.contains(name), "names the file: " + msg);
        assertTrue(msg.contains("byte"), "names a byte offset: " + msg);
        for (String f : fragments) assertTrue(msg.contains(f), "mentions '" + f + "': " + msg);
    }

    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    @Test
    void rejectsLyingHeaderLengths() throws IOException {
        ByteBuffer huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        assertRejected("huge.safetensors", huge.array(), "1099511627776", "byte 0");
        ByteBuffer past = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(64).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        assertRejected("past.safetensors", past.array(), "64", "byte 0");
        ByteBuffer negative = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        assertRejected("negative.safetensors", negative.array(), "byte 0");
        assertRejected("short.safetensors", bytes(1, 0, 0), "byte 0");
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        byte[] good = file("{" + entry("a", "F32", "[4]", 0, 16) + "}", floats(1, 2, 3, 4));
        assertRejected("cut.safetensors", Arrays.copyOf(good, good.length - 4), "past the end of the file");
        assertRejected("cutheader.safetensors", Arrays.copyOf(good, 20), "byte 0");
        byte[] trailing = Arrays.copyOf(good, good.length + 4);
        assertRejected("trailing.safetensors", trailing, "not fully described");
    }

    @Test
    void rejectsBadOffsetsShapesAndDtypes() throws IOException {
        byte[] data = new byte[16];
        assertRejected("overlap.safetensors", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", new byte[12]),
                "\"b\"", "overlapping");
        assertRejected("gap.safetensors", file("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[1]", 12, 16) + "}", data),
                "\"b\"", "gap");
        assertRejected("backwards.safetensors", file("{" + entry("a", "F32", "[0]", 8, 0) + "}", data), "end before");
        assertRejected("size.safetensors", file("{" + entry("a", "F32", "[3]", 0, 16) + "}", data), "needs 12 bytes");
        assertRejected("dtype.safetensors", file("{" + entry("a", "F17", "[4]", 0, 16) + "}", data), "unknown dtype \"F17\"");
        assertRejected("u64.safetensors", file("{" + entry("a", "U64", "[2]", 0, 16) + "}", data), "U64", "not support");
        assertRejected("overflow.safetensors", file("{" + entry("a", "F32", "[4294967296,4294967296,4294967296]", 0, 16) + "}", data),
                "too large");
        assertRejected("bigarray.safetensors", file("{" + entry("a", "BOOL", "[4294967296]", 0, 4294967296L) + "}", data));
        assertRejected("hugeoffset.safetensors", file("{" + entry("a", "F32", "[4]", 0, 16) + "," + entry("b", "F32", "[0]", 1L << 50, 1L << 50) + "}", data));
    }

    @Test
    void rejectsMalformedJson() throws IOException {
        byte[] data = floats(1);
        String ok = entry("a", "F32", "[1]", 0, 4);
        assertRejected("brace.safetensors", file("{" + ok, data), "byte");
        assertRejected("garbage.safetensors", file("{" + ok + "}x", data), "after the end");
        assertRejected("array.safetensors", file("[" + ok + "]", data), "'{'");
        assertRejected("dup.safetensors", file("{" + ok + "," + ok + "}", data), "duplicate");
        assertRejected("negative.safetensors", file("{" + entry("a", "F32", "[-1]", 0, 4) + "}", data), "non-negative");
        assertRejected("fraction.safetensors", file("{" + entry("a", "F32", "[1.0]", 0, 4) + "}", data), "integers");
        assertRejected("toobig.safetensors", file("{" + entry("a", "F32", "[99999999999999999999]", 0, 4) + "}", data), "too large");
        assertRejected("missing.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", data), "data_offsets");
        assertRejected("metanum.safetensors", file("{\"__metadata__\":{\"k\":1}," + ok + "}", data), "must be a string");
        assertRejected("escape.safetensors", file("{\"a\\q\":{}}", data), "escape");
        String deep = "[".repeat(100) + "]".repeat(100);
        assertRejected("deep.safetensors", file("{\"a\":{\"x\":" + deep + ",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data),
                "nesting");
        byte[] badUtf8 = file("{\"a\u00ff\":{}}", data);
        badUtf8[8 + 3] = (byte) 0xC3;
        badUtf8[8 + 4] = (byte) 0x28; // 0xC3 followed by a non-continuation byte
        assertRejected("utf8.safetensors", badUtf8);
    }

    @Test
    void theHeaderMustStartWithABraceAndMayEndInWhitespace() throws IOException {
        // The format: "The header data MUST begin with a { character"; it may be padded at the end with whitespace.
        String ok = "{" + entry("a", "F32", "[1]", 0, 4) + "}";
        for (String lead : new String[] {" ", "\n", "\t", "\r"}) {
            assertRejected("lead" + (int) lead.charAt(0) + ".safetensors", file(lead + ok, floats(1)), "must start with '{'",
                    "at byte 8");
        }
        byte[] trailing = file(ok + " \r\n\t", floats(1));
        assertArrayEquals(new float[] {1}, Safetensors.load(write("trail.safetensors", trailing)).get("a").toFloatArray());
    }

    @Test
    void shapesFollowTheOneShapeRule() throws IOException {
        // 65 dimensions, and more elements than a tensor can hold: the same text as Tensor's errors, with file and byte
        String deep = "[" + "1,".repeat(64) + "1]";
        assertRejected("deep.safetensors", file("{" + entry("a", "F32", deep, 0, 4) + "}", floats(1)),
                "too many dimensions: 65", "header byte 9");
        assertRejected("many.safetensors", file("{" + entry("a", "F32", "[65536,65536]", 0, 4) + "}", floats(1)),
                "4294967296 elements", "header byte 9");
        // a zero anywhere makes an empty tensor, whatever the other sizes
        Map<String, Tensor> empty = Safetensors.load(write("empty.safetensors", file("{" + entry("a", "F32", "[65536,65536,0]", 0, 0) + "}", new byte[0])));
        assertArrayEquals(new int[] {65536, 65536, 0}, empty.get("a").shape());
        assertEquals(0, empty.get("a").numel());
    }

    @Test
    void errorsGiveTheExactFileOffsetOfTheProblem() throws IOException {
        // The stray '#' sits right after the first entry; header byte k is file byte 8 + k.
        Path p = write("offset.safetensors", file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}#", floats(1)));
        IOException e = assertThrows(IOException.class, () -> Safetensors.load(p));
        int at = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}".length();
        assertTrue(e.getMessage().contains("at byte " + (8 + at)), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- atomic writes

    @Test
    void aFailedWriteLeavesThePreviousFileAndNoTemporaryFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Safetensors.save(Map.of("old", Tensor.of(new float[] {1})), p);
        byte[] before = Files.readAllBytes(p);
        Map<String, Tensor> next = new LinkedHashMap<>();
        next.put("a", Tensor.ones(1000));
        next.put("b", Tensor.ones(1000));
        IOException e = assertThrows(IOException.class, () -> Safetensors.write(next, p, null, name -> {
            if (name.equals("a")) throw new IOException("disk full (simulated) after " + name);
        }));
        assertTrue(e.getMessage().contains("simulated"));
        assertArrayEquals(before, Files.readAllBytes(p));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p.getFileName().toString()), files.map(f -> f.getFileName().toString()).toList());
        }

        // A bad argument is refused before anything is written.
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("ok", Tensor.ones(2));
        bad.put("__metadata__", Tensor.ones(2));
        assertThrows(IllegalArgumentException.class, () -> Safetensors.save(bad, p));
        assertArrayEquals(before, Files.readAllBytes(p));
        Path fresh = dir.resolve("never.safetensors");
        assertThrows(IllegalArgumentException.class, () -> Safetensors.save(Map.of("x", Tensor.ones(1)), fresh, Map.of("k", "\ud800")));
        assertFalse(Files.exists(fresh));
        assertThrows(IOException.class, () -> Safetensors.save(Map.of("x", Tensor.ones(1)), dir.resolve("no/such/dir/x.safetensors")));
    }

    @Test
    void overwritesAnExistingFile() throws IOException {
        Path p = dir.resolve("w.safetensors");
        Safetensors.save(Map.of("x", Tensor.ones(3)), p);
        Safetensors.save(Map.of("y", Tensor.zeros(2)), p);
        assertEquals(List.of("y"), List.copyOf(Safetensors.load(p).keySet()));
    }

    // ------------------------------------------------------------------------------------------ Module save/load

    @Test
    void moduleSaveAndLoadRoundTrip() throws IOException {
        Sequential a = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        Path p = dir.resolve("mlp.safetensors");
        a.save(p);
        Sequential b = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        b.load(p);
        for (String k : a.namedParameters().keySet()) {
            assertArrayEquals(a.namedParameters().get(k).toFloatArray(), b.namedParameters().get(k).toFloatArray(), k);
        }
        Tensor x = Tensor.randn(5, 4);
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        // All F32, so the reference writer orders them by name.
        assertEquals(List.of("0.bias", "0.weight", "2.bias", "2.weight"), List.copyOf(Safetensors.load(p).keySet()));

        Sequential other = new Sequential(new Linear(4, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> other.load(p));
        assertTrue(e.getMessage().contains("unexpected keys [2.bias, 2.weight]"), e.getMessage());

    }
}
