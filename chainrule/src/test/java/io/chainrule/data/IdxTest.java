package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.*;

class IdxTest {
    @TempDir
    Path dir;

    /** An IDX file's bytes: magic, big-endian dims, then values encoded as {@code type}. */
    static byte[] idx(int type, int[] dims, double[] values) {
        int size = switch (type) {
            case 0x08, 0x09 -> 1;
            case 0x0B -> 2;
            case 0x0C, 0x0D -> 4;
            case 0x0E -> 8;
            default -> throw new IllegalArgumentException("type " + type);
        };
        ByteBuffer bb = ByteBuffer.allocate(4 + 4 * dims.length + size * values.length);
        bb.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) bb.putInt(d);
        for (double v : values) {
            switch (type) {
                case 0x08, 0x09 -> bb.put((byte) v);
                case 0x0B -> bb.putShort((short) v);
                case 0x0C -> bb.putInt((int) v);
                case 0x0D -> bb.putFloat((float) v);
                default -> bb.putDouble(v);
            }
        }
        return bb.array();
    }

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private static final int[] TYPES = {0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E};

    /** Values each type holds exactly, and the float32 each reads back as. */
    private static double[] valuesFor(int type) {
        return switch (type) {
            case 0x08 -> new double[] {0, 1, 127, 128, 200, 255};
            case 0x09 -> new double[] {-128, -1, 0, 1, 100, 127};
            case 0x0B -> new double[] {-32768, -300, 0, 7, 1000, 32767};
            case 0x0C -> new double[] {-2147483648.0, -70000, 0, 3, 65536, 16777216};
            case 0x0D -> new double[] {-1.5, 0, 0.1f, 3.25, 1e30f, -7e-20f};
            default -> new double[] {-2.5, 0, 0.125, 1e10, -3, 42};
        };
    }

    @Test
    void roundTripEveryTypePlainAndGzipped() throws IOException {
        for (int type : TYPES) {
            double[] values = valuesFor(type);
            for (boolean gz : new boolean[] {false, true}) {
                byte[] bytes = idx(type, new int[] {2, 3}, values);
                // A misleading name: gzip must be recognised by its magic bytes.
                Path f = write("t" + type + (gz ? "-compressed.idx" : "-plain.gz"), gz ? gzip(bytes) : bytes);
                Tensor t = Idx.read(f);
                assertEquals(DType.FLOAT32, t.dtype());
                assertArrayEquals(new int[] {2, 3}, t.shape());
                float[] expected = new float[values.length];
                for (int i = 0; i < values.length; i++) expected[i] = (float) values[i];
                assertArrayEquals(expected, t.toFloatArray(), "type 0x" + Integer.toHexString(type) + " gz=" + gz);
            }
        }
    }

    @Test
    void oneDimensionalFilesAreInt64() throws IOException {
        for (int type : TYPES) {
            double[] values = valuesFor(type);
            for (boolean gz : new boolean[] {false, true}) {
                byte[] bytes = idx(type, new int[] {values.length}, values);
                Tensor t = Idx.read(write("l" + type + gz, gz ? gzip(bytes) : bytes));
                assertEquals(DType.INT64, t.dtype());
                long[] expected = new long[values.length];
                for (int i = 0; i < values.length; i++) expected[i] = (long) (float) values[i];
                if (type == 0x0E) for (int i = 0; i < values.length; i++) expected[i] = (long) values[i];
                assertArrayEquals(expected, t.toLongArray(), "type 0x" + Integer.toHexString(type));
            }
        }
    }

    @Test
    void largerFileCrossesChunkBoundaries() throws IOException {
        // 3 MiB of int data: several decode chunks, with values that tell their position.
        int n = 3 * (1 << 18) + 5;
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = i * 3 - 1000;
        byte[] bytes = idx(0x0C, new int[] {n, 1}, values);
        for (boolean gz : new boolean[] {false, true}) {
            Tensor t = Idx.read(write("big" + gz, gz ? gzip(bytes) : bytes));
            float[] f = t.toFloatArray();
            assertEquals(n, f.length);
            assertEquals(-1000f, f[0]);
            assertEquals((float) (262144 * 3 - 1000), f[262144]);
            assertEquals((float) ((n - 1) * 3 - 1000), f[n - 1]);
        }
    }

    @Test
    void emptyDimension() throws IOException {
        Tensor t = Idx.read(write("empty", idx(0x08, new int[] {0, 28, 28}, new double[0])));
        assertArrayEquals(new int[] {0, 28, 28}, t.shape());
    }

    private static IOException fails(Path f) {
        return assertThrows(IOException.class, () -> Idx.read(f));
    }

    private static void assertNamesFileAndOffset(IOException e, Path f, long offset) {
        String m = e.getMessage();
        assertTrue(m.contains(f.toString()), m);
        assertTrue(m.contains("byte offset " + offset), "expected offset " + offset + " in: " + m);
    }

    @Test
    void truncatedFile() throws IOException {
        byte[] full = idx(0x08, new int[] {2, 3, 3}, new double[18]);
        Path f = write("trunc", Arrays.copyOf(full, full.length - 5));
        IOException e = fails(f);
        assertNamesFileAndOffset(e, f, full.length - 5);
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());

        Path g = write("trunc.gz", gzip(Arrays.copyOf(full, full.length - 5)));
        assertNamesFileAndOffset(fails(g), g, full.length - 5);

        // Cut inside the header.
        Path h = write("header", Arrays.copyOf(full, 6));
        assertNamesFileAndOffset(fails(h), h, 6);
        Path empty = write("nothing", new byte[0]);
        assertNamesFileAndOffset(fails(empty), empty, 0);
    }

    @Test
    void truncatedGzipStream() throws IOException {
        byte[] full = idx(0x08, new int[] {50, 20}, new double[1000]);
        byte[] gz = gzip(full);
        Path f = write("cut.gz", Arrays.copyOf(gz, gz.length - 12)); // compressed stream cut short
        IOException e = fails(f);
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("byte offset"), e.getMessage());

        // The gzip magic, then too little for a gzip header: the decompressor's exception has no message of its own.
        Path g = write("stub.gz", new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
        String m = fails(g).getMessage();
        assertTrue(m.contains(g.toString()) && m.contains("gzip stream ends inside the header") && !m.contains("null"), m);
    }

    @Test
    void lyingHeaderFailsFastWithoutAllocating() throws IOException {
        // 2^31 images of 28×28 claimed by a 100-byte file.
        ByteBuffer bb = ByteBuffer.allocate(100);
        bb.put(new byte[] {0, 0, 0x08, 3}).putInt(0x80000000).putInt(28).putInt(28);
        Path f = write("liar", bb.array());
        IOException e = fails(f);
        assertNamesFileAndOffset(e, f, 4);
        Path g = write("liar.gz", gzip(bb.array()));
        assertNamesFileAndOffset(fails(g), g, 4);

        // 2^20 images fit a tensor (822 M elements) but not the file: rejected before any allocation.
        bb = ByteBuffer.allocate(100);
        bb.put(new byte[] {0, 0, 0x08, 3}).putInt(1 << 20).putInt(28).putInt(28);
        Path h = write("liar2", bb.array());
        assertNamesFileAndOffset(fails(h), h, 100);
        Path hz = write("liar2.gz", gzip(bb.array()));
        assertNamesFileAndOffset(fails(hz), hz, 16);

        // Plausible for the gzip ratio, but the stream runs dry: fails at the first short read.
        byte[] noise = new byte[200_000];
        new java.util.Random(1).nextBytes(noise); // incompressible, so the file is large enough to be plausible
        ByteBuffer.wrap(noise).put(new byte[] {0, 0, 0x0D, 2}).putInt(1000).putInt(1000);
        Path k = write("liar3.gz", gzip(noise));
        assertNamesFileAndOffset(fails(k), k, 200_000);

        // Dimensions whose product overflows a long.
        ByteBuffer over = ByteBuffer.allocate(4 + 4 * 5);
        over.put(new byte[] {0, 0, 0x08, 5});
        for (int i = 0; i < 5; i++) over.putInt(0x7FFFFFF0);
        Path o = write("overflow", over.array());
        assertNamesFileAndOffset(fails(o), o, 4);
    }

    @Test
    void concatenatedGzipMembersAreOneStreamAsInPython() throws IOException {
        byte[] ok = idx(0x08, new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
        // RFC 1952 allows several members; Python's gzip reads them as one stream, and skips zero padding after one
        byte[] two = concat(gzip(Arrays.copyOf(ok, 7)), gzip(Arrays.copyOfRange(ok, 7, ok.length)));
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Idx.read(write("two.gz", two)).toFloatArray());
        byte[] padded = concat(gzip(ok), new byte[5]);
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Idx.read(write("padded.gz", padded)).toFloatArray());
    }

    @Test
    void bytesAfterTheGzipDataAreRefused() throws IOException {
        byte[] ok = idx(0x08, new int[] {2, 3}, new double[] {1, 2, 3, 4, 5, 6});
        byte[] gz = gzip(ok);
        // garbage after the member: Python raises BadGzipFile; so must we, at the compressed offset where it starts
        Path garbage = write("garbage.gz", concat(gz, "junk".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        IOException e = fails(garbage);
        assertNamesFileAndOffset(e, garbage, gz.length);
        assertTrue(e.getMessage().contains("trailing bytes are refused"), e.getMessage());
        Path zeroThenGarbage = write("zerojunk.gz", concat(gz, new byte[] {0, 0, 'x'}));
        assertNamesFileAndOffset(fails(zeroThenGarbage), zeroThenGarbage, gz.length + 2);
        // a second member cut short (Python: EOFError)
        byte[] second = gzip(new byte[] {9, 9, 9});
        for (int cut : new int[] {1, 5, 12, second.length - 3}) {
            Path truncated = write("second" + cut + ".gz", concat(gz, Arrays.copyOf(second, cut)));
            IOException t = fails(truncated);
            assertTrue(t.getMessage().contains(truncated.toString()) && t.getMessage().contains("byte offset"), t.getMessage());
        }
        // a complete second member whose data lie beyond what the header declares: the IDX reader's own check
        Path extraMember = write("extramember.gz", concat(gz, second));
        assertNamesFileAndOffset(fails(extraMember), extraMember, ok.length);
        // the trailer's CRC-32 no longer matches the data
        byte[] badCrc = gz.clone();
        badCrc[badCrc.length - 6] ^= 1;
        Path crc = write("crc.gz", badCrc);
        IOException c = fails(crc);
        assertTrue(c.getMessage().contains("CRC-32") && c.getMessage().contains(crc.toString()), c.getMessage());
    }

    @Test
    void headersFollowTheShapeRule() throws IOException {
        // sizes whose product passes 2^31 are fine when one of them is 0, in any order
        for (int[] dims : new int[][] {{65536, 65536, 0}, {0, 65536, 65536}}) {
            Tensor t = Idx.read(write("empty" + dims[0], idx(0x08, dims, new double[0])));
            assertArrayEquals(dims, t.shape());
        }
        // more than 64 dimensions: the byte that declares them
        ByteBuffer deep = ByteBuffer.allocate(4 + 4 * 65 + 1);
        deep.put(new byte[] {0, 0, 0x08, 65});
        for (int i = 0; i < 65; i++) deep.putInt(1);
        deep.put((byte) 7);
        Path d = write("deep", deep.array());
        IOException e = fails(d);
        assertNamesFileAndOffset(e, d, 3);
        assertTrue(e.getMessage().contains("too many dimensions: 65"), e.getMessage());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void badMagicTypeAndTrailingBytes() throws IOException {
        byte[] ok = idx(0x08, new int[] {2, 2}, new double[] {1, 2, 3, 4});
        byte[] badMagic = ok.clone();
        badMagic[1] = 7;
        Path m = write("magic", badMagic);
        assertNamesFileAndOffset(fails(m), m, 0);
        byte[] badType = ok.clone();
        badType[2] = 0x0A;
        Path t = write("type", badType);
        assertNamesFileAndOffset(fails(t), t, 2);
        byte[] noDims = ok.clone();
        noDims[3] = 0;
        Path d = write("nodims", noDims);
        assertNamesFileAndOffset(fails(d), d, 3);
        Path extra = write("extra", Arrays.copyOf(ok, ok.length + 3));
        assertNamesFileAndOffset(fails(extra), extra, ok.length);
        Path extraGz = write("extra.gz", gzip(Arrays.copyOf(ok, ok.length + 3)));
        assertNamesFileAndOffset(fails(extraGz), extraGz, ok.length);
        byte[] gz = gzip(ok);
        gz[12] ^= 0x55; // corrupt the deflate stream
        Path c = write("corrupt.gz", gz);
        assertTrue(fails(c).getMessage().contains(c.toString()));
        assertThrows(IOException.class, () -> Idx.read(dir.resolve("missing")));
    }
}
