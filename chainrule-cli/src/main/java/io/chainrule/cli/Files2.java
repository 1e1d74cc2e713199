package io.chainrule.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Output folders and input files, checked with messages for the command line (atomic writes: {@link io.chainrule.io.AtomicFiles}). */
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
