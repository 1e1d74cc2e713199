package io.chainrule.data;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.tensor.Shapes;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipException;

/**
 * Reads IDX files, the format of MNIST and Fashion-MNIST: the magic bytes {@code 0x00 0x00 type ndims}, one
 * big-endian 32-bit size per dimension, then the elements, big-endian, row-major. Element types: {@code 0x08}
 * unsigned byte, {@code 0x09} signed byte, {@code 0x0B} short, {@code 0x0C} int, {@code 0x0D} float,
 * {@code 0x0E} double.
 *
 * <pre>{@code Tensor labels = Idx.read(Path.of("train-labels-idx1-ubyte.gz"));   // INT64 [60000]}</pre>
 *
 * <p>Gzipped files are recognised by their magic bytes ({@code 1f 8b}), not by the file name, and read as Python's
 * {@code gzip} reads them ({@link StrictGzipInputStream}): concatenated members form one stream, zero padding after
 * the data is skipped, and any other byte after the gzip data is refused. The header's shape follows the rule of
 * every tensor ({@link Shapes#check}: at most 64 dimensions and 2³¹ − 9 elements). A malformed file —
 * bad magic, unknown type, truncated data, a header claiming more data than the file holds, trailing bytes —
 * fails with an {@link IOException} naming the file and the byte offset (of the uncompressed data, for gzip).
 * Nothing is allocated from the header before it has been checked against the file: a plain file must have
 * exactly the size the header implies, a gzipped one is read in bounded chunks and fails at the first short read.
 */
public final class Idx {
    /** The most elements one tensor holds (the largest safe Java array). */
    static final long MAX_ELEMENTS = Shapes.MAX_NUMEL;
    /** Deflate cannot expand data by more than about 1032:1; a header claiming more is lying. */
    private static final long MAX_GZIP_RATIO = 1032;
    /** Bytes read and decoded at a time: a multiple of every element size. */
    private static final int CHUNK = 1 << 20;

    private Idx() {}

    /** The IDX element types. */
    enum ElementType {
        UBYTE(0x08, 1, "unsigned byte"),
        BYTE(0x09, 1, "signed byte"),
        SHORT(0x0B, 2, "short"),
        INT(0x0C, 4, "int"),
        FLOAT(0x0D, 4, "float"),
        DOUBLE(0x0E, 8, "double");

        final int code;
        final int bytes;
        final String label;

        ElementType(int code, int bytes, String label) {
            this.code = code;
            this.bytes = bytes;
            this.label = label;
        }

        static ElementType of(int code) {
            for (ElementType t : values()) if (t.code == code) return t;
            return null;
        }
    }

    /** A parsed header: element type, dimensions, element count and header length in bytes. */
    record Header(ElementType type, int[] dims, long numel, int length) {
        long payloadBytes() {
            return numel * type.bytes;
        }
    }

    /** A file's header and its values. */
    record Contents(Header header, Tensor tensor) {}

    /**
     * The raw values of an IDX file: a 1-D file gives an INT64 tensor (labels), any other a FLOAT32 tensor of the
     * dimensions the header declares (images keep their 0..255 values).
     *
     * @throws IOException when the file cannot be read or is malformed (the message names file and byte offset)
     */
    public static Tensor read(Path file) throws IOException {
        return read(file, 1f).tensor();
    }

