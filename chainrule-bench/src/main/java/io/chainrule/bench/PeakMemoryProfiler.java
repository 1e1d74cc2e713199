package io.chainrule.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports, from inside the benchmark fork, the peak memory since the JVM started (setup and data loading included):
 * {@link #HEAP} is the sum of the heap pools' peak usages, an upper bound on the peak heap in use (the pools peak at
 * different times); {@link #MAX_HEAP} is the usable heap limit (-Xmx less what the collector holds back, such as a
 * survivor space); {@link #RSS} is the process's peak resident set
 * (Linux VmHWM, native memory such as libtorch's included; absent elsewhere).
 */
public final class PeakMemoryProfiler implements InternalProfiler {
    static final String HEAP = "·heap.peak", MAX_HEAP = "·heap.max", RSS = "·rss.peak";
    private static final double MIB = 1 << 20;

    @Override
    public String getDescription() {
        return "peak heap (sum of pool peaks), heap limit and peak RSS of the fork, in MiB";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {}

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        long heap = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) heap += pool.getPeakUsage().getUsed();
        }
        List<Result> out = new ArrayList<>();
        out.add(new ScalarResult(HEAP, heap / MIB, "MiB", AggregationPolicy.MAX));
        out.add(new ScalarResult(MAX_HEAP, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax() / MIB, "MiB", AggregationPolicy.MAX));
        long rssKb = peakRssKb();
        if (rssKb > 0) out.add(new ScalarResult(RSS, rssKb * 1024 / MIB, "MiB", AggregationPolicy.MAX));
        return out;
    }

    /** VmHWM from /proc/self/status in kB, or -1 where there is none. */
    private static long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | NumberFormatException e) {
            // Not Linux, or an unexpected format: report no RSS rather than fail the benchmark.
        }
        return -1;
    }
}
