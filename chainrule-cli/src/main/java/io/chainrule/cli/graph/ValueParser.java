package io.chainrule.cli.graph;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.cli.CliException;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses the value of a {@code -v NAME=VALUE} variable, strictly: a number {@code 1.5}, a vector {@code [1, 2, 3]} or a
 * matrix {@code [[1, 2], [3, 4]]} (equally {@code [1, 2; 3, 4]}). Numbers are decimal ({@code -2}, {@code 0.5},
 * {@code 1e-3}) and separated by commas; anything else fails with one line naming the variable and the column.
 */
final class ValueParser {
    private final String name;
    private final String text;
    private int pos;

    private ValueParser(String name, String text) {
        this.name = name;
        this.text = text;
    }

    /** The FLOAT64 tensor {@code text} describes: 0-D, 1-D or 2-D. */
    static Tensor parse(String name, String text) {
        return new ValueParser(name, text).value();
    }

    private Tensor value() {
        skipSpace();
        Tensor out;
        if (peek() != '[') {
            out = Tensor.scalar(number(), DType.FLOAT64);
        } else {
            pos++;
            skipSpace();
            out = peek() == '[' ? nestedRows() : flatRows();
        }
        skipSpace();
        if (pos < text.length()) throw error("unexpected '" + text.charAt(pos) + "' after the value");
        return out;
    }

    /** After the opening '[': numbers separated by ',' and rows by ';', up to the closing ']'. */
    private Tensor flatRows() {
        List<double[]> rows = new ArrayList<>();
        boolean semicolons = false;
        while (true) {
            rows.add(numbers(';'));
            char c = peek(); // ']' or ';': numbers() stops at nothing else
            pos++;
            if (c == ']') break;
            semicolons = true;
        }
        return semicolons ? matrix(rows) : Tensor.of(rows.get(0));
    }

    /** After the opening '[': rows written as [..], [..], up to the closing ']'. */
    private Tensor nestedRows() {
        List<double[]> rows = new ArrayList<>();
        while (true) {
            expect('[');
            rows.add(numbers(']'));
            pos++; // the row's ']'
            skipSpace();
            char c = peek();
            if (c == ']') {
                pos++;
                break;
            }
            if (c != ',') throw error(c == 0 ? "missing ']' at the end" : "expected ',' or ']' but found '" + c + "'");
            pos++;
            skipSpace();
        }
        return matrix(rows);
    }

    /** Numbers separated by ',' up to ']' or {@code alsoEnd}, which is left unread; at least one number. */
    private double[] numbers(char alsoEnd) {
        List<Double> values = new ArrayList<>();
        skipSpace();
        if (peek() == ']' || peek() == alsoEnd) throw error("expected a number, found an empty list");
        while (true) {
            values.add(number());
            skipSpace();
            char c = peek();
            if (c == ']' || c == alsoEnd) break;
            if (c == ',') {
                pos++;
                skipSpace();
                continue;
            }
            if (c == 0) throw error("missing ']' at the end");
            throw error("expected ',' or ']' between numbers but found '" + c + "'");
        }
        double[] out = new double[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    private Tensor matrix(List<double[]> rows) {
        int cols = rows.get(0).length;
        for (double[] r : rows) {
            if (r.length != cols) {
                throw new CliException("value of " + name + ": rows have different lengths (" + cols + " and " + r.length
                        + ") in '" + text + "'");
            }
        }
        return Tensor.of(rows.toArray(new double[0][]));
    }

    /** A decimal number: optional '-', digits with an optional fraction, an optional exponent. */
    private double number() {
        int start = pos;
        if (peek() == '-' || peek() == '+') pos++;
        int digits = 0;
        while (Character.isDigit(peek())) { pos++; digits++; }
        if (peek() == '.') {
            pos++;
            while (Character.isDigit(peek())) { pos++; digits++; }
        }
        if (digits > 0 && (peek() == 'e' || peek() == 'E')) {
            pos++;
            if (peek() == '-' || peek() == '+') pos++;
            int exp = 0;
            while (Character.isDigit(peek())) { pos++; exp++; }
            if (exp == 0) throw errorAt(start, "malformed number '" + text.substring(start, pos) + "'");
        }
        if (digits == 0) {
            pos = start;
            char c = peek();
            throw error(c == 0 ? "expected a number, found the end" : "expected a number but found '" + c + "'");
        }
        return Double.parseDouble(text.substring(start, pos));
    }

    private void expect(char c) {
        skipSpace();
        if (peek() != c) throw error(peek() == 0 ? "expected '" + c + "', found the end" : "expected '" + c + "' but found '" + peek() + "'");
        pos++;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) pos++;
    }

    /** The current character, or 0 at the end. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private CliException error(String what) {
        return errorAt(pos, what);
    }

    private CliException errorAt(int at, String what) {
        return new CliException("value of " + name + " is not a number, [vector] or [[matrix]]: " + what + " at column "
                + (at + 1) + " in '" + text + "'");
    }
}
