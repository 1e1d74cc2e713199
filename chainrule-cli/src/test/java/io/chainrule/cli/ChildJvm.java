package io.chainrule.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the program in a separate JVM (this test JVM's java binary and class path), so that a test can kill it
 * (SIGKILL, SIGTERM) or let a test hook halt it, which an in-process run cannot survive.
 */
final class ChildJvm {
    /** A started child: its process and the files its stdout and stderr go to. */
    record Child(Process process, Path stdout, Path stderr) {
        /** Waits for the exit (failing the test after {@code seconds}) and returns the status. */
        int waitFor(int seconds) throws InterruptedException {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the child JVM did not finish in " + seconds + " s:\n" + output());
            }
            return process.exitValue();
        }

        String out() throws IOException {
            return Files.readString(stdout);
        }

        /** Stderr without the JVM's start-up line about the incubator module. */
        String err() throws IOException {
            return Files.readString(stderr).replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        }

        String output() {
            try {
                return "--- out\n" + out() + "--- err\n" + err();
            } catch (IOException e) {
                return "(output unreadable: " + e + ")";
            }
        }
    }

    private ChildJvm() {}

    /**
     * Starts {@code chainrule ARGS} with extra JVM {@code flags}; its output goes to files in {@code logs}. The
     * child runs with C1 only and the serial collector, which start faster (Java's float arithmetic is the same
     * under every JIT, so its numbers equal this JVM's bit for bit), and without Graphviz on its PATH, which would
     * only add a process per run.
     */
    static Child start(Path logs, List<String> flags, String... args) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-Djava.awt.headless=true", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xshare:auto"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Files.createDirectories(logs);
        Path out = Files.createTempFile(logs, "child", ".out");
        Path err = Files.createTempFile(logs, "child", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("PATH", "");
        return new Child(pb.start(), out, err);
    }
}
