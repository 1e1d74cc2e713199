package io.chainrule.spark;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One example on its way into the shard cache: its position in the data (which fixes its shard), its features
 * as FLOAT32, and its label (a class index, or a value when the labels are floats). It crosses one shuffle, where it
 * is serialized with its features as one byte array (Java serialization writes a float[] element by element).
 */
record IndexedExample(long index, float[] features, long classLabel, float valueLabel) implements Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    @Serial
    private Object writeReplace() {
        return new Wire(index, FloatBytes.pack(features), classLabel, valueLabel);
    }

    private record Wire(long index, byte[] features, long classLabel, float valueLabel) implements Serializable {
        @Serial
        private static final long serialVersionUID = 1L;

        @Serial
        private Object readResolve() {
            return new IndexedExample(index, FloatBytes.unpack(features), classLabel, valueLabel);
        }
    }

    /** float[] ⇄ little-endian bytes, in one copy each way. */
    static final class FloatBytes {
        private FloatBytes() {}

        static byte[] pack(float[] f) {
            ByteBuffer b = ByteBuffer.allocate(f.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(f);
            return b.array();
        }

        static float[] unpack(byte[] bytes) {
            float[] f = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        }
    }
}
