package io.chainrule.tensor;

/**
 * The flat primitive array behind a tensor and its views, with the version counter they share. Every in-place
 * write bumps the version, so autograd can tell when a tensor it saved for backward has been overwritten.
 */
public final class Storage {
    /** A {@code float[]}, {@code double[]}, {@code long[]} or {@code boolean[]}. */
    public final Object data;
    private int version;

    public Storage(Object data) {
        this.data = data;
    }

    public int version() {
        return version;
    }

    public void bumpVersion() {
        version++;
    }

    public int length() {
        if (data instanceof float[] f) return f.length;
        if (data instanceof double[] d) return d.length;
        if (data instanceof long[] l) return l.length;
        return ((boolean[]) data).length;
    }
}
