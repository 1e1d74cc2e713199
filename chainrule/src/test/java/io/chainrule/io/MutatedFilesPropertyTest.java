package io.chainrule.io;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.data.Idx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A property of both readers, checked over thousands of seeded mutations of valid IDX and safetensors files (bit
 * flips, overwritten, inserted, removed and repeated bytes, truncation, lying size and length fields): a mutated file
 * either reads as tensors that can be used, or fails with an IOException naming the file and a byte offset. Nothing
 * else escapes, nothing hangs, and no case allocates more than a bounded multiple of the file's size, so a lying
 * header cannot make a reader allocate what the file does not hold. A failure prints the seed and the mutation.
 */
class MutatedFilesPropertyTest {
    private static final int CASES_PER_FORMAT = 1500;
    private static final Pattern OFFSET = Pattern.compile("(byte|offset)\\D{0,12}\\d+");

    @TempDir
    Path dir;

    private interface Reader {
        List<Tensor> read(Path file) throws IOException;
    }

    @Test
    void mutatedIdxFilesReadOrFailWithFileAndOffset() throws IOException {
        check("idx", idxSeeds(), f -> List.of(Idx.read(f)), 1);
    }

    @Test
    void mutatedSafetensorsFilesReadOrFailWithFileAndOffset() throws IOException {
        check("st", safetensorsSeeds(), f -> new ArrayList<>(Safetensors.load(f).values()), 2);
    }

    @Test
    void bytesAfterAValidFileAreAlwaysRefused() throws IOException {
        // gzip included: java.util.zip stops at the end of the gzip data and never looks at what follows
        Random rnd = new Random(3);
        List<byte[]> idx = idxSeeds(), st = safetensorsSeeds();
        for (int i = 0; i < 400; i++) {
            boolean isIdx = i % 2 == 0;
            List<byte[]> seeds = isIdx ? idx : st;
            byte[] base = seeds.get(rnd.nextInt(seeds.size()));
            byte[] tail = new byte[1 + rnd.nextInt(12)];
            rnd.nextBytes(tail);
            int zeros = rnd.nextInt(tail.length); // zero padding after gzip data is skipped, as Python does: not after it
            Arrays.fill(tail, 0, zeros, (byte) 0);
            if (tail[zeros] == 0) tail[zeros] = 1;
            Path f = dir.resolve("tail-" + i);
            Files.write(f, splice(base, base.length, 0, tail));
            String what = "tail case " + i + ": " + tail.length + " bytes after a valid " + (isIdx ? "IDX" : "safetensors")
                    + (base[0] == 0x1f ? " (gzip)" : "") + " file";
            try {
                if (isIdx) Idx.read(f);
                else Safetensors.load(f);
                fail(what + " were accepted");
            } catch (IOException e) {
                assertTrue(e.getMessage().contains(f.toString()) && OFFSET.matcher(e.getMessage()).find(), what + ": " + e.getMessage());
            }
        }
    }

