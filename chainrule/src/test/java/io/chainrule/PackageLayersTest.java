package io.chainrule;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The library's packages form layers, lowest first, as the README's "Layout" table lists them: a package uses only
 * packages above it in {@link #LAYERS}, so every arrow of the import graph points down the table and there are no
 * cycles. Read from the main sources: imports and fully qualified names, outside comments and string literals.
 */
class PackageLayersTest {
    /** Lowest first. A new package takes its place here (and in the README's table). */
    static final List<String> LAYERS = List.of(
            "io.chainrule.tensor",          // storage and kernels on primitive arrays
            "io.chainrule.autograd",        // the graph and the engine, on Differentiable values
            "io.chainrule",                 // Tensor and the ops, recording into the graph
            "io.chainrule.io",              // safetensors
            "io.chainrule.nn",
            "io.chainrule.distributions",
            "io.chainrule.optim",
            "io.chainrule.data",
            "io.chainrule.parallel");

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final Pattern REFERENCE =
            Pattern.compile("\\bio\\.chainrule((?:\\.[a-z][a-z0-9_]*)*)\\.[A-Z]");

    @Test
    void everyPackageUsesOnlyPackagesAboveIt() throws IOException {
        Map<String, Set<String>> uses = imports();
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : uses.entrySet()) {
            int from = LAYERS.indexOf(e.getKey());
            for (String target : e.getValue()) {
                int to = LAYERS.indexOf(target);
                if (to < 0 || to > from) wrong.add(e.getKey() + " -> " + target);
            }
        }
        assertEquals(List.of(), wrong, "imports that point up the layers (or to a package not in LAYERS): " + uses);
    }

    @Test
    void noPackageCycles() throws IOException {
        Map<String, Set<String>> uses = imports();
        // Depth-first search for a back edge; the layering above implies none, this names one if it appears.
        Map<String, Integer> state = new TreeMap<>();
        for (String p : uses.keySet()) {
            List<String> path = new ArrayList<>();
            String cycle = findCycle(p, uses, state, path);
            assertEquals(null, cycle, "package cycle");
        }
    }

    @Test
    void layersNameEveryPackageOfTheModule() throws Exception {
        Path classes = Path.of(Tensor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Set<String> packages = ModuleFinder.of(classes).find("io.chainrule").orElseThrow().descriptor().packages();
        assertEquals(new TreeSet<>(LAYERS), new TreeSet<>(packages));
        assertEquals(new TreeSet<>(LAYERS), imports().keySet());
    }

    @Test
    void theScanSeesImportsAndQualifiedNamesButNotComments() {
        String src = """
                package io.chainrule.nn;
                import io.chainrule.Tensor;
                import static io.chainrule.autograd.Autograd.noGrad;
                /** See {@link io.chainrule.data.DataLoader}. */
                class X { Object o = io.chainrule.io.Safetensors.class; String s = "io.chainrule.optim.SGD"; }
                // io.chainrule.parallel.ShardPlan
                """;
        assertEquals(Set.of("io.chainrule", "io.chainrule.autograd", "io.chainrule.io"), referencedPackages(src));
    }

    private static String findCycle(String p, Map<String, Set<String>> uses, Map<String, Integer> state,
                                    List<String> path) {
        Integer s = state.get(p);
        if (s != null && s == 2) return null;
        path.add(p);
        if (s != null && s == 1) return String.join(" -> ", path.subList(path.indexOf(p), path.size()));
        state.put(p, 1);
        for (String q : uses.getOrDefault(p, Set.of())) {
            String c = findCycle(q, uses, state, path);
            if (c != null) return c;
        }
        state.put(p, 2);
        path.remove(path.size() - 1);
        return null;
    }

    /** For each package of the main sources, the other chainrule packages its files refer to. */
    private static Map<String, Set<String>> imports() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the chainrule module's folder: no " + SOURCES.toAbsolutePath());
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> files = Files.walk(SOURCES)) {
            for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".java"))::iterator) {
                if (f.getFileName().toString().equals("module-info.java")) continue;
                String pkg = SOURCES.relativize(f.getParent()).toString().replace(f.getFileSystem().getSeparator(), ".");
                Set<String> targets = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
                for (String t : referencedPackages(Files.readString(f))) if (!t.equals(pkg)) targets.add(t);
            }
        }
        return uses;
    }

    /** The io.chainrule packages named in Java source, comments and string literals left out. */
    static Set<String> referencedPackages(String source) {
        String code = stripCommentsAndStrings(source).replaceAll("(?m)^\\s*package\\s+[\\w.]+\\s*;", "");
        Set<String> found = new TreeSet<>();
        Matcher m = REFERENCE.matcher(code);
        while (m.find()) found.add("io.chainrule" + m.group(1));
        return found;
    }

    private static String stripCommentsAndStrings(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int i = 0, n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '/' && i + 1 < n && s.charAt(i + 1) == '/') {
                while (i < n && s.charAt(i) != '\n') i++;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                i = end < 0 ? n : end + 3;
            } else if (c == '"' || c == '\'') {
                i++;
                while (i < n && s.charAt(i) != c) i += s.charAt(i) == '\\' ? 2 : 1;
                i++;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
