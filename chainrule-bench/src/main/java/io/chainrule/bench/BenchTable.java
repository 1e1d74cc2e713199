package io.chainrule.bench;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs a suite of benchmarks and prints chainrule, libtorch (through DJL) and, where there is one, the hand-written
 * Java floor (or, for GEMM, the FMA peak) side by side, all measured in the same run:
 * {@code BenchTable <suite> [--rounds R] [JMH options]}, suites {@code gemm mlp overhead epoch conv cnn lstm all} (no
 * suite: gemm). JMH options pass through, e.g. {@code -p batch=128} or {@code -p threads=1}.
 *
 * <p>Each round runs every side of a suite once, one side after the other, and the order of the sides turns each
 * round; the table merges all rounds' iterations. The speed of a shared machine drifts over minutes (other guests
 * on the same physical cores), and without interleaving that drift lands on whichever side ran later:
 * {@code --rounds 3} spreads it over all sides.
 *
 * <p>Benchmark classes pair up by name: {@code ChainruleXBench}, {@code TorchXBench} and {@code HandXBench} with the
 * same methods and {@code @Param}s make one row per method and parameter combination. Both the mean over the
 * measurement iterations and the best iteration are shown: on a shared machine other processes steal time from
 * some iterations, and the best one is the better estimate of what the code can do. The load average before and
 * after each suite is printed for the same reason.
 */
public final class BenchTable {
    private static final String PKG = "io\\.chainrule\\.bench\\.";
    private static final List<String> PEERS = List.of("Chainrule", "Torch");
    private static final List<String> WITH_HAND = List.of("Chainrule", "Torch", "Hand");

    /**
     * A suite: its benchmark classes' family name, its sides (each a class {@code <side><family>Bench}: chainrule,
     * libtorch, and where there is one the hand-written floor or the FMA peak), what the table shows, and the
     * parameter subset used within "all".
     */
    private record Suite(String name, String family, List<String> sides, String title, String note,
                         Map<String, String[]> allParams) {
        String include(String side) {
            return PKG + side + family + "Bench\\.";
        }
    }

    private static final List<Suite> SUITES = List.of(
            new Suite("gemm", "Gemm", List.of("Chainrule", "Torch", "Peak"), "GEMM", "", Map.of("n", new String[] {"256", "1024"}, "dtype", new String[] {"float32"})),
            new Suite("mlp", "Mlp", WITH_HAND, "MLP 784-256-128-10 SGD step (lr 0.01, cross-entropy, INT64 labels)",
                    "hand: the same step on float[] with Gemm.sgemm and fused loops, no allocation (the floor for "
                            + "autograd overhead); libtorch: Linear.linear/relu/logSoftmax+gather, DJL SGD", Map.of()),
            new Suite("overhead", "Overhead", WITH_HAND, "Overhead, one thread: add = 1×1 add with grad recording; "
                    + "step = 16-16-10 MLP SGD step at batch 1",
                    "libtorch add: inside an open GradientCollector, result closed at once (DJL's rule); "
                            + "hand: plain-Java step", Map.of()),
            new Suite("epoch", "Epoch", PEERS, "Fashion-MNIST epoch, 60,000 images: MLP 784-256-128-10, Adam lr 1e-3, "
                    + "batch 128, shuffled; single shot: 1 warm-up epoch + 3 measured",
                    "the chainrule fork runs with -Xmx512m (the ≤ 512 MB heap target), the libtorch fork with the "
                            + "default limit; heap = sum of heap pools' peak use since JVM start (data "
                            + "loading included; an upper bound), RSS = peak resident set (libtorch's native memory "
                            + "is outside the heap); libtorch: DJL Optimizer.adam() (libtorch's fused Adam update)",
                    Map.of()),
            new Suite("conv", "Conv", PEERS, "Conv forward+backward: [64,1,28,28] → Conv2d(1,32,3,pad 1) → ReLU → "
                    + "Conv2d(32,64,3) → sum", "libtorch: DJL Conv2d.conv2d (libtorch conv2d)", Map.of()),
            new Suite("cnn", "Cnn", PEERS, "Fashion CNN training step (the examples' FashionCnn): batch 64, "
                    + "conv-BN-ReLU-pool ×2, dropout, MLP head, cross-entropy, Adam 1e-3; an epoch is 938 steps",
                    "libtorch: DJL conv2d, batchNorm (training), relu, maxPool2d, dropout, linear, Adam", Map.of()),
            new Suite("lstm", "Lstm", PEERS, "LSTM forward+backward: LSTM(28, 128, 1 layer, batch first), batch 64, seq 28, "
                    + "loss = sum(h_T²)", "libtorch: fused torch::lstm through DJL's NDArrayEx.lstm", Map.of()));

    private BenchTable() {}

    /** {@code args} with {@code suite} in front, unless they already start with a suite name. */
    static String[] withSuite(String suite, String[] args) {
        if (args.length > 0 && suite(args[0]) != null) return args;
        String[] out = new String[args.length + 1];
        out[0] = suite;
        System.arraycopy(args, 0, out, 1, args.length);
        return out;
    }

