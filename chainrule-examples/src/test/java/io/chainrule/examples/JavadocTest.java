package io.chainrule.examples;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.DocumentationTool;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API docs build without errors and warnings, as {@code mvn javadoc:javadoc} runs them (doclint on, missing
 * comments allowed). The Maven plugin cannot fail the core module on warnings: with the incubating Vector API
 * resolved, javadoc always warns "using incubating module(s)", and nothing silences that warning
 * (apache/maven-javadoc-plugin#1310). This test runs the same javadoc and fails on every warning but that one.
 */
class JavadocTest {
    @ParameterizedTest
    @ValueSource(strings = {"chainrule", "chainrule-onnx", "chainrule-cli", "chainrule-spark"})
    void theJavadocHasNoErrorsOrWarnings(String module) throws IOException {
        Path root = Path.of(System.getProperty("chainrule.root", "..")).toAbsolutePath().normalize();
        Path sources = root.resolve(module).resolve("src/main/java");
        Path out = Files.createTempDirectory("javadoc-" + module);
        // The files are passed one by one, module-info.java left out: the comments are checked the same way whether
        // or not the module is a named one, and the dependencies stay on the class path either way.
        List<Path> files;
        try (Stream<Path> s = Files.walk(sources)) {
            files = s.filter(p -> p.toString().endsWith(".java") && !p.endsWith("module-info.java")).sorted().toList();
        }
        try {
            List<String> options = new ArrayList<>(List.of("-d", out.toString(), "-quiet", "-protected",
                    "-encoding", "UTF-8", "-Xdoclint:all,-missing", "--release", "17",
                    "-classpath", DocExamplesTest.testClassPath()));
            if (module.equals("chainrule")) options.addAll(List.of("--add-modules", "jdk.incubator.vector"));
            DocumentationTool javadoc = ToolProvider.getSystemDocumentationTool();
            DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
            StringWriter log = new StringWriter();
            boolean ok;
            try (StandardJavaFileManager fm = javadoc.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
                ok = javadoc.getTask(log, fm, diagnostics, null, options, fm.getJavaFileObjectsFromPaths(files)).call();
            }
            List<String> problems = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() == Diagnostic.Kind.NOTE || d.getKind() == Diagnostic.Kind.OTHER) continue;
                String message = d.getMessage(null);
                if (message.contains("incubating module")) continue;
                problems.add(d.getKind() + " " + (d.getSource() == null ? "" : d.getSource().getName() + ":"
                        + d.getLineNumber() + ": ") + message);
            }
            for (String line : log.toString().split("\\R")) {
                if (line.contains("warning") && !line.contains("incubating module") || line.contains("error:")) {
                    problems.add(line);
                }
            }
            assertTrue(ok && problems.isEmpty(), module + ": javadoc " + (ok ? "warns" : "fails") + ":\n"
                    + String.join("\n", problems) + "\n" + log);
        } finally {
            DocExamplesTest.deleteTree(out);
        }
    }
}