    private void check(String kind, List<byte[]> seeds, Reader reader, long seed) {
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            Random rnd = new Random(seed);
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long thread = Thread.currentThread().getId();
            int read = 0, refused = 0;
            for (int i = 0; i < CASES_PER_FORMAT; i++) {
                byte[] base = seeds.get(rnd.nextInt(seeds.size()));
                List<String> how = new ArrayList<>();
                byte[] bytes = mutate(base, rnd, how, kind);
                Path f = dir.resolve(kind + "-" + i + ".bin");
                Files.write(f, bytes);
                String what = kind + " case " + i + " (seed " + seed + "): " + how + ", " + bytes.length + " bytes";
                long before = threads.getThreadAllocatedBytes(thread);
                try {
                    for (Tensor t : reader.read(f)) {
                        // what a reader returns must be usable: counted, summed, printed
                        t.numel();
                        t.toString();
                        if (t.dtype() != DType.BOOL) t.to(DType.FLOAT64).sum();
                    }
                    read++;
                } catch (IOException e) {
                    String m = String.valueOf(e.getMessage());
                    if (!m.contains(f.toString()) || !OFFSET.matcher(m).find()) {
                        fail(what + ": the IOException names no file or no byte offset: " + m, e);
                    }
                    refused++;
                } catch (Throwable e) {
                    fail(what + ": " + e + " escaped", e);
                }
                long allocated = threads.getThreadAllocatedBytes(thread) - before;
                long bound = (64L << 20) + 2048L * bytes.length;
                assertTrue(allocated < bound, what + ": allocated " + allocated + " bytes for a file of " + bytes.length);
            }
            // both outcomes must occur, or the mutations are too weak (or too strong) to test anything
            assertTrue(read > 20 && refused > CASES_PER_FORMAT / 2, kind + ": read " + read + ", refused " + refused);
        });
    }

    // ------------------------------------------------------------------------------------------------ mutations

    private static byte[] mutate(byte[] base, Random rnd, List<String> how, String kind) {
        byte[] b = base.clone();
        int rounds = 1 + rnd.nextInt(3);
        for (int r = 0; r < rounds; r++) {
            int n = b.length;
            int at = n == 0 ? 0 : rnd.nextInt(n);
            switch (rnd.nextInt(9)) {
                case 0 -> {
                    if (n > 0) b[at] ^= (byte) (1 << rnd.nextInt(8));
                    how.add("flip a bit at " + at);
                }
                case 1 -> {
                    if (n > 0) b[at] = (byte) (rnd.nextBoolean() ? 0xFF : rnd.nextInt(256));
                    how.add("set byte " + at);
                }
                case 2 -> {
                    b = Arrays.copyOf(b, at);
                    how.add("truncate to " + at);
                }
                case 3 -> {
                    byte[] ins = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(ins);
                    b = splice(b, at, 0, ins);
                    how.add("insert " + ins.length + " at " + at);
                }
                case 4 -> {
                    int len = Math.min(n - at, 1 + rnd.nextInt(8));
                    b = splice(b, at, len, new byte[0]);
                    how.add("remove " + len + " at " + at);
                }
                case 5 -> {
                    int len = Math.min(n - at, 1 + rnd.nextInt(16));
                    b = splice(b, at, 0, Arrays.copyOfRange(b, at, at + len));
                    how.add("repeat " + len + " at " + at);
                }
                case 6 -> {
                    b = lieAboutSizes(b, rnd, kind);
                    how.add("lying size field");
                }
                case 7 -> {
                    b = lieInHeaderNumbers(b, rnd, kind);
                    how.add("lying number in the header");
                }
                default -> {
                    byte[] tail = new byte[1 + rnd.nextInt(8)];
                    if (rnd.nextBoolean()) rnd.nextBytes(tail);
                    b = splice(b, n, 0, tail);
                    how.add("append " + tail.length);
                }
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }

    private static final int[] LIES = {0, 1, 0x7FFFFFFF, 0xFFFFFFFF, 0x80000000, 1 << 20, 65536, 255};

    /** IDX: a dimension size (big-endian, after the magic) becomes a lie; safetensors: the u64 header length does. */
    private static byte[] lieAboutSizes(byte[] b, Random rnd, String kind) {
        if (kind.equals("idx")) {
            if (b.length < 8 || b[0] == 0x1f) return b; // gzipped: the sizes are not in plain sight
            int dims = Math.max(1, Math.min(b[3] & 0xFF, (b.length - 4) / 4));
            ByteBuffer.wrap(b).putInt(4 + 4 * rnd.nextInt(dims), LIES[rnd.nextInt(LIES.length)]);
            return b;
        }
        if (b.length < 8) return b;
        long[] lies = {0, 1, b.length, b.length - 8, 1L << 40, -1, Long.MAX_VALUE, 100_000_000, 100_000_001};
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lies[rnd.nextInt(lies.length)]);
        return b;
    }

    /** Safetensors: a number in the JSON header (a size or an offset) becomes a lie of the same or another length. */
    private static byte[] lieInHeaderNumbers(byte[] b, Random rnd, String kind) {
        if (!kind.equals("st") || b.length < 8) return lieAboutSizes(b, rnd, kind);
        long n = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (n <= 0 || n > b.length - 8) return b;
        String header = new String(b, 8, (int) n, StandardCharsets.ISO_8859_1);
        List<int[]> numbers = new ArrayList<>();
        Matcher m = Pattern.compile("\\d+").matcher(header);
        while (m.find()) numbers.add(new int[] {m.start(), m.end()});
        if (numbers.isEmpty()) return b;
        int[] pick = numbers.get(rnd.nextInt(numbers.size()));
        String[] lies = {"0", "1", "4294967296", "9223372036854775807", "65536", "2147483647", "99999999999999999999", "-1"};
        String lie = lies[rnd.nextInt(lies.length)];
        String changed = header.substring(0, pick[0]) + lie + header.substring(pick[1]);
        // keep the length field truthful about the new header, so the lie reaches the parser
        byte[] h = changed.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[8 + h.length + (b.length - 8 - (int) n)];
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
        System.arraycopy(h, 0, out, 8, h.length);
        System.arraycopy(b, 8 + (int) n, out, 8 + h.length, b.length - 8 - (int) n);
        return out;
    }

    // ---------------------------------------------------------------------------------------------------- seeds

    private static byte[] idx(int type, int[] dims, int elementBytes, Random rnd) {
        int numel = 1;
        for (int d : dims) numel *= d;
        ByteBuffer bb = ByteBuffer.allocate(4 + 4 * dims.length + elementBytes * numel);
        bb.put(new byte[] {0, 0, (byte) type, (byte) dims.length});
        for (int d : dims) bb.putInt(d);
        byte[] data = new byte[elementBytes * numel];
        rnd.nextBytes(data);
        if (type == 0x0D || type == 0x0E) Arrays.fill(data, (byte) 0x3F); // finite floats
        return bb.put(data).array();
    }

    private static byte[] gzip(byte[]... members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] m : members) {
            ByteArrayOutputStream one = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(one)) {
                gz.write(m);
            }
            out.write(one.toByteArray());
        }
        return out.toByteArray();
    }

    private static List<byte[]> idxSeeds() throws IOException {
        Random rnd = new Random(7);
        byte[] images = idx(0x08, new int[] {3, 4, 5}, 1, rnd);
        byte[] labels = idx(0x0C, new int[] {9}, 4, rnd);
        byte[] floats = idx(0x0D, new int[] {2, 3}, 4, rnd);
        byte[] doubles = idx(0x0E, new int[] {2, 2, 2}, 8, rnd);
        byte[] shorts = idx(0x0B, new int[] {6}, 2, rnd);
        byte[] empty = idx(0x08, new int[] {0, 28, 28}, 1, rnd);
        return List.of(images, labels, floats, doubles, shorts, empty, gzip(images), gzip(labels), gzip(doubles),
                gzip(Arrays.copyOf(images, 20), Arrays.copyOfRange(images, 20, images.length)));
    }

    private List<byte[]> safetensorsSeeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        Map<String, Tensor> a = new LinkedHashMap<>();
        a.put("weight", Tensor.randn(3, 4));
        a.put("bias", Tensor.randn(4).to(DType.FLOAT64));
        a.put("steps", Tensor.of(new long[] {1, 2, 3}));
        a.put("mask", Tensor.of(new boolean[] {true, false}));
        a.put("empty", Tensor.zeros(0, 5));
        Path p = dir.resolve("seed.safetensors");
        Safetensors.save(a, p, Map.of("format", "pt"));
        seeds.add(Files.readAllBytes(p));
        Safetensors.save(Map.of("x", Tensor.arange(0, 6, 1).reshape(2, 3)), p);
        seeds.add(Files.readAllBytes(p));
        // narrower dtypes, hand-written as the reference writer lays them out
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[1,1],\"data_offsets\":[4,8]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer bb = ByteBuffer.allocate(8 + padded + 8).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) bb.put((byte) ' ');
        bb.putShort((short) 0x3C00).putShort((short) 0xC000).putInt(-7);
        seeds.add(bb.array());
        return seeds;
    }
}