    /** Like {@link #read(Path)}, with FLOAT32 values divided by {@code divisor} as they are decoded. */
    static Contents read(Path file, float divisor) throws IOException {
        long fileSize;
        try {
            fileSize = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "Idx.read: no such file");
        }
        try (InputStream raw = Files.newInputStream(file)) {
            BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 16);
            buffered.mark(2);
            int b0 = buffered.read();
            int b1 = buffered.read();
            buffered.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            Source src = new Source(file, gzip);
            try {
                src.in = gzip ? new StrictGzipInputStream(buffered, src::gzipError) : buffered;
                Header h = readHeader(src);
                checkSize(src, h, fileSize);
                List<byte[]> chunks = readPayload(src, h);
                if (src.in.read() != -1) {
                    throw src.error("unexpected bytes after the " + h.payloadBytes() + " bytes of data the header declares",
                            src.pos);
                }
                return new Contents(h, decode(h, chunks, divisor));
            } catch (ZipException | EOFException e) {
                // The stream's own complaints carry no file name or position (an early end, often no message): add them.
                String why = e instanceof EOFException ? "ends early" : "is corrupt (" + e.getMessage() + ")";
                throw src.error((gzip ? "the gzip stream " : "the file ") + why, src.pos);
            }
        }
    }

    /** The stream being read, with its position in the (uncompressed) data for error messages. */
    private static final class Source {
        final Path file;
        final boolean gzip;
        InputStream in;
        long pos;

        Source(Path file, boolean gzip) {
            this.file = file;
            this.gzip = gzip;
        }

        IOException error(String problem, long offset) {
            return new IOException("Idx.read: " + file + ": " + problem + " at byte offset " + offset
                    + (gzip ? " of the uncompressed data" : ""));
        }

        /** A problem in the gzip framing itself, at an offset of the compressed file. */
        IOException gzipError(String problem, long offset) {
            return new IOException("Idx.read: " + file + ": " + problem + " (at byte offset " + offset + " of the gzip file)");
        }

        /** Reads exactly {@code len} bytes or fails, naming {@code what} was being read and where it stopped. */
        void readFully(byte[] b, int len, String what) throws IOException {
            int got = in.readNBytes(b, 0, len);
            if (got < len) throw error("file is truncated: it ends inside " + what, pos + got);
            pos += len;
        }
    }

    private static Header readHeader(Source src) throws IOException {
        byte[] magic = new byte[4];
        src.readFully(magic, 4, "the 4-byte magic number");
        if (magic[0] != 0 || magic[1] != 0) {
            throw src.error(String.format("not an IDX file: magic starts with 0x%02x 0x%02x, expected 0x00 0x00",
                    magic[0] & 0xFF, magic[1] & 0xFF), 0);
        }
        ElementType type = ElementType.of(magic[2] & 0xFF);
        if (type == null) {
            throw src.error(String.format("unknown element type 0x%02x (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)",
                    magic[2] & 0xFF), 2);
        }
        int ndims = magic[3] & 0xFF;
        if (ndims == 0) throw src.error("the header declares 0 dimensions", 3);
        byte[] sizes = new byte[4 * ndims];
        src.readFully(sizes, sizes.length, "the " + ndims + " dimension sizes");
        ByteBuffer bb = ByteBuffer.wrap(sizes); // big-endian, IDX's order
        long[] declared = new long[ndims];
        for (int d = 0; d < ndims; d++) declared[d] = bb.getInt() & 0xFFFFFFFFL;
        String problem = Shapes.problem(declared); // the rule every tensor follows, with the file's offset
        if (problem != null) throw src.error("the header's " + problem, ndims > Shapes.MAX_RANK ? 3 : 4);
        int[] dims = new int[ndims];
        for (int d = 0; d < ndims; d++) dims[d] = (int) declared[d];
        long numel = Shapes.check("Idx.read", dims); // valid: 0 when any size is 0
        return new Header(type, dims, numel, 4 + 4 * ndims);
    }

    /** Checks the claimed data size against the file before anything is allocated for it. */
    private static void checkSize(Source src, Header h, long fileSize) throws IOException {
        long claimed = h.payloadBytes();
        String claim = "the header declares " + Arrays.toString(h.dims()) + " " + h.type().label + " elements ("
                + claimed + " bytes of data from byte offset " + h.length() + ")";
        if (src.gzip) {
            if (claimed > MAX_GZIP_RATIO * fileSize + 4096) {
                throw src.error(claim + ", more than a gzip file of " + fileSize + " bytes can hold", h.length());
            }
            return; // the rest is checked as the data streams in
        }
        long available = fileSize - h.length();
        if (available < claimed) {
            throw src.error(claim + ", but the file is truncated: it has " + fileSize + " bytes and its data ends",
                    fileSize);
        }
        if (available > claimed) {
            throw src.error(claim + ", but the file has " + (available - claimed) + " more bytes after them, starting",
                    h.length() + claimed);
        }
    }

    /** The data bytes in bounded chunks: memory grows only with bytes actually read. */
    private static List<byte[]> readPayload(Source src, Header h) throws IOException {
        List<byte[]> chunks = new ArrayList<>();
        long remaining = h.payloadBytes();
        while (remaining > 0) {
            int len = (int) Math.min(CHUNK, remaining);
            byte[] chunk = new byte[len];
            int got = src.in.readNBytes(chunk, 0, len);
            if (got < len) {
                throw src.error("file is truncated: " + claimOf(h) + " but the data ends", src.pos + got);
            }
            src.pos += len;
            remaining -= len;
            chunks.add(chunk);
        }
        return chunks;
    }

    private static String claimOf(Header h) {
        return "the header declares " + Arrays.toString(h.dims()) + " " + h.type().label + " elements (data up to byte offset "
                + (h.length() + h.payloadBytes()) + ")";
    }

    /** Decodes the big-endian chunks into a tensor: INT64 for 1-D files, FLOAT32 otherwise. */
    private static Tensor decode(Header h, List<byte[]> chunks, float divisor) {
        boolean labels = h.dims().length == 1;
        Tensor out = Tensor.zeros(labels ? DType.INT64 : DType.FLOAT32, h.dims());
        if (h.numel() == 0) return out;
        Tensor flat = out.view((int) h.numel());
        float[] ubyteTable = new float[256];
        for (int i = 0; i < 256; i++) ubyteTable[i] = divisor == 1f ? i : i / divisor;
        int at = 0;
        for (byte[] chunk : chunks) {
            int n = chunk.length / h.type().bytes;
            Tensor part = labels ? Tensor.of(decodeLongs(h.type(), chunk, n))
                    : Tensor.of(decodeFloats(h.type(), chunk, n, divisor, ubyteTable));
            flat.narrow(0, at, n).copyFrom(part);
            at += n;
        }
        return out;
    }

    private static long[] decodeLongs(ElementType type, byte[] b, int n) {
        long[] out = new long[n];
        ByteBuffer bb = ByteBuffer.wrap(b);
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) out[i] = b[i] & 0xFF; }
            case BYTE -> { for (int i = 0; i < n; i++) out[i] = b[i]; }
            case SHORT -> { for (int i = 0; i < n; i++) out[i] = bb.getShort(); }
            case INT -> { for (int i = 0; i < n; i++) out[i] = bb.getInt(); }
            // Floating-point labels are truncated toward zero, as a cast to int64 does.
            case FLOAT -> { for (int i = 0; i < n; i++) out[i] = (long) bb.getFloat(); }
            case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = (long) bb.getDouble(); }
        }
        return out;
    }

    private static float[] decodeFloats(ElementType type, byte[] b, int n, float divisor, float[] ubyteTable) {
        float[] out = new float[n];
        ByteBuffer bb = ByteBuffer.wrap(b);
        switch (type) {
            case UBYTE -> { for (int i = 0; i < n; i++) out[i] = ubyteTable[b[i] & 0xFF]; }
            case BYTE -> { for (int i = 0; i < n; i++) out[i] = b[i]; }
            case SHORT -> { for (int i = 0; i < n; i++) out[i] = bb.getShort(); }
            case INT -> { for (int i = 0; i < n; i++) out[i] = bb.getInt(); }
            case FLOAT -> bb.asFloatBuffer().get(out);
            case DOUBLE -> { for (int i = 0; i < n; i++) out[i] = (float) bb.getDouble(); }
        }
        if (divisor != 1f && type != ElementType.UBYTE) {
            for (int i = 0; i < n; i++) out[i] /= divisor;
        }
        return out;
    }
}
