package io.chainrule.spark;

import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Starts the driver's session for a master URL, failing fast and in one line where Spark would wait: a standalone
 * master that does not answer is reported at once instead of after Spark's minute of registration retries.
 */
public final class SparkSessions {
    private static final Pattern LOCAL = Pattern.compile("local(\\[(\\*|\\d+)(,\\d+)?])?");
    private static final int CONNECT_TIMEOUT_MS = 5_000;

    private SparkSessions() {}

    /**
     * @param master {@code local}, {@code local[N]}, {@code local[N,F]} (F attempts per task), {@code local[*]},
     *               {@code spark://host:port}, or any other URL Spark accepts (yarn, k8s://...)
     * @param jars   jars the executors need (the application's classes); empty for local masters
     * @throws IllegalArgumentException when the master is malformed or a standalone master cannot be reached
     */
    public static SparkSession open(String master, List<String> jars) {
        if (master == null || master.isBlank()) throw new IllegalArgumentException("--spark needs a master URL, e.g. local[2] or spark://host:7077");
        if (master.startsWith("local")) {
            if (!LOCAL.matcher(master).matches()) {
                throw new IllegalArgumentException("Spark master '" + master + "' is malformed (local, local[N], local[N,F] or local[*])");
            }
        } else if (master.startsWith("spark://")) {
            for (String hostPort : master.substring("spark://".length()).split(",")) checkReachable(master, hostPort);
        }
        SparkSession.Builder b = SparkSession.builder().master(master).appName("chainrule")
                .config("spark.ui.showConsoleProgress", "false")
                // SIMD kernels on the executors as on the driver (Spark adds its own module flags after these).
                .config("spark.executor.extraJavaOptions", ("--add-modules=jdk.incubator.vector "
                        + System.getProperty("spark.executor.extraJavaOptions", "")).strip());
        // A step's broadcast is the model's floats, which LZ4 hardly shrinks: compressing it (and each job's task
        // binary) only costs time, on the driver every step. A value set by the user (-Dspark.broadcast.compress) wins.
        if (System.getProperty("spark.broadcast.compress") == null) b.config("spark.broadcast.compress", "false");
        if (!master.startsWith("local") && !jars.isEmpty()) b.config("spark.jars", String.join(",", jars));
        try {
            return b.getOrCreate();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("cannot start Spark with master '" + master + "': " + firstLine(e), e);
        }
    }

    private static void checkReachable(String master, String hostPort) {
        URI u;
        try {
            u = URI.create("spark://" + hostPort);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Spark master '" + master + "' is malformed (spark://host:port)");
        }
        if (u.getHost() == null || u.getPort() < 0) {
            throw new IllegalArgumentException("Spark master '" + master + "' is malformed (spark://host:port)");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), CONNECT_TIMEOUT_MS);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot reach the Spark master at " + u.getHost() + ":" + u.getPort() + " ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
