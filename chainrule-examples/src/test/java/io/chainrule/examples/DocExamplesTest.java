package io.chainrule.examples;

import io.chainrule.cli.Main;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The docs show the real API: every {@code java} block of {@code docs/*.md} compiles against the current build (as
 * the body of a method, with the imports {@code docs/README.md} lists), and every {@code bin/chainrule ...} line of
 * a {@code bash} block parses with the program's own options.
 */
class DocExamplesTest {
    /** The imports docs/README.md promises; a block's own imports come after them. */
    static final List<String> IMPORTS = List.of(
            "io.chainrule.*", "io.chainrule.autograd.*", "io.chainrule.nn.*", "io.chainrule.nn.Module",
            "io.chainrule.optim.*", "io.chainrule.data.*", "io.chainrule.io.*", "io.chainrule.distributions.*",
            "java.util.*", "java.util.function.*", "java.nio.file.*");

    /** A fenced block of one language: its file, the line of its first content line, and its lines. */
    record Block(Path file, int firstLine, List<String> lines) {
        String where(long line) {
            return DOCS.getParent().relativize(file) + ":" + line;
        }
    }

    static final Path DOCS = Path.of(System.getProperty("chainrule.docs", "../docs")).toAbsolutePath().normalize();

    static List<Path> pages() throws IOException {
        try (Stream<Path> s = Files.list(DOCS)) {
            return s.filter(p -> p.toString().endsWith(".md")).sorted().toList();
        }
    }

    static List<Block> blocks(Path file, String language) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```" + language)) continue;
            int start = i + 1;
            int end = start;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) end++;
            if (end == lines.size()) throw new IllegalStateException(file + ":" + (i + 1) + ": unclosed ``` block");
            out.add(new Block(file, start + 1, lines.subList(start, end)));
            i = end;
        }
        return out;
    }

    /**
     * One block as a compilation unit whose line g (from 2) is the block's line g − 2, so that messages point at the
     * page: the package and the assumed imports share line 1, the block's own imports keep their lines, and the class
     * and method open on the line of the first statement.
     */
    static final class Source extends SimpleJavaFileObject {
        final Block block;
        final String text;

        Source(String className, Block block) {
            super(URI.create("string:///docs/" + className + ".java"), Kind.SOURCE);
            this.block = block;
            StringBuilder b = new StringBuilder("package docs;");
            for (String imp : IMPORTS) b.append(" import ").append(imp).append(';');
            b.append('\n');
            boolean inBody = false;
            for (String line : block.lines()) {
                if (!inBody && !line.startsWith("import ") && !line.isBlank()) {
                    b.append("class ").append(className).append(" { static void example() throws Exception { ");
                    inBody = true;
                }
                b.append(line).append('\n');
            }
            if (!inBody) b.append("class ").append(className).append(" { static void example() throws Exception { ");
            b.append("}}\n");
            this.text = b.toString();
        }

        long pageLine(long generatedLine) {
            return block.firstLine() + Math.max(0, generatedLine - 2);
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return text;
        }
    }

    @Test
    void everyJavaExampleCompiles() throws IOException {
        List<Source> sources = new ArrayList<>();
        for (Path page : pages()) {
            List<Block> blocks = blocks(page, "java");
            for (int i = 0; i < blocks.size(); i++) {
                String name = page.getFileName().toString().replace(".md", "").replaceAll("[^A-Za-z0-9]", "_");
                sources.add(new Source("Doc_" + name + "_" + (i + 1), blocks.get(i)));
            }
        }
        assertTrue(sources.size() >= 20, "found only " + sources.size() + " java blocks in " + DOCS);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("doc-examples");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            files.setLocation(StandardLocation.CLASS_OUTPUT, List.of(out.toFile()));
            List<String> options = List.of("-classpath", testClassPath(), "-proc:none", "-implicit:none",
                    "--release", "17", "-Xmaxerrs", "1000");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) continue;
                Source s = (Source) d.getSource();
                String where = s == null ? "?" : s.block.where(s.pageLine(d.getLineNumber()));
                errors.add(where + ": " + d.getMessage(null));
            }
            assertTrue(ok && errors.isEmpty(), "docs examples that do not compile:\n" + String.join("\n", errors));
        } finally {
            deleteTree(out);
        }
    }

    @Test
    void everyCommandLineParses() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path page : pages()) {
            for (Block block : blocks(page, "bash")) {
                List<String> lines = block.lines();
                for (int i = 0; i < lines.size(); i++) {
                    int first = i;
                    StringBuilder command = new StringBuilder(lines.get(i));
                    while (command.toString().endsWith("\\") && i + 1 < lines.size()) {
                        command.setLength(command.length() - 1);
                        command.append(' ').append(lines.get(++i));
                    }
                    List<String> words = shellWords(command.toString());
                    if (words.isEmpty() || !words.get(0).equals("bin/chainrule")) continue;
                    checked++;
                    try {
                        Main.commandLine().parseArgs(words.subList(1, words.size()).toArray(String[]::new));
                    } catch (CommandLine.ParameterException e) {
                        problems.add(block.where(block.firstLine() + first) + ": " + e.getMessage());
                    }
                }
            }
        }
        assertTrue(checked >= 10, "found only " + checked + " bin/chainrule lines in " + DOCS);
        assertTrue(problems.isEmpty(), "command lines in the docs that the program refuses:\n"
                + String.join("\n", problems));
    }

    @Test
    void shellWordsSplitsLikeAShell() {
        assertEquals(List.of("bin/chainrule", "graph", "sum(relu(x @ W))", "-v", "x=[[1, -2]]"),
                shellWords("bin/chainrule graph 'sum(relu(x @ W))' -v \"x=[[1, -2]]\"   # a comment"));
    }

    /** Words as a POSIX shell splits them: quotes group, an unquoted {@code #} after a blank starts a comment. */
    static List<String> shellWords(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) quote = 0;
                else word.append(c);
            } else if (c == '\'' || c == '"') {
                if (word == null) word = new StringBuilder();
                quote = c;
            } else if (Character.isWhitespace(c)) {
                if (word != null) words.add(word.toString());
                word = null;
            } else if (c == '#' && word == null) {
                break;
            } else {
                if (word == null) word = new StringBuilder();
                word.append(c);
            }
        }
        if (quote != 0) throw new IllegalArgumentException("unclosed quote in: " + line);
        if (word != null) words.add(word.toString());
        return words;
    }

    /** Surefire runs tests from a manifest-only jar; the real class path is in this property. */
    static String testClassPath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) Files.delete(p);
        }
    }
}
