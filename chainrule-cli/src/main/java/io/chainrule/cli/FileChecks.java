package io.chainrule.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Output folders and input files, checked with messages for the command line (atomic writes: {@link io.chainrule.io.AtomicFiles}). */
public final class FileChecks {
    private FileChecks() {}

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
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp"); // deleted at once; never an output
            Files.delete(probe);
            return dir;
        } catch (FileAlreadyExistsException e) {
            throw new CliException("cannot create output folder " + dir + ": " + e.getFile() + " is a file");
        } catch (AccessDeniedException e) {
            throw new CliException("cannot write to output folder " + dir + ": permission denied");
        } catch (FileSystemException e) {
            throw new CliException("cannot write to output folder " + dir + ": " + reason(e, dir));
        } catch (IOException e) {
            throw new CliException("cannot write to output folder " + dir + ": " + e.getMessage());
        }
    }

    /**
     * What went wrong, without repeating the folder's path as if it were the reason: the operating system's reason
     * where Java keeps it, else what the exception type means. (A NoSuchFileException's message is only the path;
     * creating a folder in /proc gives one although /proc exists.)
     */
    static String reason(FileSystemException e, Path dir) {
        String file = e.getFile();
        String which = file == null || Path.of(file).equals(dir) ? "" : " (" + file + ")";
        if (e instanceof NoSuchFileException) {
            Path parent = file == null ? null : Path.of(file).toAbsolutePath().getParent();
            if (parent != null && Files.isDirectory(parent)) {
                return parent + " does not allow new folders (the system answered 'no such file or directory')";
            }
            return "no such file or directory" + which;
        }
        if (e.getReason() != null) return e.getReason().strip() + which;
        return e.getClass().getSimpleName() + which;
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
