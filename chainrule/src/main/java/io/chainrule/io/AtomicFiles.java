package io.chainrule.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Atomic file writes: the bytes go to a temporary file in the target's folder ({@code .NAME.RANDOM.tmp}), are
 * forced to disk, and the temporary file is renamed over the target. Readers see the old file or the new one,
 * never half of one; a crash leaves at most a {@code .tmp} file, which {@link #removeStaleTemps} clears.
 *
 * <p>The temporary file is created with the default permissions (the user's umask), unlike
 * {@code Files.createTempFile}, whose owner-only mode would carry over to the renamed file.
 *
 * <pre>{@code
 * AtomicFiles.write(Path.of("out/metrics.csv"), out -> out.write(bytes));
 * }</pre>
 */
public final class AtomicFiles {
    private static final String TMP_SUFFIX = ".tmp";

    private AtomicFiles() {}

    /** Writes the content that {@code body} produces into a channel. */
    @FunctionalInterface
    public interface ChannelWriter {
        void write(FileChannel channel) throws IOException;
    }

    /** Writes the content that {@code body} produces into a stream. */
    @FunctionalInterface
    public interface StreamWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Writes {@code bytes} to {@code target} atomically. */
    public static void write(Path target, byte[] bytes) throws IOException {
        writeStream(target, out -> out.write(bytes));
    }

    /** Writes {@code text} as UTF-8 to {@code target} atomically. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes what {@code body} writes to a stream to {@code target} atomically. */
    public static void writeStream(Path target, StreamWriter body) throws IOException {
        writeChannel(target, ch -> {
            OutputStream out = Channels.newOutputStream(ch);
            body.write(out);
            out.flush();
        });
    }

    /**
     * Writes what {@code body} writes to a channel to {@code target} atomically. When {@code body} throws, the
     * target is untouched and the temporary file is removed.
     */
    public static void writeChannel(Path target, ChannelWriter body) throws IOException {
        Path abs = target.toAbsolutePath();
        Path tmp = null;
        FileChannel opened = null;
        for (int attempt = 0; opened == null; attempt++) {
            tmp = tempFor(abs);
            try {
                opened = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 16) throw e;
            }
        }
        try {
            try (FileChannel ch = opened) {
                body.write(ch);
                ch.force(true);
            }
            move(tmp, abs);
        } finally {
            Files.deleteIfExists(tmp); // gone after a successful move; removes the partial file after a failure
        }
    }

    /** Renames {@code from} over {@code to}, atomically where the file system allows. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /**
     * Deletes the temporary files that killed writes left in {@code dir} (names {@code .*.tmp}), and returns how
     * many. Call it only where no other process is writing into {@code dir}.
     */
    public static int removeStaleTemps(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return 0;
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "." + "*" + TMP_SUFFIX)) {
            for (Path f : files) {
                if (Files.isRegularFile(f) && Files.deleteIfExists(f)) removed++;
            }
        }
        return removed;
    }

    private static Path tempFor(Path target) {
        return target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + TMP_SUFFIX);
    }
}