    private static Suite suite(String name) {
        for (Suite s : SUITES) if (s.name().equals(name)) return s;
        return null;
    }

    public static void main(String[] args) throws Exception {
        String name = args.length > 0 && !args[0].startsWith("-") ? args[0] : "gemm";
        List<String> rest = new ArrayList<>(Arrays.asList(args).subList(args.length > 0 && !args[0].startsWith("-") ? 1 : 0, args.length));
        int rounds = 1;
        int at = rest.indexOf("--rounds");
        if (at >= 0) {
            if (at + 1 >= rest.size() || !rest.get(at + 1).matches("[1-9][0-9]*")) {
                System.err.println("--rounds needs a positive number");
                System.exit(2);
            }
            rounds = Integer.parseInt(rest.get(at + 1));
            rest.subList(at, at + 2).clear();
        }
        String[] jmhArgs = rest.toArray(new String[0]);
        boolean all = name.equals("all");
        if (!all && suite(name) == null) {
            System.err.println("unknown suite '" + name + "'; one of: all "
                    + String.join(" ", SUITES.stream().map(Suite::name).toList()));
            System.exit(2);
        }
        CommandLineOptions cli = new CommandLineOptions(jmhArgs);
        List<String> tables = new ArrayList<>();
        for (Suite s : SUITES) {
            if (!all && !s.name().equals(name)) continue;
            tables.add(run(s, cli, all, rounds));
            System.out.print(tables.get(tables.size() - 1));
        }
        if (tables.size() > 1) {
            System.out.println("\n==================== all tables ====================");
            tables.forEach(System.out::print);
        }
    }

