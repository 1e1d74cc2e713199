package io.chainrule.cli.live;

import java.io.IOException;
import java.nio.file.Path;

/** One run the browser view shows: a run training in this process, or a run folder on disk. */
public interface RunSource {
    /** The name shown on the page (the run folder's name). */
    String name();

    /** The run's data as the page reads it (see {@link LiveState#json()} for the layout). */
    String json() throws IOException;

    /** The run's graph.svg, or null when there is none (no Graphviz). */
    Path svg();
}
