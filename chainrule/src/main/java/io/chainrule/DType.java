package io.chainrule;

/**
 * Element types. {@link #FLOAT32} is the default; {@link #INT64} holds indices and class labels;
 * {@link #BOOL} holds comparison results.
 */
public enum DType {
    FLOAT32("float32", 4),
    FLOAT64("float64", 8),
    INT64("int64", 8),
    BOOL("bool", 1);

    private final String label;
    private final int byteSize;

    DType(String label, int byteSize) {
        this.label = label;
        this.byteSize = byteSize;
    }

    /** True for FLOAT32 and FLOAT64, the types that can carry gradients. */
    public boolean isFloatingPoint() {
        return this == FLOAT32 || this == FLOAT64;
    }

    /** Bytes per element in serialized form (BOOL is one byte). */
    public int byteSize() {
        return byteSize;
    }

    /**
     * PyTorch's promotion for two tensor operands: float32 with float64 gives float64; an integer or boolean
     * with a float gives that float; int64 with bool gives int64.
     */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a == FLOAT64 || b == FLOAT64) return FLOAT64;
        if (a == FLOAT32 || b == FLOAT32) return FLOAT32;
        return INT64;
    }

    @Override
    public String toString() {
        return label;
    }
}
