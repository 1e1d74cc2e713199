package io.chainrule.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/**
 * Runs the GEMM benchmarks (JMH command-line options pass through, e.g. {@code -p n=256,512 -p threads=1}) and
 * prints one table: GFLOP/s of chainrule and libtorch per dtype, size and thread count, and their ratio, all
 * from the same run.
 *
 * <p>Both the mean over measurement iterations and the best iteration are shown: on a shared 2-core machine
 * other processes steal time from some iterations, and the best one is the better estimate of what the code
 * can do. The system load average before and after is printed for the same reason.
 */
public final class GemmTable {
    private GemmTable() {}

    /** One table row: dtype, n, threads. */
    private record Key(String dtype, int n, int threads) {}

    public static void main(String[] args) throws Exception {
        double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

        // Per row: chainrule mean, chainrule best, libtorch mean, libtorch best (GFLOP/s).
        Map<Key, double[]> rows = new TreeMap<>(Comparator.comparing(Key::dtype)
                .thenComparingInt(Key::threads).thenComparingInt(Key::n));
        for (RunResult r : results) {
            var params = r.getParams();
            int n = Integer.parseInt(params.getParam("n"));
            Key key = new Key(params.getParam("dtype"), n, Integer.parseInt(params.getParam("threads")));
            double flop = 2.0 * n * n * n;
            double bestMicros = Double.POSITIVE_INFINITY;
            for (var br : r.getBenchmarkResults()) {
                for (IterationResult it : br.getIterationResults()) {
                    bestMicros = Math.min(bestMicros, it.getPrimaryResult().getScore());
                }
            }
            int col = params.getBenchmark().contains("Torch") ? 2 : 0;
            double[] row = rows.computeIfAbsent(key, x -> new double[] {Double.NaN, Double.NaN, Double.NaN, Double.NaN});
            row[col] = flop / (r.getPrimaryResult().getScore() * 1e3);
            row[col + 1] = flop / (bestMicros * 1e3);
        }
        System.out.printf("%nGEMM C = A·B, square n×n, GFLOP/s (mean / best iteration); JVM %s %s%n",
                System.getProperty("java.vm.name"), System.getProperty("java.version"));
        System.out.printf("system load average: %.2f before, %.2f after%n", loadBefore, loadAfter);
        System.out.printf("%-8s %5s %7s %17s %17s %11s%n",
                "dtype", "n", "threads", "chainrule", "libtorch", "ratio(best)");
        for (Map.Entry<Key, double[]> e : rows.entrySet()) {
            Key k = e.getKey();
            double[] v = e.getValue();
            System.out.printf("%-8s %5d %7d %8.1f / %6.1f %8.1f / %6.1f %11.2f%n",
                    k.dtype(), k.n(), k.threads(), v[0], v[1], v[2], v[3], v[1] / v[3]);
        }
    }
}
