package io.chainrule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The module {@code io.chainrule} as a user of the module path sees it: the API packages are exported, the kernels
 * ({@code io.chainrule.tensor}) are not. The tests themselves run on the class path; these compile (and run) small
 * user programs against the module's compiled classes.
 */
class ModuleBoundaryTest {
    private static final Set<String> API = Set.of("io.chainrule", "io.chainrule.autograd", "io.chainrule.nn",
            "io.chainrule.distributions", "io.chainrule.optim", "io.chainrule.data", "io.chainrule.io",
            "io.chainrule.parallel");

    /** The folder (or jar) holding the module's compiled classes, module-info.class among them. */
    private static Path moduleLocation() throws Exception {
        return Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void descriptorExportsTheApiPackagesToEveryoneAndNothingElse() throws Exception {
        ModuleDescriptor d = ModuleFinder.of(moduleLocation()).find("io.chainrule").orElseThrow().descriptor();
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertFalse(e.isQualified(), "qualified export of " + e.source() + " to " + e.targets());
            exported.add(e.source());
        }
        assertEquals(new TreeSet<>(API), exported);
        assertTrue(d.packages().contains("io.chainrule.tensor"));
        assertTrue(d.requires().stream().anyMatch(r -> r.name().equals("jdk.incubator.vector")
                && r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)), "requires static jdk.incubator.vector");
    }

    @Test
    void userProgramOnTheModulePathCompilesAndTrains(@TempDir Path dir) throws Exception {
        String main = """
                package app;

                import io.chainrule.Generator;
                import io.chainrule.Tensor;
                import io.chainrule.autograd.Autograd;
                import io.chainrule.nn.F;
                import io.chainrule.nn.Linear;
                import io.chainrule.optim.SGD;
                import java.util.List;

                public class Main {
                    public static void main(String[] args) {
                        Tensor x = Tensor.scalar(2.0).requiresGrad(true);
                        Tensor dy = Autograd.grad(List.of(x.pow(3)), List.of(x), null, false, false).get(0);
                        Linear layer = new Linear(3, 2);
                        SGD sgd = new SGD(layer.parameters(), 0.1);
                        Tensor in = Tensor.randn(new Generator(1), 8, 3);
                        Tensor target = Tensor.zeros(8, 2);
                        double first = F.mseLoss(layer.forward(in), target).item();
                        for (int i = 0; i < 50; i++) {
                            sgd.zeroGrad();
                            F.mseLoss(layer.forward(in), target).backward();
                            sgd.step();
                        }
                        double last = F.mseLoss(layer.forward(in), target).item();
                        System.out.println("dy=" + dy.item() + " lower=" + (last < first));
                    }
                }
                """;
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, main);
        assertEquals(List.of(), errors.stream().map(ModuleBoundaryTest::text).collect(Collectors.toList()));

        // Run it as a module, with the Vector API and without (the scalar path: requires static).
        for (boolean vector : new boolean[] {true, false}) {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            if (vector) cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
            cmd.addAll(List.of("--module-path", moduleLocation() + java.io.File.pathSeparator + dir.resolve("out"),
                    "-m", "app/app.Main"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the program did not finish");
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), out);
            assertTrue(out.contains("dy=12.0 lower=true"), out);
            assertEquals(!vector, out.contains("SIMD kernels disabled"), out);
        }
    }

    @Test
    void kernelsAreNotVisibleToUsers(@TempDir Path dir) throws Exception {
        String main = """
                package app;

                import io.chainrule.tensor.Shapes;

                public class Main {
                    public static void main(String[] args) {
                        System.out.println(Shapes.class);
                    }
                }
                """;
        List<Diagnostic<? extends JavaFileObject>> errors = compile(dir, main);
        assertFalse(errors.isEmpty(), "io.chainrule.tensor must not be reachable from a user module");
        String all = errors.stream().map(ModuleBoundaryTest::text).collect(Collectors.joining("\n"));
        assertTrue(all.contains("package io.chainrule.tensor is not visible"), all);
        assertTrue(all.contains("does not export it"), all);
    }

    /** Compiles module {@code app} (requiring io.chainrule) with {@code app.Main}; returns the errors. */
    private static List<Diagnostic<? extends JavaFileObject>> compile(Path dir, String main) throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("app"));
        Files.writeString(src.resolve("module-info.java"), "module app { requires io.chainrule; }\n");
        Files.writeString(src.resolve("app/Main.java"), main);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjects(src.resolve("module-info.java"),
                    src.resolve("app/Main.java"));
            // An empty class path: javac would otherwise take this JVM's, where the kernels lie in the unnamed module.
            Path empty = Files.createDirectories(dir.resolve("empty"));
            List<String> options = List.of("--module-path", moduleLocation().toString(), "--class-path", empty.toString(),
                    "-d", dir.resolve("out").toString());
            javac.getTask(null, files, diagnostics, options, null, units).call();
        } catch (IOException e) {
            throw new AssertionError("javac's file manager failed", e);
        }
        List<Diagnostic<? extends JavaFileObject>> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) errors.add(d);
        }
        return errors;
    }

    private static String text(Diagnostic<? extends JavaFileObject> d) {
        return d.getMessage(Locale.ROOT);
    }
}
