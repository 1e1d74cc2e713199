package io.chainrule.cli.train;

import io.chainrule.cli.CliException;
import io.chainrule.io.AtomicFiles;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The files {@code chainrule train} keeps in a run folder, and the housekeeping around them: what counts as an
 * existing run, clearing one for {@code --force}, and removing what a killed run left half-written.
 *
 * <pre>
 * RUN/checkpoint.properties               the current checkpoint: settings, progress, checksums, and its folder
 * RUN/checkpoints/step-000000123/         that checkpoint's model.safetensors and optimizer.safetensors, and
 *                                         best.safetensors (the best epoch's model on the validation set)
 * RUN/model.safetensors                   the same model, hard-linked (or copied) for other tools
 * RUN/best.safetensors                    the same best model, hard-linked (or copied)
 * RUN/metrics.csv, loss.png, accuracy.png, decision-boundary.png, graph.dot, graph.svg
 * RUN/tensorboard/, RUN/live.json           with --tensorboard and --ui (io.chainrule.cli.live)
 * </pre>
 */
public final class RunFolder {
    /** The folder that holds one sub-folder per checkpoint (only the current one survives a finished save). */
    public static final String CHECKPOINTS = "checkpoints";
    /** The files and folders a run writes (and eval's chart); any of them in a folder makes it an existing run. */
    static final List<String> OUTPUTS = List.of(Checkpoint.PROPERTIES, CHECKPOINTS, Checkpoint.MODEL,
            Checkpoint.OPTIMIZER, Checkpoint.BEST, "metrics.csv", "loss.png", "accuracy.png", "decision-boundary.png",
            "graph.dot", "graph.svg", "confusion.png", "tensorboard", "live.json", ShardedSteps.FILE);
    private static final String STEP_PREFIX = "step-";

    private RunFolder() {}

    /** The names of {@link #OUTPUTS} present in {@code dir} (empty for a missing or empty folder). */
    public static List<String> runFiles(Path dir) {
        List<String> found = new ArrayList<>();
        if (!Files.isDirectory(dir)) return found;
        for (String name : OUTPUTS) if (Files.exists(dir.resolve(name))) found.add(name);
        return found;
    }

    /** The lock file that marks a run folder as being written by a live {@code train}. */
    static final String LOCK = ".chainrule.lock";

    /**
     * Takes {@code dir} for this process until the returned handle is closed (or the process ends, when the system
     * releases the lock): a second {@code train} on the same folder — a {@code --resume} while the first still runs —
     * would prune the checkpoints the first one writes.
     *
     * @throws CliException when another process holds the folder
     */
    public static Closeable lock(Path dir) throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held;
        try {
            held = ch.tryLock();
        } catch (OverlappingFileLockException thisProcessHoldsIt) {
            held = null;
        }
        if (held == null) {
            ch.close();
            throw new CliException("another 'chainrule train' is writing to " + dir + ": wait for it to end (or stop it) "
                    + "before training or resuming there");
        }
        return ch::close; // closing the channel releases the lock
    }

    /** Deletes the run in {@code dir} (for {@code --force}): the checkpoint first, then the other outputs. */
    public static void clear(Path dir) throws IOException {
        for (String name : OUTPUTS) deleteTree(dir.resolve(name));
        AtomicFiles.removeStaleTemps(dir);
    }

    /**
     * Removes what an interrupted write left in {@code dir}: temporary files, checkpoint folders other than
     * {@code current} (half-written ones, or the previous one when the kill came before its deletion), Graphviz's
     * temporary output, and the old layout's optimizer file once the checkpoint no longer uses it. When the current
     * checkpoint lives in a folder, {@code model.safetensors} is made its link again (a kill between the switch and
     * the link leaves the previous model there). Call it only where no other process writes into {@code dir}.
     *
     * @param current the current checkpoint's folder under {@code dir/checkpoints}, or null when there is none or
     *                its files lie in {@code dir} itself (the first layout)
     */
    public static void removeLeftovers(Path dir, Path current) throws IOException {
        AtomicFiles.removeStaleTemps(dir);
        for (String dotTemp : new String[] {"graph.svg.tmp", "graph.svg.log"}) Files.deleteIfExists(dir.resolve(dotTemp));
        pruneCheckpoints(dir, current);
        if (current != null) {
            Files.deleteIfExists(dir.resolve(Checkpoint.OPTIMIZER));
            for (String name : new String[] {Checkpoint.MODEL, Checkpoint.BEST}) {
                Path published = dir.resolve(name);
                Path kept = current.resolve(name);
                if (!Files.exists(kept)) {
                    Files.deleteIfExists(published); // a best model left from a run that --force replaced
                } else if (!Files.exists(published) || !Files.isSameFile(published, kept)) {
                    publish(dir, kept, name);
                }
            }
        }
    }

    /** Deletes the checkpoint folders (and temporary files) under {@code dir/checkpoints} except {@code keep}. */
    static void pruneCheckpoints(Path dir, Path keep) throws IOException {
        Path parent = dir.resolve(CHECKPOINTS);
        if (!Files.isDirectory(parent)) return;
        List<Path> stale = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                boolean ours = name.startsWith(STEP_PREFIX) || name.startsWith(".") && name.endsWith(".tmp");
                if (ours && (keep == null || !p.getFileName().equals(keep.getFileName()))) stale.add(p);
            }
        }
        for (Path p : stale) deleteTree(p);
    }

    /** True for the names {@link #newCheckpointFolder} gives. */
    static boolean isCheckpointFolderName(String name) {
        return name.matches(STEP_PREFIX + "[0-9]+(-[0-9]+)?");
    }

    /** A new, not yet existing folder for the checkpoint after {@code step} optimizer steps. */
    static Path newCheckpointFolder(Path dir, long step) {
        Path parent = dir.resolve(CHECKPOINTS);
        String base = String.format(java.util.Locale.ROOT, "%s%09d", STEP_PREFIX, step);
        Path p = parent.resolve(base);
        // The same step twice (a folder left by a killed write, or the current one): never reuse a folder.
        for (int i = 2; Files.exists(p); i++) p = parent.resolve(base + "-" + i);
        return p;
    }

    /**
     * Makes {@code dir/model.safetensors} the file {@code model} (a hard link; a copy where links are not
     * supported), replacing the previous one in one rename.
     */
    static void publishModel(Path dir, Path model) throws IOException {
        publish(dir, model, Checkpoint.MODEL);
    }

    /** Makes {@code dir/name} the file {@code file} (a hard link, else a copy), replacing the previous one in one rename. */
    static void publish(Path dir, Path file, String name) throws IOException {
        Path tmp = dir.resolve("." + name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            linkOrCopy(file, tmp);
            AtomicFiles.move(tmp, dir.resolve(name));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Creates {@code target} as a hard link to {@code source}, or a copy where links are not supported. */
    static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException noLinks) {
            Files.deleteIfExists(target);
            Files.copy(source, target);
        }
    }

    /**
     * Forces a folder's entries (new files, renames) to disk, so that a power loss cannot leave the pointer to a
     * checkpoint whose files' names are not yet durable. Where the platform cannot open a folder (Windows), it is
     * skipped: a killed process loses nothing that the kernel already has.
     */
    static void sync(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // not possible on this platform; the renames are still atomic
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(p);
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            for (Path q : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        }
    }
}
