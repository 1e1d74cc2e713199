package io.chainrule.bench;

import java.io.PrintStream;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.RunResult;

/**
 * The GEMM table: GFLOP/s of chainrule and libtorch per dtype, size and thread count, their ratio, and each as a
 * share of the FMA peak, all from the same run. {@code bench/run.sh gemm} runs it through {@link BenchTable}; this class's main runs only the GEMM
 * benchmarks (JMH options pass through).
 */
public final class GemmTable {
    private GemmTable() {}

    /** One table row: dtype, n, threads. */
    private record Key(String dtype, int n, int threads) {}

    public static void main(String[] args) throws Exception {
        BenchTable.main(BenchTable.withSuite("gemm", args));
    }

    /**
     * Prints the GFLOP/s table for GEMM results (mean and best iteration; ratio of the bests), and each side's best as
     * a share of the FMA peak measured in the same run ({@link PeakGemmBench}, one core; × threads for more).
     */
    static void print(PrintStream out, Collection<RunResult> results) {
        // Per row: chainrule mean, chainrule best, libtorch mean, libtorch best (GFLOP/s).
        Map<Key, double[]> rows = new TreeMap<>(Comparator.comparing(Key::dtype)
                .thenComparingInt(Key::threads).thenComparingInt(Key::n));
        RunResult peak = null;
        for (RunResult r : results) {
            var params = r.getParams();
            if (params.getBenchmark().contains("Peak")) {
                peak = r;
                continue;
            }
            String dtype = params.getParam("dtype");
            int n = Integer.parseInt(params.getParam("n"));
            Key key = new Key(dtype, n, Integer.parseInt(params.getParam("threads")));
            double flop = 2.0 * n * n * n;
            int col = params.getBenchmark().contains("Torch") ? 2 : 0;
            double[] row = rows.computeIfAbsent(key, x -> new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            row[col] = flop / (r.getPrimaryResult().getScore() * 1e3);
            row[col + 1] = flop / (BenchTable.best(r) * 1e3);
        }
        out.println("GEMM C = A·B, square n×n, GFLOP/s (mean / best iteration); ratio = chainrule/libtorch "
                + "GFLOP/s of the bests (>1: chainrule is faster)");
        // dtype -> mean, best peak GFLOP/s of one core
        Map<String, double[]> peaks = new TreeMap<>();
        if (peak != null) {
            for (String dtype : rows.keySet().stream().map(Key::dtype).distinct().toList()) {
                double[] v = {PeakGemmBench.gflops(dtype, peak.getPrimaryResult().getScore()),
                        PeakGemmBench.gflops(dtype, BenchTable.best(peak))};
                peaks.put(dtype, v);
                out.printf("FMA peak, %s, one core (12 FMA chains on registers): %.1f / %.1f GFLOP/s; "
                        + "%% peak = best ÷ (best peak × threads)%n", dtype, v[0], v[1]);
            }
        }
        out.printf("%-8s %5s %7s %17s %17s %11s %9s %9s%n",
                "dtype", "n", "threads", "chainrule", "libtorch", "ratio(best)", "c %peak", "t %peak");
        for (Map.Entry<Key, double[]> e : rows.entrySet()) {
            Key k = e.getKey();
            double[] v = e.getValue();
            double[] core = peaks.get(k.dtype());
            double top = core == null ? Double.NaN : core[1] * k.threads();
            out.printf("%-8s %5d %7d %8.1f / %6.1f %8.1f / %6.1f %11.2f %8.0f%% %8.0f%%%n",
                    k.dtype(), k.n(), k.threads(), v[0], v[1], v[2], v[3], v[1] / v[3], 100 * v[1] / top,
                    100 * v[3] / top);
        }
    }
}