    /** Runs one suite, its sides interleaved over {@code rounds}, and returns its table as text. */
    private static String run(Suite s, CommandLineOptions cli, boolean all, int rounds) throws Exception {
        double loadBefore = load();
        List<RunResult> runs = new ArrayList<>();
        List<String> sides = new ArrayList<>(s.sides());
        for (int round = 0; round < rounds; round++) {
            for (String side : sides) runs.addAll(new Runner(options(s, side, cli, all)).run());
            Collections.rotate(sides, 1);
        }
        Collection<RunResult> results = merge(runs);
        double loadAfter = load();
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
            String omp = System.getenv("OMP_WAIT_POLICY");
            out.printf("%n== %s == JVM %s %s; %d CPUs; load average %.2f before, %.2f after; OMP_WAIT_POLICY=%s; "
                            + "%d round%s%n",
                    s.name(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), loadBefore, loadAfter, omp == null ? "(default)" : omp,
                    rounds, rounds == 1 ? "" : "s, sides interleaved");
            if (s.name().equals("gemm")) GemmTable.print(out, results);
            else printTimes(out, s, results);
        }
        return text.toString(StandardCharsets.UTF_8);
    }

    private static Options options(Suite s, String side, CommandLineOptions cli, boolean all) {
        OptionsBuilder builder = new OptionsBuilder();
        builder.parent(cli).include(s.include(side));
        if (all) {
            // Within "all", a suite's sweep is trimmed to keep the whole run short, unless the user chose values.
            s.allParams().forEach((k, v) -> {
                if (!cli.getParameter(k).hasValue()) builder.param(k, v);
            });
        }
        if (s.name().equals("epoch")) builder.addProfiler(PeakMemoryProfiler.class);
        return builder.build();
    }

    /** One result per benchmark and parameter set, holding the iterations of every round (as forks would). */
    static Collection<RunResult> merge(List<RunResult> runs) {
        Map<String, List<RunResult>> byId = new LinkedHashMap<>();
        for (RunResult r : runs) byId.computeIfAbsent(r.getParams().id(), k -> new ArrayList<>()).add(r);
        List<RunResult> merged = new ArrayList<>();
        for (List<RunResult> same : byId.values()) {
            List<BenchmarkResult> forks = new ArrayList<>();
            for (RunResult r : same) forks.addAll(r.getBenchmarkResults());
            merged.add(new RunResult(same.get(0).getParams(), forks));
        }
        return merged;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** The fastest measurement iteration's score (a time: lower is better). */
    static double best(RunResult r) {
        double best = Double.POSITIVE_INFINITY;
        for (var br : r.getBenchmarkResults()) {
            for (IterationResult it : br.getIterationResults()) best = Math.min(best, it.getPrimaryResult().getScore());
        }
        return best;
    }

    /** One implementation's numbers in a row. */
    private record Cell(double mean, double best, String unit, Map<String, Result> secondary) {}

    private static void printTimes(PrintStream out, Suite s, Collection<RunResult> results) {
        // Row key: method, then the parameters "k=v ..." (sorted by name, numbers by value); value: side -> cell.
        Map<String, Map<String, Cell>> rows = new TreeMap<>(BenchTable::compareKeys);
        List<String> paramNames = new ArrayList<>();
        for (RunResult r : results) {
            var params = r.getParams();
            String bench = params.getBenchmark();
            String cls = bench.substring(0, bench.lastIndexOf('.'));
            String method = bench.substring(bench.lastIndexOf('.') + 1);
            String side = s.sides().stream().filter(x -> cls.endsWith("." + x + s.family() + "Bench")).findFirst().orElse("?");
            StringBuilder key = new StringBuilder(method);
            for (String p : params.getParamsKeys()) {
                if (!paramNames.contains(p)) paramNames.add(p);
                key.append('\t').append(params.getParam(p));
            }
            var primary = r.getPrimaryResult();
            rows.computeIfAbsent(key.toString(), k -> new LinkedHashMap<>())
                    .put(side, new Cell(primary.getScore(), best(r), primary.getScoreUnit(), r.getSecondaryResults()));
        }
        out.println(s.title());
        out.println("times: mean / best iteration; c/t = chainrule time ÷ libtorch time"
                + (rows.values().stream().anyMatch(m -> m.containsKey("Hand")) ? ", c/h = chainrule ÷ hand" : "")
                + " (from the bests; <1: chainrule is faster)");
        if (!s.note().isEmpty()) out.println("note: " + s.note());
        boolean memory = rows.values().stream().flatMap(m -> m.values().stream())
                .anyMatch(c -> c.secondary().containsKey(PeakMemoryProfiler.HEAP));
        boolean hand = rows.values().stream().anyMatch(m -> m.containsKey("Hand"));
        StringBuilder header = new StringBuilder(String.format("%-7s", "bench"));
        for (String p : paramNames) header.append(String.format(" %7s", p));
        header.append(String.format(" %7s %19s %19s", "unit", "chainrule", "libtorch"));
        header.append(hand ? String.format(" %19s %6s %6s", "hand", "c/t", "c/h") : String.format(" %6s", "c/t"));
        if (memory) header.append(String.format(" %21s %21s", "chainrule heap/RSS", "libtorch heap/RSS"));
        out.println(header);
        for (var e : rows.entrySet()) {
            String[] key = e.getKey().split("\t");
            Map<String, Cell> cells = e.getValue();
            StringBuilder line = new StringBuilder(String.format("%-7s", key[0]));
            for (int i = 1; i < key.length; i++) line.append(String.format(" %7s", key[i]));
            String unit = cells.values().iterator().next().unit();
            line.append(String.format(" %7s", unit));
            line.append(String.format(" %19s %19s", cell(cells.get("Chainrule")), cell(cells.get("Torch"))));
            if (hand) line.append(String.format(" %19s", cell(cells.get("Hand"))));
            line.append(String.format(" %6s", ratio(cells.get("Chainrule"), cells.get("Torch"))));
            if (hand) line.append(String.format(" %6s", ratio(cells.get("Chainrule"), cells.get("Hand"))));
            if (memory) {
                line.append(String.format(" %21s %21s", memory(cells.get("Chainrule")), memory(cells.get("Torch"))));
            }
            out.println(line);
        }
        if (memory) {
            out.println("heap/RSS in MiB; usable heap limit (the JVM's, less a survivor space): " + heapLimits(rows));
        }
    }

    private static String cell(Cell c) {
        return c == null ? "-" : num(c.mean()) + " / " + num(c.best());
    }

    private static String ratio(Cell a, Cell b) {
        return a == null || b == null ? "-" : String.format("%.2f", a.best() / b.best());
    }

    private static String memory(Cell c) {
        if (c == null || !c.secondary().containsKey(PeakMemoryProfiler.HEAP)) return "-";
        Result rss = c.secondary().get(PeakMemoryProfiler.RSS);
        return String.format("%.0f / %s", c.secondary().get(PeakMemoryProfiler.HEAP).getScore(),
                rss == null ? "?" : String.format("%.0f", rss.getScore()));
    }

    private static String heapLimits(Map<String, Map<String, Cell>> rows) {
        Map<String, String> limits = new TreeMap<>();
        rows.values().forEach(m -> m.forEach((side, c) -> {
            Result max = c.secondary().get(PeakMemoryProfiler.MAX_HEAP);
            if (max != null) limits.put(side.equals("Torch") ? "libtorch" : side.toLowerCase(), String.format("%.0f MiB", max.getScore()));
        }));
        return limits.toString();
    }

    /** Three significant digits or so, without exponents. */
    private static String num(double v) {
        double a = Math.abs(v);
        if (a >= 100) return String.format("%.0f", v);
        if (a >= 10) return String.format("%.1f", v);
        if (a >= 1) return String.format("%.2f", v);
        return String.format("%.3f", v);
    }

    /** Orders rows by method, then by each parameter, numerically where both are numbers. */
    private static int compareKeys(String a, String b) {
        String[] x = a.split("\t"), y = b.split("\t");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c;
            try {
                c = Double.compare(Double.parseDouble(x[i]), Double.parseDouble(y[i]));
            } catch (NumberFormatException e) {
                c = x[i].compareTo(y[i]);
            }
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }
}
