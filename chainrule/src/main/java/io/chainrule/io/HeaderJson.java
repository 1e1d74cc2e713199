package io.chainrule.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of a safetensors header, and nothing more: a strict parser for
 * {@code {"__metadata__": {"k": "v"}, "name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, ...}}
 * and a writer that produces the same bytes as the reference (Rust serde_json) writer: no whitespace, fields in
 * the order dtype, shape, data_offsets, strings escaped as serde_json does.
 *
 * <p>The parser works on the raw bytes so every error names the exact byte offset in the file. It accepts what
 * RFC 8259 accepts for this schema (whitespace anywhere but before the opening '{', which the format forbids;
 * escapes; unknown fields inside a tensor entry, which it skips), and rejects everything else: duplicate names, missing fields, negative or fractional numbers, values
 * past 2^63 − 1, nesting deeper than {@link #MAX_DEPTH}, invalid UTF-8, trailing garbage.
 */
final class HeaderJson {
    /** Limits the recursion of {@link #skipValue} on hostile input. */
    static final int MAX_DEPTH = 64;

    /** One tensor's entry as written in the header; {@code at} is the file offset of its name. */
    record Entry(String name, String dtype, long[] shape, long begin, long end, long at) {}

    /** A parsed header: the tensors in header order, and the metadata (null when absent). */
    record Parsed(List<Entry> entries, Map<String, String> metadata) {}

    private final String file;
    private final byte[] b;
    private final long base;
    private int pos;

    /** {@code base} is the file offset of {@code header[0]} (8), so messages give file offsets. */
    private HeaderJson(String file, byte[] header, long base) {
        this.file = file;
        this.b = header;
        this.base = base;
    }

    static Parsed parse(String file, byte[] header, long base) throws IOException {
        return new HeaderJson(file, header, base).parseHeader();
    }

    // ------------------------------------------------------------------------------------------------- parsing

    private IOException error(String what, int at) {
        return new IOException(file + ": invalid safetensors header: " + what + " at byte " + (base + at));
    }

    private Parsed parseHeader() throws IOException {
        // The format's rule: the header MUST begin with '{' (whitespace may only pad its end, and sit inside it).
        if (pos >= b.length || b[pos] != '{') {
            throw error("the header must start with '{', found " + (pos >= b.length ? "nothing" : show(b[pos] & 0xFF)), pos);
        }
        pos++;
        List<Entry> entries = new ArrayList<>();
        Map<String, Boolean> seen = new LinkedHashMap<>();
        Map<String, String> metadata = null;
        skipWs();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                skipWs();
                int keyAt = pos;
                String key = parseString();
                if (seen.put(key, Boolean.TRUE) != null) throw error("duplicate key \"" + key + "\"", keyAt);
                skipWs();
                expect(':');
                skipWs();
                if (key.equals("__metadata__")) {
                    metadata = parseMetadata();
                } else {
                    entries.add(parseEntry(key, keyAt));
                }
                skipWs();
                int c = next("',' or '}'");
                if (c == '}') break;
                if (c != ',') throw error("expected ',' or '}' but found " + show(c), pos - 1);
            }
        }
        skipWs();
        if (pos != b.length) throw error("unexpected " + show(b[pos] & 0xFF) + " after the end of the header object", pos);
        return new Parsed(entries, metadata);
    }

    private Map<String, String> parseMetadata() throws IOException {
        if (startsWith("null")) {
            pos += 4;
            return null;
        }
        if (peek() != '{') throw error("__metadata__ must be an object of strings", pos);
        pos++;
        Map<String, String> out = new LinkedHashMap<>();
        skipWs();
        if (peek() == '}') {
            pos++;
            return out;
        }
        while (true) {
            skipWs();
            int keyAt = pos;
            String key = parseString();
            skipWs();
            expect(':');
            skipWs();
            if (peek() != '"') throw error("__metadata__ value of \"" + key + "\" must be a string", pos);
            String value = parseString();
            if (out.put(key, value) != null) throw error("duplicate __metadata__ key \"" + key + "\"", keyAt);
            skipWs();
            int c = next("',' or '}'");
            if (c == '}') return out;
            if (c != ',') throw error("expected ',' or '}' but found " + show(c), pos - 1);
        }
    }

    private Entry parseEntry(String name, int nameAt) throws IOException {
        int objAt = pos;
        if (peek() != '{') throw error("the entry of tensor \"" + name + "\" must be an object", pos);
        pos++;
        String dtype = null;
        long[] shape = null;
        long[] offsets = null;
        skipWs();
        if (peek() == '}') {
            pos++;
        } else {
            while (true) {
                skipWs();
                int keyAt = pos;
                String key = parseString();
                skipWs();
                expect(':');
                skipWs();
                switch (key) {
                    case "dtype" -> {
                        if (dtype != null) throw error("duplicate field \"dtype\" in tensor \"" + name + "\"", keyAt);
                        if (peek() != '"') throw error("\"dtype\" of tensor \"" + name + "\" must be a string", pos);
                        dtype = parseString();
                    }
                    case "shape" -> {
                        if (shape != null) throw error("duplicate field \"shape\" in tensor \"" + name + "\"", keyAt);
                        shape = parseUnsignedArray("shape of tensor \"" + name + "\"");
                    }
                    case "data_offsets" -> {
                        if (offsets != null) throw error("duplicate field \"data_offsets\" in tensor \"" + name + "\"", keyAt);
                        int at = pos;
                        offsets = parseUnsignedArray("data_offsets of tensor \"" + name + "\"");
                        if (offsets.length != 2) {
                            throw error("data_offsets of tensor \"" + name + "\" must be [begin, end], got " + offsets.length
                                    + " numbers", at);
                        }
                    }
                    default -> skipValue(1);
                }
                skipWs();
                int c = next("',' or '}'");
                if (c == '}') break;
                if (c != ',') throw error("expected ',' or '}' but found " + show(c), pos - 1);
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw error("tensor \"" + name + "\" has no \"" + missing + "\"", objAt);
        }
        return new Entry(name, dtype, shape, offsets[0], offsets[1], base + nameAt);
    }

    private long[] parseUnsignedArray(String what) throws IOException {
        if (peek() != '[') throw error(what + " must be an array of non-negative integers", pos);
        pos++;
        List<Long> values = new ArrayList<>();
        skipWs();
        if (peek() == ']') {
            pos++;
        } else {
            while (true) {
                skipWs();
                values.add(parseUnsigned(what));
                skipWs();
                int c = next("',' or ']'");
                if (c == ']') break;
                if (c != ',') throw error("expected ',' or ']' in " + what + " but found " + show(c), pos - 1);
            }
        }
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private long parseUnsigned(String what) throws IOException {
        int start = pos;
        if (pos >= b.length || b[pos] < '0' || b[pos] > '9') {
            throw error(what + " must hold non-negative integers, found " + (pos >= b.length ? "the end" : show(b[pos] & 0xFF)), pos);
        }
        if (b[pos] == '0' && pos + 1 < b.length && b[pos + 1] >= '0' && b[pos + 1] <= '9') {
            throw error("leading zero in a number of " + what, pos);
        }
        long v = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            int d = b[pos] - '0';
            if (v > (Long.MAX_VALUE - d) / 10) throw error("number too large in " + what, start);
            v = v * 10 + d;
            pos++;
        }
        if (pos < b.length && (b[pos] == '.' || b[pos] == 'e' || b[pos] == 'E')) {
            throw error(what + " must hold integers, found a fraction or exponent", start);
        }
        return v;
    }

    /** Skips any JSON value (an unknown field), refusing nesting deeper than {@link #MAX_DEPTH}. */
    private void skipValue(int depth) throws IOException {
        if (depth > MAX_DEPTH) throw error("nesting deeper than " + MAX_DEPTH + " levels", pos);
        int c = peek();
        switch (c) {
            case '"' -> parseString();
            case '{', '[' -> {
                char close = c == '{' ? '}' : ']';
                pos++;
                skipWs();
                if (peek() == close) {
                    pos++;
                    return;
                }
                while (true) {
                    skipWs();
                    if (c == '{') {
                        parseString();
                        skipWs();
                        expect(':');
                        skipWs();
                    }
                    skipValue(depth + 1);
                    skipWs();
                    int d = next("',' or '" + close + "'");
                    if (d == close) return;
                    if (d != ',') throw error("expected ',' or '" + close + "' but found " + show(d), pos - 1);
                }
            }
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> skipNumber();
        }
    }

    private void literal(String word) throws IOException {
        if (!startsWith(word)) throw error("invalid literal", pos);
        pos += word.length();
    }

    private void skipNumber() throws IOException {
        int start = pos;
        if (peek() == '-') pos++;
        int digits = 0;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') { pos++; digits++; }
        if (digits == 0) throw error("expected a JSON value", start);
        if (pos < b.length && b[pos] == '.') {
            pos++;
            int frac = 0;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') { pos++; frac++; }
            if (frac == 0) throw error("malformed number", start);
        }
        if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) pos++;
            int exp = 0;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') { pos++; exp++; }
            if (exp == 0) throw error("malformed number", start);
        }
    }

    /** A JSON string at {@code pos}: escapes resolved, UTF-8 checked. */
    private String parseString() throws IOException {
        int start = pos;
        if (peek() != '"') throw error("expected a string", pos);
        pos++;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            if (pos >= b.length) throw error("unterminated string", start);
            int c = b[pos] & 0xFF;
            if (c == '"') {
                pos++;
                break;
            }
            if (c < 0x20) throw error("control character in a string", pos);
            if (c != '\\') {
                out.write(c);
                pos++;
                continue;
            }
            int escAt = pos;
            pos++;
            int e = next("an escape");
            switch (e) {
                case '"', '\\', '/' -> out.write(e);
                case 'b' -> out.write('\b');
                case 'f' -> out.write('\f');
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'u' -> {
                    int cp = hex4(escAt);
                    if (Character.isHighSurrogate((char) cp)) {
                        if (!startsWith("\\u")) throw error("lone surrogate in \\u escape", escAt);
                        pos += 2;
                        int low = hex4(escAt);
                        if (!Character.isLowSurrogate((char) low)) throw error("invalid surrogate pair in \\u escape", escAt);
                        cp = Character.toCodePoint((char) cp, (char) low);
                    } else if (Character.isLowSurrogate((char) cp)) {
                        throw error("lone surrogate in \\u escape", escAt);
                    }
                    byte[] enc = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    out.write(enc, 0, enc.length);
                }
                default -> throw error("invalid escape \\" + (char) e, escAt);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out.toByteArray())).toString();
        } catch (CharacterCodingException ex) {
            throw error("invalid UTF-8 in a string", start);
        }
    }

    private int hex4(int escAt) throws IOException {
        if (pos + 4 > b.length) throw error("truncated \\u escape", escAt);
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos + i], 16);
            if (d < 0) throw error("invalid \\u escape", escAt);
            v = v * 16 + d;
        }
        pos += 4;
        return v;
    }

    private void skipWs() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) pos++;
    }

    private int peek() throws IOException {
        if (pos >= b.length) throw error("unexpected end of the header", pos);
        return b[pos] & 0xFF;
    }

    private int next(String expected) throws IOException {
        if (pos >= b.length) throw error("unexpected end of the header, expected " + expected, pos);
        return b[pos++] & 0xFF;
    }

    private void expect(char c) throws IOException {
        int got = next("'" + c + "'");
        if (got != c) throw error("expected '" + c + "' but found " + show(got), pos - 1);
    }

    private boolean startsWith(String s) {
        if (pos + s.length() > b.length) return false;
        for (int i = 0; i < s.length(); i++) if (b[pos + i] != s.charAt(i)) return false;
        return true;
    }

    private static String show(int c) {
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("byte 0x%02x", c);
    }

    // ------------------------------------------------------------------------------------------------- writing

    /** A JSON string literal, escaped as serde_json escapes: quote, backslash, control characters only. */
    static void writeString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }

    /** UTF-8 bytes of {@code s}; a string with an unpaired surrogate cannot be written as JSON text. */
    static byte[] utf8(String op, String s) {
        try {
            ByteBuffer bb = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(s));
            byte[] out = new byte[bb.remaining()];
            bb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(op + ": name or metadata \"" + s + "\" has an unpaired surrogate and "
                    + "cannot be written as UTF-8");
        }
    }
}
