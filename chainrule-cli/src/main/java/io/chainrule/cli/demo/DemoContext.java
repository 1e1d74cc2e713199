package io.chainrule.cli.demo;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.cli.HumanFormat;
import io.chainrule.cli.graph.DotWriter;
import io.chainrule.cli.graph.GraphModel;
import io.chainrule.cli.graph.Graphviz;
import io.chainrule.io.AtomicFiles;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Where a demo prints, writes its pictures, and records its checks (a failed check makes the command fail). */
public final class DemoContext {
    /** One comparison: what was compared, the largest absolute difference, and the tolerance. */
    public record Check(String what, double diff, double tolerance) {
        public boolean passed() {
            return diff <= tolerance;
        }
    }

    private final PrintWriter out;
    private final PrintWriter err;
    private final Path dir;
    private final List<Check> checks = new ArrayList<>();
    private final List<Path> written = new ArrayList<>();

    /** @param dir where pictures go, or null for none */
    public DemoContext(PrintWriter out, PrintWriter err, Path dir) {
        this.out = out;
        this.err = err;
        this.dir = dir;
    }

    public PrintWriter out() {
        return out;
    }

    /** The output folder, or null. */
    public Path dir() {
        return dir;
    }

    /** Prints a formatted line ({@link Locale#ROOT}). */
    public void line(String format, Object... args) {
        out.println(args.length == 0 ? format : String.format(Locale.ROOT, format, args));
    }

    public void blank() {
        out.println();
    }

    /** Records and prints a check: {@code |difference| <= tolerance}. */
    public boolean check(String what, double diff, double tolerance) {
        Check c = new Check(what, diff, tolerance);
        checks.add(c);
        line("  check %-48s max |diff| = %s  (tolerance %s)  %s", what, HumanFormat.sci(diff), HumanFormat.sci(tolerance),
                c.passed() ? "ok" : "MISMATCH");
        return c.passed();
    }

    /** Records and prints a check of a condition; {@code detail} shows the numbers behind it. */
    public boolean checkThat(String what, boolean holds, String detail) {
        Check c = new Check(what, holds ? 0 : 1, 0);
        checks.add(c);
        line("  check %-48s %s  %s", what, detail, holds ? "ok" : "FAILED");
        return holds;
    }

    /** Records and prints a check that two tensors agree elementwise to {@code tolerance}. */
    public boolean check(String what, Tensor a, Tensor b, double tolerance) {
        return check(what, maxAbsDiff(a, b), tolerance);
    }

    public List<Check> checks() {
        return List.copyOf(checks);
    }

    public long failures() {
        return checks.stream().filter(c -> !c.passed()).count();
    }

    /** Files written so far. */
    public List<Path> written() {
        return List.copyOf(written);
    }

    /** Writes {@code file}.dot (and .svg when Graphviz is there) into the output folder. */
    public void writeGraph(String file, GraphModel g, String title) throws IOException {
        writeDot(file, DotWriter.render(g, title));
    }

    /** Writes DOT text to {@code file}.dot (and .svg when Graphviz is there) into the output folder. */
    public void writeDot(String file, String text) throws IOException {
        if (dir == null) return;
        Path dot = dir.resolve(file + ".dot");
        AtomicFiles.writeString(dot, text);
        written.add(dot);
        Path svg = dir.resolve(file + ".svg");
        String problem = Graphviz.renderSvg(dot, svg);
        if (problem == null) written.add(svg);
        else err.println("note: " + problem);
    }

    /** Remembers a file the demo wrote itself. */
    public void wrote(Path file) {
        written.add(file);
    }

    /** max |a − b| in float64 (no graph). */
    public static double maxAbsDiff(Tensor a, Tensor b) {
        try (var g = Autograd.noGrad()) {
            return a.detach().to(DType.FLOAT64).sub(b.detach().to(DType.FLOAT64)).abs().max().item();
        }
    }
}
