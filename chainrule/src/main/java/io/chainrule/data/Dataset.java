package io.chainrule.data;

/**
 * A finite, indexable collection of examples (PyTorch's map-style dataset).
 *
 * <pre>{@code Example first = dataset.get(0);}</pre>
 */
public interface Dataset {
    /** The number of examples. */
    int size();

    /** Example {@code index}, for {@code 0 <= index < size()}. */
    Example get(int index);
}
