package io.chainrule.build;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TwinGeneratorTest {
    private static final String SAMPLE = String.join("\n",
            "// twin: float -> FloatSample",
            "// twin: replace float scale => double scale",
            "// twin: keep double total, sums",
            "// twin: note only readers of the source see this",
            "package p;",
            "",
            "/** Sums double[] rows of float64 values (DoubleVector, Double.MAX_VALUE, 1.5 stay words here). */",
            "final class DoubleSample {",
            "    static double f(double[] x, double scale) {",
            "        double a = 0.5 * x[0] + 1e-3 + 2d + 1.0e5 + .25 - 3 + 10L + 0x7FD + 4f + x.length;",
            "        String s = \"double 1.5\"; char c = 'd';",
            "        double total = a; double other = a; double[] sums = {total};",
            "        a = Math.max(a, Double.MAX_VALUE); // twin: double only",
            "        // twin: float only: a = Math.min(a, 7.5f);",
            "        // twin: double only begin",
            "        a += 1.0;",
            "        // twin: end",
            "        return (double) (a * scale); /* 2.5 double */",
            "    }",
            "}",
            "");

    private static final String EXPECTED = String.join("\n",
            "// Generated from src/p/DoubleSample.java by TwinGenerator; do not edit.",
            "package p;",
            "",
            "/** Sums float[] rows of float32 values (FloatVector, Float.MAX_VALUE, 1.5 stay words here). */",
            "final class FloatSample {",
            "    static float f(float[] x, double scale) {",
            "        float a = 0.5f * x[0] + 1e-3f + 2f + 1.0e5f + .25f - 3 + 10L + 0x7FD + 4f + x.length;",
            "        String s = \"double 1.5\"; char c = 'd';",
            "        double total = a; float other = a; double[] sums = {total};",
            "        a = Math.min(a, 7.5f);",
            "        return (float) (a * scale); /* 2.5 float */",
            "    }",
            "}",
            "");

    @Test
    void appliesTheRulesAndMarkers() {
        TwinGenerator.Twin twin = TwinGenerator.generate(SAMPLE, "src/p/DoubleSample.java");
        assertEquals("FloatSample", twin.className());
        assertEquals(EXPECTED, twin.text());
    }

    @Test
    void rejectsMalformedSources() {
        String body = "package p;\nfinal class DoubleX {}\n";
        assertThrows(IllegalArgumentException.class, () -> TwinGenerator.generate("// twin: bogus\n" + body, "X.java"));
        assertThrows(IllegalArgumentException.class, () -> TwinGenerator.generate("// twin: replace a => b\n" + body, "X.java"),
                "no twin name");
        assertThrows(IllegalArgumentException.class, () -> TwinGenerator.generate("// twin: float -> FloatY\n" + body, "X.java"),
                "twin name that the class does not become");
        assertThrows(IllegalArgumentException.class,
                () -> TwinGenerator.generate("// twin: float -> FloatX\n// twin: replace nowhere => x\n" + body, "X.java"));
        assertThrows(IllegalArgumentException.class,
                () -> TwinGenerator.generate("// twin: float -> FloatX\n" + body + "// twin: double only begin\n", "X.java"));
        assertThrows(IllegalArgumentException.class,
                () -> TwinGenerator.generate("// twin: float -> FloatX\n// twin: keep double gone\n" + body, "X.java"));
        assertThrows(IllegalArgumentException.class,
                () -> TwinGenerator.generate("// twin: float -> FloatX\n" + body + "// twin: end\n", "X.java"));
        var e = assertThrows(IllegalArgumentException.class,
                () -> TwinGenerator.generate("// twin: float -> FloatX\n" + body + "int x; // twin: duoble only\n", "X.java"));
        assertTrue(e.getMessage().contains("X.java:4"), e.getMessage());
    }

    /** The build's twins are what the generator makes of today's sources: nothing stale is compiled. */
    @Test
    void theBuildsTwinsMatchTheirSources() throws IOException {
        Path sources = Path.of("src/main/java"), twins = Path.of("target/generated-sources/twins");
        List<Path> withTwin;
        try (Stream<Path> s = Files.walk(sources)) {
            withTwin = s.filter(p -> p.toString().endsWith(".java")).filter(p -> {
                try {
                    return Files.readString(p).startsWith("// twin:");
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        }
        assertTrue(withTwin.size() >= 7, "kernel sources with a twin: " + withTwin);
        for (Path src : withTwin) {
            TwinGenerator.Twin twin = TwinGenerator.generate(Files.readString(src), src.toString().replace('\\', '/'));
            Path built = twins.resolve(sources.relativize(src)).resolveSibling(twin.className() + ".java");
            assertEquals(twin.text(), Files.readString(built), built + " is stale; run mvn generate-sources");
        }
    }

    @Test
    void writesOnlyWhatChangedAndDeletesOrphans(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in/p"), out = dir.resolve("out");
        Files.createDirectories(in);
        Files.writeString(in.resolve("DoubleSample.java"), SAMPLE);
        Files.writeString(in.resolve("Plain.java"), "package p;\nclass Plain {}\n");
        Path orphan = out.resolve("p/FloatGone.java");
        Files.createDirectories(orphan.getParent());
        Files.writeString(orphan, "// Generated from a source that no longer exists\n");
        TwinGenerator.main(new String[] {dir.resolve("in").toString(), out.toString()});
        Path twin = out.resolve("p/FloatSample.java");
        assertTrue(Files.readString(twin).endsWith(EXPECTED.substring(EXPECTED.indexOf('\n'))));
        assertFalse(Files.exists(orphan));
        assertFalse(Files.exists(out.resolve("p/Plain.java")));
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(twin, old);
        TwinGenerator.main(new String[] {dir.resolve("in").toString(), out.toString()});
        assertEquals(old, Files.getLastModifiedTime(twin), "an unchanged twin is not rewritten");
    }
}
