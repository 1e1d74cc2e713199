package io.chainrule.cli.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarConsumer;

import java.io.PrintStream;

/**
 * Draws the progress bar in place on one terminal line and wipes it when done, leaving no blank line: the
 * epoch's summary line takes its place. A bar {@link #keep kept} (a run stopped part way) stays on its line
 * instead, showing the batches done.
 */
final class TransientBar implements ProgressBarConsumer {
    private final PrintStream out;
    private final int width;
    private volatile boolean keep;

    TransientBar(PrintStream out) {
        this.out = out;
        this.width = Math.max(40, new ConsoleProgressBarConsumer(out).getMaxRenderedLength());
    }

    @Override
    public int getMaxRenderedLength() {
        return width;
    }

    @Override
    public void accept(String rendered) {
        String line = rendered.length() > width ? rendered.substring(0, width) : rendered;
        out.print('\r' + line);
        out.flush();
    }

    /** From now on, {@link #clear} leaves the bar's last rendering in place and ends its line. */
    void keep() {
        keep = true;
    }

    @Override
    public void clear() {
        out.print(keep ? "\n" : '\r' + " ".repeat(width) + '\r');
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
