package io.chainrule.cli.live;

import java.util.Locale;

/** A small JSON writer for the page's data: numbers (NaN and infinities as null), strings, arrays, objects. */
final class Json {
    private final StringBuilder sb = new StringBuilder();
    /** Whether the next value in the current array or object needs a comma before it. */
    private boolean comma;

    Json open() { value(); sb.append('{'); comma = false; return this; }
    Json close() { sb.append('}'); comma = true; return this; }
    Json openArray() { value(); sb.append('['); comma = false; return this; }
    Json closeArray() { sb.append(']'); comma = true; return this; }

    Json key(String k) {
        if (comma) sb.append(',');
        quote(k);
        sb.append(':');
        comma = false;
        return this;
    }

    Json num(double v) {
        value();
        if (!Double.isFinite(v)) sb.append("null");
        else if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
        else sb.append(String.format(Locale.ROOT, "%.7g", v).replaceFirst("\\.?0+(e|$)", "$1"));
        comma = true;
        return this;
    }

    Json str(String s) {
        value();
        if (s == null) sb.append("null");
        else quote(s);
        comma = true;
        return this;
    }

    Json bool(boolean b) {
        value();
        sb.append(b);
        comma = true;
        return this;
    }

    /** Text that is already JSON (a nested document). */
    Json raw(String json) {
        value();
        sb.append(json);
        comma = true;
        return this;
    }

    Json nums(double[] v, int n) {
        openArray();
        for (int i = 0; i < n; i++) num(v[i]);
        return closeArray();
    }

    Json field(String k, double v) { return key(k).num(v); }
    Json field(String k, String v) { return key(k).str(v); }

    private void value() {
        if (comma) sb.append(',');
    }

    private void quote(String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c)); // also safe inside HTML
            } else sb.append(c);
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb.toString();
    }
}
