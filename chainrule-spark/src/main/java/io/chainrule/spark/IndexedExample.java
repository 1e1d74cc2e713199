package io.chainrule.spark;

import java.io.Serializable;

/**
 * One example on its way into the shard cache: its position in the data (which fixes its shard), its features
 * as FLOAT32, and its label (a class index, or a value when the labels are floats).
 */
record IndexedExample(long index, float[] features, long classLabel, float valueLabel) implements Serializable {
    private static final long serialVersionUID = 1L;
}
