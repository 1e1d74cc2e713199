package io.chainrule.cli.graph;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Turns DOT into SVG with Graphviz's {@code dot} when it is on the PATH; everything works without it. */
public final class Graphviz {
    /** Longest wait for dot. */
    static final int TIME_LIMIT_S = 60;

    private Graphviz() {}

    /** The {@code dot} executable on the PATH, if any. */
    public static Optional<Path> dot() {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, "dot");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /**
     * Renders {@code dotFile} to {@code svgFile} (written atomically). Returns null on success, else a one-line
     * reason (dot missing, failed, or too slow) — a picture is a bonus, never a reason to fail the command.
     */
    public static String renderSvg(Path dotFile, Path svgFile) {
        Optional<Path> dot = dot();
        if (dot.isEmpty()) return "Graphviz 'dot' is not on the PATH (apt-get install graphviz), so no SVG was drawn";
        Path tmp = svgFile.resolveSibling(svgFile.getFileName() + ".tmp");
        Path log = svgFile.resolveSibling(svgFile.getFileName() + ".log");
        try {
            // dot's messages go to a file: reading a pipe would block past the time limit.
            Process p = new ProcessBuilder(List.of(dot.get().toString(), "-Tsvg", "-o", tmp.toString(), dotFile.toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(TIME_LIMIT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return "dot took longer than " + TIME_LIMIT_S + " s on " + dotFile.getFileName()
                        + "; no SVG was drawn (the DOT file is there)";
            }
            if (p.exitValue() != 0) {
                String msg = Files.readString(log).strip().replace('\n', ' ');
                return "dot failed (exit " + p.exitValue() + "): " + msg;
            }
            io.chainrule.io.AtomicFiles.move(tmp, svgFile);
            return null;
        } catch (IOException e) {
            return "could not run dot: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while running dot";
        } finally {
            try {
                Files.deleteIfExists(tmp);
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
