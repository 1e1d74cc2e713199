package io.chainrule.cli.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** One run the browser view shows: a run training in this process, or a run folder on disk. */
public interface RunSource {
    /** The run folder. */
    Path dir();

    /** The run's data as the page reads it (see {@link LiveState#json()} for the layout). */
    String json() throws IOException;

    /** The name shown on the page (the run folder's name). */
    default String name() {
        Path f = dir().toAbsolutePath().normalize().getFileName();
        return f == null ? dir().toString() : f.toString();
    }

    /** The run's graph.svg, or null when there is none (no Graphviz). */
    default Path svg() {
        Path f = dir().resolve("graph.svg");
        return Files.isRegularFile(f) ? f : null;
    }
}
