package io.chainrule.data;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A gzip stream (RFC 1952) read as strictly as Python's {@code gzip} module reads it: one member after another, each
 * header parsed, each member's CRC-32 and length checked against its trailer; after a member, only another member
 * or zero bytes (tape padding, which Python skips too) may follow. Bytes that do not start a member, or a member cut
 * short, fail with the byte offset in the compressed file, where {@link java.util.zip.GZIPInputStream} stops
 * reading without a word.
 */
final class StrictGzipInputStream extends InputStream {
    /** Makes the exception for {@code problem} at byte {@code offset} of the compressed file. */
    @FunctionalInterface
    interface Errors {
        IOException at(String problem, long offset);
    }

    private static final int FHCRC = 2, FEXTRA = 4, FNAME = 8, FCOMMENT = 16;

    private final InputStream in;
    private final Errors errors;
    private final byte[] buf = new byte[1 << 16];
    private int bufPos;
    private int bufLen;
    /** File offset of {@code buf[0]}. */
    private long bufStart;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private long memberStart;
    private long memberBytes;
    private boolean inMember;
    private boolean finished;

    /** Reads the first member's header at once: a stream that is not gzip fails here. */
    StrictGzipInputStream(InputStream in, Errors errors) throws IOException {
        this.in = in;
        this.errors = errors;
        readHeader();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) return 0;
        while (!finished) {
            if (!inMember) {
                nextMember();
                continue;
            }
            if (inflater.needsInput()) {
                if (!fill()) {
                    throw errors.at("the gzip stream ends inside the compressed data of the member that starts at byte "
                            + memberStart, offset());
                }
                inflater.setInput(buf, bufPos, bufLen - bufPos);
            }
            int n;
            try {
                n = inflater.inflate(b, off, len);
            } catch (DataFormatException e) {
                throw errors.at("the gzip stream is corrupt (" + e.getMessage() + ")", offset());
            }
            bufPos = bufLen - inflater.getRemaining();
            if (n > 0) {
                crc.update(b, off, n);
                memberBytes += n;
                return n;
            }
            if (inflater.finished()) {
                readTrailer();
                inMember = false;
            } else if (inflater.needsDictionary()) {
                throw errors.at("the gzip stream is corrupt (deflate data asking for a preset dictionary)", offset());
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        inflater.end();
        in.close();
    }

    private long offset() {
        return bufStart + bufPos;
    }

    /** Makes sure a byte is buffered; false at the end of the input. */
    private boolean fill() throws IOException {
        if (bufPos < bufLen) return true;
        bufStart += bufLen;
        bufPos = 0;
        bufLen = Math.max(in.read(buf, 0, buf.length), 0);
        return bufLen > 0;
    }

    private int readByte(String inside) throws IOException {
        if (!fill()) {
            throw errors.at("the gzip stream ends inside " + inside + " of the member that starts at byte " + memberStart,
                    offset());
        }
        return buf[bufPos++] & 0xFF;
    }

    private void skip(long n, String inside) throws IOException {
        for (long i = 0; i < n; i++) readByte(inside);
    }

    private void readHeader() throws IOException {
        memberStart = offset();
        // Only called where a byte is buffered: the first byte of the file (checked by the caller), or a non-zero byte
        // after a member. Both magic bytes must follow, or these are trailing bytes, as Python says.
        int id1 = readByte("the header");
        int id2 = id1 == 0x1f && fill() ? buf[bufPos++] & 0xFF : -1;
        if (id1 != 0x1f || id2 != 0x8b) {
            throw errors.at(String.format("byte 0x%02x after the end of the gzip data does not start another gzip member "
                    + "(trailing bytes are refused)", id1), memberStart);
        }
        int method = readByte("the header");
        if (method != 8) throw errors.at("gzip compression method " + method + " is not deflate (8)", memberStart + 2);
        int flags = readByte("the header");
        skip(6, "the header"); // modification time, extra flags, operating system
        if ((flags & FEXTRA) != 0) skip(readByte("the header") | readByte("the header") << 8, "the header's extra field");
        if ((flags & FNAME) != 0) while (readByte("the header's file name") != 0) { /* skipped */ }
        if ((flags & FCOMMENT) != 0) while (readByte("the header's comment") != 0) { /* skipped */ }
        if ((flags & FHCRC) != 0) skip(2, "the header"); // not checked, as Python does not
        inflater.reset();
        crc.reset();
        memberBytes = 0;
        inMember = true;
    }

    private void readTrailer() throws IOException {
        long at = offset();
        long storedCrc = readLittleEndian32();
        long storedSize = readLittleEndian32();
        if (storedCrc != crc.getValue()) {
            throw errors.at("the CRC-32 of the gzip member that starts at byte " + memberStart + " does not match its "
                    + "data: the data are corrupt", at);
        }
        if (storedSize != (memberBytes & 0xFFFFFFFFL)) {
            throw errors.at("the gzip member that starts at byte " + memberStart + " holds " + memberBytes
                    + " bytes but its trailer says " + storedSize, at + 4);
        }
    }

    private long readLittleEndian32() throws IOException {
        long v = 0;
        for (int i = 0; i < 4; i++) v |= (long) readByte("the trailer") << (8 * i);
        return v;
    }

    /** After a member: zero padding is skipped; then the end of the file, or the next member's header. */
    private void nextMember() throws IOException {
        while (fill() && buf[bufPos] == 0) bufPos++;
        if (!fill()) {
            finished = true;
            return;
        }
        readHeader();
    }
}
