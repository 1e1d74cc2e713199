package io.chainrule.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes the float32 twin of every float64 kernel source that asks for one, the way EJML's {@code GenerateCode32}
 * does: the double code is the real, compiled source; the float code is produced from it by pattern replacement.
 * Run by the build in {@code generate-sources} with the JDK's source launcher:
 * {@code java TwinGenerator.java <source root> <output root>}.
 *
 * <p>A source asks for a twin with a header of {@code // twin:} lines before its {@code package} line:
 * <pre>
 * // twin: float -> FloatPointwise          the twin's class (required; the source's class is DoublePointwise)
 * // twin: replace dgemm => sgemm           an extra literal replacement, applied after the rules (optional)
 * // twin: keep double acc, sum             names declared double that stay double (accumulators; optional)
 * // twin: note ...                         a remark for readers of the source, left out of the twin
 * </pre>
 * Rules, outside string literals: {@code double} → {@code float}, {@code Double} → {@code Float} (in any name:
 * DoubleVector, Double.MAX_VALUE, the class's own name), {@code float64} → {@code float32}, {@code FLOAT64} →
 * {@code FLOAT32}; in code (not comments) a floating literal gains an {@code f} ({@code 0.5}, {@code 1e-3},
 * {@code 2d}). Lines that differ, kept rare: a line ending in {@code // twin: double only} is left out of the twin,
 * as is everything between {@code // twin: double only begin} and {@code // twin: end}; a line
 * {@code // twin: float only: <code>} becomes {@code <code>} in the twin, as written.
 *
 * <p>Output is deterministic; a file is rewritten only when its content changes, and twins whose source is gone
 * are deleted. Any malformed header or marker fails the build.
 */
public final class TwinGenerator {
    private static final String TAG = "// twin:";
    private static final Pattern TWIN = Pattern.compile("// twin: float -> (\\w+)");
    private static final Pattern REPLACE = Pattern.compile("// twin: replace (.+?) => (.*)");
    private static final Pattern NOTE = Pattern.compile("// twin: note .*");
    private static final Pattern KEEP = Pattern.compile("// twin: keep double (\\w+(?:, \\w+)*)");
    /** Stands for a kept {@code double} while the rules run; no Java source contains it. */
    private static final String KEPT = "\u0000kept\u0000";
    private static final Pattern LITERAL = Pattern.compile(
            "(?<![\\w$.])((?:\\d[\\d_]*\\.[\\d_]*|\\.\\d[\\d_]*|\\d[\\d_]*)(?:[eE][+-]?\\d+)?)([dDfFlL]?)(?![\\w$.])");

    private TwinGenerator() {}

    /** {@code args}: the source root to scan and the root to write twins to (package folders are kept). */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) throw new IllegalArgumentException("usage: TwinGenerator <source root> <output root>");
        Path in = Path.of(args[0]), out = Path.of(args[1]);
        Set<Path> written = new TreeSet<>();
        List<Path> sources;
        try (Stream<Path> s = Files.walk(in)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        for (Path src : sources) {
            String text = Files.readString(src, StandardCharsets.UTF_8);
            if (!text.startsWith(TAG)) continue;
            String origin = Path.of("").toAbsolutePath().relativize(src.toAbsolutePath()).toString().replace('\\', '/');
            Twin twin = generate(text, origin);
            Path target = out.resolve(in.relativize(src)).resolveSibling(twin.className() + ".java");
            if (!written.add(target.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException(origin + ": another source already generates " + target);
            }
            if (!Files.exists(target) || !Files.readString(target, StandardCharsets.UTF_8).equals(twin.text())) {
                Files.createDirectories(target.getParent());
                Files.writeString(target, twin.text(), StandardCharsets.UTF_8);
            }
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".java")).toList()) {
                    if (!written.contains(p.toAbsolutePath().normalize())) Files.delete(p);
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
    }

    /** A generated twin: its class name and its full text. */
    public record Twin(String className, String text) {}

    /** The float twin of {@code source} (the text of a file with a twin header); {@code origin} names it in the output. */
    public static Twin generate(String source, String origin) {
        String[] lines = source.split("\n", -1);
        String className = null;
        List<String[]> replacements = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        int i = 0;
        for (; i < lines.length && lines[i].startsWith(TAG); i++) {
            String h = lines[i].strip();
            Matcher t = TWIN.matcher(h), r = REPLACE.matcher(h), k = KEEP.matcher(h);
            if (t.matches()) className = t.group(1);
            else if (r.matches()) replacements.add(new String[] {r.group(1), r.group(2)});
            else if (k.matches()) kept.addAll(List.of(k.group(1).split(", ")));
            else if (!NOTE.matcher(h).matches()) {
                throw new IllegalArgumentException(origin + ":" + (i + 1) + ": unknown twin header: " + lines[i]);
            }
        }
        if (className == null) throw new IllegalArgumentException(origin + ": no '// twin: float -> ClassName' header");
        StringBuilder out = new StringBuilder();
        boolean skipping = false;
        int blockStart = 0;
        for (; i < lines.length; i++) {
            String line = lines[i], stripped = line.strip();
            String where = origin + ":" + (i + 1);
            if (stripped.equals("// twin: double only begin")) {
                if (skipping) throw new IllegalArgumentException(where + ": nested 'double only' block");
                skipping = true;
                blockStart = i + 1;
                continue;
            }
            if (stripped.equals("// twin: end")) {
                if (!skipping) throw new IllegalArgumentException(where + ": '// twin: end' without a begin");
                skipping = false;
                continue;
            }
            if (skipping || stripped.endsWith("// twin: double only")) continue;
            if (stripped.startsWith("// twin: float only: ")) {
                out.append(line, 0, line.indexOf("//")).append(stripped.substring("// twin: float only: ".length()));
            } else if (stripped.contains(TAG)) {
                throw new IllegalArgumentException(where + ": unknown twin marker: " + stripped);
            } else {
                out.append(line);
            }
            if (i < lines.length - 1) out.append('\n');
        }
        if (skipping) throw new IllegalArgumentException(origin + ":" + blockStart + ": 'double only' block without '// twin: end'");
        String body = out.toString();
        for (String name : kept) {
            Matcher k = Pattern.compile("\\bdouble(\\s*\\[\\]\\s*|\\s+)" + name + "\\b").matcher(body);
            if (!k.find()) throw new IllegalArgumentException(origin + ": 'keep double " + name + "' matches no declaration");
            body = k.replaceAll(m -> Matcher.quoteReplacement(KEPT + m.group(1) + name));
        }
        String text = convert(body).replace(KEPT, "double");
        for (String[] r : replacements) {
            if (!text.contains(r[0])) throw new IllegalArgumentException(origin + ": replacement '" + r[0] + "' matches nothing");
            text = text.replace(r[0], r[1]);
        }
        if (!Pattern.compile("\\b(class|interface|record|enum) " + className + "\\b").matcher(text).find()) {
            throw new IllegalArgumentException(origin + ": the twin declares no type named " + className
                    + " (its class must be named like it with Double for Float)");
        }
        return new Twin(className, "// Generated from " + origin + " by TwinGenerator; do not edit.\n" + text);
    }

    /** Applies the rules to Java text, segment by segment: code, comments, string and char literals. */
    static String convert(String java) {
        StringBuilder out = new StringBuilder(java.length() + 64);
        int i = 0, n = java.length();
        while (i < n) {
            char c = java.charAt(i);
            int end;
            boolean code = false, literal = false;
            if (java.startsWith("//", i)) {
                end = java.indexOf('\n', i);
                if (end < 0) end = n;
            } else if (java.startsWith("/*", i)) {
                end = java.indexOf("*/", i + 2);
                if (end < 0) throw new IllegalArgumentException("unterminated comment");
                end += 2;
            } else if (java.startsWith("\"\"\"", i)) {
                end = java.indexOf("\"\"\"", i + 3) + 3;
                literal = true;
            } else if (c == '"' || c == '\'') {
                end = i + 1;
                while (end < n && java.charAt(end) != c) end += java.charAt(end) == '\\' ? 2 : 1;
                end++;
                literal = true;
            } else {
                end = i;
                while (end < n && !java.startsWith("//", end) && !java.startsWith("/*", end)
                        && java.charAt(end) != '"' && java.charAt(end) != '\'') end++;
                code = true;
            }
            String part = java.substring(i, end);
            out.append(literal ? part : code ? floatLiterals(types(part)) : types(part));
            i = end;
        }
        return out.toString();
    }

    private static String types(String s) {
        return s.replaceAll("\\bdouble\\b", "float").replace("Double", "Float")
                .replace("float64", "float32").replace("FLOAT64", "FLOAT32");
    }

    private static String floatLiterals(String code) {
        Matcher m = LITERAL.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String number = m.group(1), suffix = m.group(2);
            boolean floating = suffix.equalsIgnoreCase("d")
                    || (suffix.isEmpty() && (number.contains(".") || number.contains("e") || number.contains("E")));
            m.appendReplacement(out, Matcher.quoteReplacement(floating ? number + "f" : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
