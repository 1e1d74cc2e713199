package io.chainrule.io;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.tensor.Shapes;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads and writes the Hugging Face <a href="https://github.com/huggingface/safetensors">safetensors</a> format,
 * byte for byte as the Python library ({@code safetensors.torch.save_file}) does.
 *
 * <pre>{@code
 * Safetensors.save(Map.of("w", Tensor.randn(2, 3)), Path.of("model.safetensors"));
 * Map<String, Tensor> loaded = Safetensors.load(Path.of("model.safetensors"));
 * }</pre>
 *
 * <p>Layout: 8 bytes N (unsigned little-endian), N bytes of UTF-8 JSON header padded with spaces to a multiple of 8,
 * then the tensors' little-endian, row-major bytes. The header maps each name to
 * {@code {"dtype":"F32","shape":[2,3],"data_offsets":[begin,end]}} (offsets relative to the data section), plus an
 * optional {@code "__metadata__"} object of strings. Like the reference writer, tensors are laid out by descending
 * dtype rank (I64, F64, F32, BOOL: wider types first, so every tensor stays aligned) and then by name (UTF-8 byte
 * order), and the header lists them in that order after {@code __metadata__}; metadata keys are written sorted.
 *
 * <p>Reading is strict and validates the whole header before allocating any tensor: a header length beyond the
 * file or beyond 100 MB, a header that does not begin with '{' (the format's rule; whitespace may only pad its end),
 * a shape outside the tensor limits ({@link Shapes#check}), malformed JSON, an unknown dtype, a shape whose byte size differs from its offsets, offsets
 * that overlap, leave a gap or run past the end of the file all throw an {@link IOException} naming the file and
 * the byte offset. Besides F32, F64, I64 and BOOL, the reader widens F16 and BF16 to FLOAT32 and I8, U8, I16, U16,
 * I32, U32 to INT64; other dtypes (U64, 8-bit floats) are refused.
 *
 * <p>Writes are atomic: the file is written to a temporary file in the same directory and renamed over the target,
 * so a failure leaves the previous file (if any) untouched and no partial file behind.
 */
public final class Safetensors {
    /** The reference implementation's limit on the header size. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final int CHUNK = 1 << 16; // bytes per read/write; a multiple of every element size

    private Safetensors() {}

    /** What a file holds: its tensors in header order, and its {@code __metadata__} (empty when absent). */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    // ------------------------------------------------------------------------------------------------ dtypes

    /** A safetensors dtype: its name, its byte size, its rank in the reference ordering, and what it loads as. */
    private enum StDtype {
        BOOL(1, 0, DType.BOOL), U8(1, 1, DType.INT64), I8(1, 2, DType.INT64), I16(2, 5, DType.INT64),
        U16(2, 6, DType.INT64), F16(2, 7, DType.FLOAT32), BF16(2, 8, DType.FLOAT32), I32(4, 9, DType.INT64),
        U32(4, 10, DType.INT64), F32(4, 11, DType.FLOAT32), F64(8, 12, DType.FLOAT64), I64(8, 13, DType.INT64);

        final int size;
        /** Position in the reference's Dtype enum (BOOL, U8, I8, F8_E5M2, F8_E4M3, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64). */
        final int rank;
        final DType loadsAs;

        StDtype(int size, int rank, DType loadsAs) {
            this.size = size;
            this.rank = rank;
            this.loadsAs = loadsAs;
        }

        static StDtype of(DType t) {
            return switch (t) {
                case FLOAT32 -> F32;
                case FLOAT64 -> F64;
                case INT64 -> I64;
                case BOOL -> BOOL;
            };
        }
    }

    private static final List<String> KNOWN_UNSUPPORTED = List.of("U64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4",
            "F6_E2M3", "F6_E3M2", "C64");

    // ------------------------------------------------------------------------------------------------ writing

    /** Writes {@code tensors} to {@code path} (atomically), without metadata. */
    public static void save(Map<String, Tensor> tensors, Path path) throws IOException {
        write(tensors, path, null, null);
    }

    /**
     * Writes {@code tensors} and a {@code __metadata__} map of strings (e.g. {@code {"format": "pt"}}) to
     * {@code path}; a null metadata map writes none. Non-contiguous tensors are written in row-major order.
     */
    public static void save(Map<String, Tensor> tensors, Path path, Map<String, String> metadata) throws IOException {
        write(tensors, path, metadata, null);
    }

    /** Called after each tensor's bytes are written; lets tests fail a write half-way. */
    @FunctionalInterface
    interface AfterTensor {
        void written(String name) throws IOException;
    }

    private record Item(String name, byte[] nameBytes, Tensor tensor, StDtype dtype) {}

    static void write(Map<String, Tensor> tensors, Path path, Map<String, String> metadata, AfterTensor hook)
            throws IOException {
        if (tensors == null) throw new IllegalArgumentException("Safetensors.save: the tensor map must not be null");
        if (path == null) throw new IllegalArgumentException("Safetensors.save: path must not be null");
        List<Item> items = new ArrayList<>(tensors.size());
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = e.getKey();
            if (name == null) throw new IllegalArgumentException("Safetensors.save: a tensor name is null");
            if (name.equals("__metadata__")) {
                throw new IllegalArgumentException("Safetensors.save: \"__metadata__\" is reserved and cannot name a tensor");
            }
            if (e.getValue() == null) throw new IllegalArgumentException("Safetensors.save: tensor \"" + name + "\" is null");
            Tensor t = e.getValue();
            items.add(new Item(name, HeaderJson.utf8("Safetensors.save", name), t, StDtype.of(t.dtype())));
        }
        // The reference order: descending dtype rank, then name by UTF-8 bytes.
        items.sort(Comparator.comparingInt((Item i) -> -i.dtype.rank)
                .thenComparing(Item::nameBytes, Arrays::compareUnsigned));
        byte[] header = header(items, metadata);

        AtomicFiles.writeChannel(path, ch -> {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
            buf.putLong(header.length);
            buf.flip();
            writeFully(ch, buf);
            writeFully(ch, ByteBuffer.wrap(header));
            for (Item item : items) {
                writeData(ch, buf, item.tensor);
                if (hook != null) hook.written(item.name);
            }
        });
    }

    /** The header bytes as serde_json writes them, padded with spaces to a multiple of 8. */
    private static byte[] header(List<Item> items, Map<String, String> metadata) {
        StringBuilder sb = new StringBuilder("{");
        boolean first = true;
        if (metadata != null) {
            TreeMap<byte[], Map.Entry<String, String>> sorted = new TreeMap<>(Arrays::compareUnsigned);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException("Safetensors.save: metadata keys and values must not be null (key "
                            + e.getKey() + ")");
                }
                HeaderJson.utf8("Safetensors.save", e.getValue());
                sorted.put(HeaderJson.utf8("Safetensors.save", e.getKey()), e);
            }
            sb.append("\"__metadata__\":{");
            boolean firstKey = true;
            for (Map.Entry<String, String> e : sorted.values()) {
                if (!firstKey) sb.append(',');
                firstKey = false;
                HeaderJson.writeString(sb, e.getKey());
                sb.append(':');
                HeaderJson.writeString(sb, e.getValue());
            }
            sb.append('}');
            first = false;
        }
        long offset = 0;
        for (Item item : items) {
            if (!first) sb.append(',');
            first = false;
            long bytes = (long) item.tensor.numel() * item.dtype.size;
            HeaderJson.writeString(sb, item.name);
            sb.append(":{\"dtype\":\"").append(item.dtype.name()).append("\",\"shape\":[");
            int[] shape = item.tensor.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(shape[i]);
            }
            sb.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        sb.append('}');
        byte[] json = sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = Arrays.copyOf(json, padded);
        Arrays.fill(out, json.length, padded, (byte) ' ');
        return out;
    }

    /** Writes a tensor's elements in row-major order, little-endian, through {@code buf}. */
    private static void writeData(FileChannel ch, ByteBuffer buf, Tensor t) throws IOException {
        buf.clear();
        switch (t.dtype()) {
            case FLOAT32 -> {
                for (float v : t.toFloatArray()) {
                    if (buf.remaining() < 4) flush(ch, buf);
                    buf.putFloat(v);
                }
            }
            case FLOAT64 -> {
                for (double v : t.toDoubleArray()) {
                    if (buf.remaining() < 8) flush(ch, buf);
                    buf.putDouble(v);
                }
            }
            case INT64 -> {
                for (long v : t.toLongArray()) {
                    if (buf.remaining() < 8) flush(ch, buf);
                    buf.putLong(v);
                }
            }
            case BOOL -> {
                for (boolean v : t.toBooleanArray()) {
                    if (!buf.hasRemaining()) flush(ch, buf);
                    buf.put((byte) (v ? 1 : 0));
                }
            }
        }
        flush(ch, buf);
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        writeFully(ch, buf);
        buf.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) ch.write(buf);
    }

    // ------------------------------------------------------------------------------------------------ reading

    /**
     * The tensors of a safetensors file in a new {@link LinkedHashMap}, in header order (for files from the reference
     * writer: dtype, then name).
     */
    public static Map<String, Tensor> load(Path path) throws IOException {
        return read(path).tensors();
    }

    /** The {@code __metadata__} of a safetensors file (empty when it has none), reading and checking only the header. */
    public static Map<String, String> loadMetadata(Path path) throws IOException {
        try (FileChannel ch = open(path)) {
            return new LinkedHashMap<>(header(path, ch).metadata);
        }
    }

    /** Tensors and metadata of a safetensors file. */
    public static Contents read(Path path) throws IOException {
        try (FileChannel ch = open(path)) {
            Header h = header(path, ch);
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Checked c : h.entries) {
                out.put(c.entry.name(), readTensor(path, ch, h.dataStart + c.entry.begin(), c));
            }
            return new Contents(out, new LinkedHashMap<>(h.metadata));
        }
    }

    private static FileChannel open(Path path) throws IOException {
        if (path == null) throw new IllegalArgumentException("Safetensors.load: path must not be null");
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    private record Checked(HeaderJson.Entry entry, StDtype dtype, int[] shape, int numel) {}

    private record Header(List<Checked> entries, Map<String, String> metadata, long dataStart) {}

    /** Reads and fully validates the header against the file's size; allocates nothing sized by the file's claims. */
    private static Header header(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) throw new IOException(path + ": not a safetensors file: " + size + " bytes, shorter than the 8-byte header length at byte 0");
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new IOException(path + ": header length " + Long.toUnsignedString(n) + " at byte 0 exceeds the limit of "
                    + MAX_HEADER_BYTES + " bytes");
        }
        if (n > size - 8) {
            throw new IOException(path + ": header length " + n + " at byte 0 runs past the end of the file (" + size
                    + " bytes)");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(path, ch, hb, 8);
        HeaderJson.Parsed parsed = HeaderJson.parse(path.toString(), hb.array(), 8);
        long dataStart = 8 + n;
        long dataLength = size - dataStart;

        List<Checked> checked = new ArrayList<>(parsed.entries().size());
        for (HeaderJson.Entry e : parsed.entries()) checked.add(check(path, e, dataStart));
        // Offsets must tile the data section exactly: sorted by begin, each starts where the previous ended.
        List<Checked> byOffset = new ArrayList<>(checked);
        byOffset.sort(Comparator.comparingLong((Checked c) -> c.entry.begin()).thenComparingLong(c -> c.entry.end()));
        long cursor = 0;
        for (Checked c : byOffset) {
            HeaderJson.Entry e = c.entry;
            if (e.end() > dataLength) {
                throw new IOException(path + ": tensor \"" + e.name() + "\" (header byte " + e.at() + ") has data_offsets ["
                        + e.begin() + ", " + e.end() + "] reaching byte " + (dataStart + e.end()) + ", past the end of the file ("
                        + (dataStart + dataLength) + " bytes): truncated file or bad offsets");
            }
            if (e.begin() != cursor) {
                throw new IOException(path + ": tensor \"" + e.name() + "\" (header byte " + e.at() + ") has data_offsets ["
                        + e.begin() + ", " + e.end() + "] " + (e.begin() < cursor ? "overlapping" : "leaving a gap after")
                        + " the previous tensor, which ends at data byte " + cursor + " (file byte " + (dataStart + cursor) + ")");
            }
            cursor = e.end();
        }
        if (cursor != dataLength) {
            throw new IOException(path + ": the tensors end at byte " + (dataStart + cursor) + " but the file has "
                    + (dataStart + dataLength) + " bytes: the data section is not fully described by the header");
        }
        Map<String, String> meta = parsed.metadata() == null ? Map.of() : Collections.unmodifiableMap(parsed.metadata());
        return new Header(checked, meta, dataStart);
    }

    /** Checks one entry on its own: dtype known, shape within Java's limits, byte size matching the offsets. */
    private static Checked check(Path path, HeaderJson.Entry e, long dataStart) throws IOException {
        String where = path + ": tensor \"" + e.name() + "\" (header byte " + e.at() + ")";
        StDtype dtype;
        try {
            dtype = StDtype.valueOf(e.dtype());
        } catch (IllegalArgumentException ex) {
            throw new IOException(where + (KNOWN_UNSUPPORTED.contains(e.dtype()) ? " has dtype " + e.dtype()
                    + ", which chainrule does not support" : " has unknown dtype \"" + e.dtype() + "\""));
        }
        if (e.end() < e.begin()) {
            throw new IOException(where + " has data_offsets [" + e.begin() + ", " + e.end() + "] that end before they begin"
                    + " (file byte " + (dataStart + e.begin()) + ")");
        }
        String problem = Shapes.problem(e.shape()); // the rule every tensor follows
        if (problem != null) throw new IOException(where + ": " + problem);
        int[] shape = new int[e.shape().length];
        for (int i = 0; i < shape.length; i++) shape[i] = (int) e.shape()[i];
        int numel = Shapes.check("Safetensors.load", shape);
        long bytes = (long) numel * dtype.size;
        if (bytes != e.end() - e.begin()) {
            throw new IOException(where + " of dtype " + dtype + " and shape " + Arrays.toString(e.shape()) + " needs "
                    + bytes + " bytes, but its data_offsets [" + e.begin() + ", " + e.end() + "] hold " + (e.end() - e.begin())
                    + " (file byte " + (dataStart + e.begin()) + ")");
        }
        return new Checked(e, dtype, shape, numel);
    }

    private static Tensor readTensor(Path path, FileChannel ch, long position, Checked c) throws IOException {
        int n = c.numel;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(CHUNK, Math.max(1L, (long) n * c.dtype.size))).order(ByteOrder.LITTLE_ENDIAN);
        Object data = switch (c.dtype.loadsAs) {
            case FLOAT32 -> new float[n];
            case FLOAT64 -> new double[n];
            case INT64 -> new long[n];
            case BOOL -> new boolean[n];
        };
        int done = 0;
        long pos = position;
        while (done < n) {
            int count = Math.min(n - done, buf.capacity() / c.dtype.size);
            buf.clear().limit(count * c.dtype.size);
            readFully(path, ch, buf, pos);
            pos += (long) count * c.dtype.size;
            buf.flip();
            decode(c.dtype, buf, data, done, count);
            done += count;
        }
        Tensor t = switch (c.dtype.loadsAs) {
            case FLOAT32 -> Tensor.of((float[]) data);
            case FLOAT64 -> Tensor.of((double[]) data);
            case INT64 -> Tensor.of((long[]) data);
            case BOOL -> Tensor.of((boolean[]) data);
        };
        return t.reshape(c.shape);
    }

    private static void decode(StDtype dtype, ByteBuffer buf, Object data, int at, int count) {
        switch (dtype) {
            case F32 -> buf.asFloatBuffer().get((float[]) data, at, count);
            case F64 -> buf.asDoubleBuffer().get((double[]) data, at, count);
            case I64 -> buf.asLongBuffer().get((long[]) data, at, count);
            case BOOL -> { boolean[] d = (boolean[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.get() != 0; }
            case F16 -> { float[] d = (float[]) data; for (int i = 0; i < count; i++) d[at + i] = halfToFloat(buf.getShort()); }
            case BF16 -> { float[] d = (float[]) data; for (int i = 0; i < count; i++) d[at + i] = Float.intBitsToFloat((buf.getShort() & 0xFFFF) << 16); }
            case I8 -> { long[] d = (long[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.get(); }
            case U8 -> { long[] d = (long[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.get() & 0xFF; }
            case I16 -> { long[] d = (long[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.getShort(); }
            case U16 -> { long[] d = (long[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.getShort() & 0xFFFF; }
            case I32 -> { long[] d = (long[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.getInt(); }
            case U32 -> { long[] d = (long[]) data; for (int i = 0; i < count; i++) d[at + i] = buf.getInt() & 0xFFFFFFFFL; }
        }
    }

    /** IEEE 754 binary16 to float (exact: every half is a float). */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1p-24f; // zero or subnormal
            return sign != 0 ? -v : v;
        }
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13)); // inf or NaN
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private static void readFully(Path path, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException(path + ": unexpected end of file at byte " + pos);
            pos += r;
        }
    }
}
