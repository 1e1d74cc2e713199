package io.chainrule.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Output folders and atomic writes (temp file in the same folder, then rename). */
public final class Files2 {
    private Files2() {}

    /**
     * Creates {@code dir} (and its parents) and checks that files can be written in it.
     *
     * @throws CliException naming the folder when it cannot be created or written
     */
    public static Path prepareOutputDir(Path dir) {
        try {
            if (Files.exists(dir) && !Files.isDirectory(dir)) {
                throw new CliException("output folder " + dir + " exists and is not a folder");
            }
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new CliException("cannot create output folder " + dir + ": " + e.getFile() + " is a file");
        } catch (AccessDeniedException e) {
            throw new CliException("cannot write to output folder " + dir + ": permission denied");
        } catch (IOException e) {
            throw new CliException("cannot write to output folder " + dir + ": " + e.getMessage());
        }
    }

    /** Writes {@code text} (UTF-8) to {@code file} atomically. */
    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code bytes} to {@code file} atomically: readers see the old file or the new one, never half. */
    public static void write(Path file, byte[] bytes) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.write(tmp, bytes);
            moveAtomically(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Renames {@code from} over {@code to}, atomically where the file system allows. */
    public static void moveAtomically(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Checks that {@code file} exists and is a readable regular file. */
    public static Path requireFile(Path file, String what) {
        if (!Files.exists(file)) throw new CliException(what + " " + file + " does not exist");
        if (!Files.isRegularFile(file)) throw new CliException(what + " " + file + " is not a file");
        if (!Files.isReadable(file)) throw new CliException(what + " " + file + " is not readable");
        return file;
    }

    static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) return "no such file: " + n.getFile();
        if (e instanceof AccessDeniedException a) return "permission denied: " + a.getFile();
        if (e instanceof FileAlreadyExistsException f) return "file already exists: " + f.getFile();
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m;
    }
}
