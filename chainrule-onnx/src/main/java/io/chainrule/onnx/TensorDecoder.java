package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.chainrule.DType;
import io.chainrule.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * ONNX {@code TensorProto}s to chainrule tensors. FLOAT → FLOAT32, DOUBLE → FLOAT64, the integer types → INT64 (their
 * values, sign-extended or zero-extended), BOOL → BOOL. Every declared size is checked against the bytes actually
 * present before anything is allocated, so a file that lies about a tensor's size fails with an {@link IOException}
 * instead of an out-of-memory error.
 */
final class TensorDecoder {
    private TensorDecoder() {}

    /** The ONNX element type numbers (TensorProto.DataType) this loader reads. */
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9,
            DOUBLE = 11, UINT32 = 12;

    /**
     * The chainrule dtype holding ONNX element type {@code onnxType}, or null when chainrule has none (strings,
     * float16, bfloat16, complex, uint64).
     */
    static DType dtypeOf(int onnxType) {
        return switch (onnxType) {
            case FLOAT -> DType.FLOAT32;
            case DOUBLE -> DType.FLOAT64;
            case UINT8, INT8, UINT16, INT16, INT32, INT64, UINT32 -> DType.INT64;
            case BOOL -> DType.BOOL;
            default -> null;
        };
    }

    /** ONNX's name of an element type number, for messages. */
    static String typeName(int onnxType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(onnxType);
        return t == null ? "unknown element type " + onnxType : t.name();
    }

    /** Decodes a tensor that holds its data itself (external data is refused). */
    static Tensor decode(TensorProto proto, String where) throws IOException {
        return decode(proto, where, null);
    }

    /**
     * Decodes {@code proto}; {@code where} names it in messages (the file and the tensor). Data stored outside the
     * model file (external data) is read from {@code modelDir}, the model file's folder, or refused when it is null.
     *
     * @throws IOException                   when sizes or data do not fit together, or external data is missing,
     *                                       short or points outside the model's folder
     * @throws UnsupportedOperationException for an element type chainrule has no dtype for
     */
    static Tensor decode(TensorProto proto, String where, Path modelDir) throws IOException {
        if (proto.hasSegment()) throw new UnsupportedOperationException(where + ": segmented tensors are not supported");
        int[] shape = shape(proto, where);
        int n = numel(shape, where);
        int type = proto.getDataType();
        DType dtype = dtypeOf(type);
        if (dtype == null) {
            throw new UnsupportedOperationException(where + ": element type " + typeName(type) + " is not supported "
                    + "(supported: FLOAT, DOUBLE, the integer types up to INT64, BOOL)");
        }
        if (proto.hasDataLocation() && proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            if (modelDir == null) throw new UnsupportedOperationException(where + ": external data is not supported here");
            ByteString raw = ExternalData.read(proto, (long) n * rawElementSize(type), modelDir, where);
            return fromRaw(proto.toBuilder().clearDataLocation().clearExternalData().setRawData(raw).build(), type, dtype, shape, n, where);
        }
        if (proto.hasRawData()) return fromRaw(proto, type, dtype, shape, n, where);
        return switch (type) {
            case FLOAT -> {
                check(proto.getFloatDataCount(), n, "float_data", shape, where);
                float[] v = new float[n];
                for (int i = 0; i < n; i++) v[i] = proto.getFloatData(i);
                yield Tensor.of(v, n).reshape(shape);
            }
            case DOUBLE -> {
                check(proto.getDoubleDataCount(), n, "double_data", shape, where);
                double[] v = new double[n];
                for (int i = 0; i < n; i++) v[i] = proto.getDoubleData(i);
                yield Tensor.of(v, n).reshape(shape);
            }
            case INT64 -> {
                check(proto.getInt64DataCount(), n, "int64_data", shape, where);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = proto.getInt64Data(i);
                yield Tensor.of(v, n).reshape(shape);
            }
            case UINT32 -> {
                check(proto.getUint64DataCount(), n, "uint64_data", shape, where);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = proto.getUint64Data(i);
                yield Tensor.of(v, n).reshape(shape);
            }
            case BOOL -> {
                check(proto.getInt32DataCount(), n, "int32_data", shape, where);
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = proto.getInt32Data(i) != 0;
                yield Tensor.of(v, n).reshape(shape);
            }
            default -> { // the narrow integer types travel in int32_data
                check(proto.getInt32DataCount(), n, "int32_data", shape, where);
                long[] v = new long[n];
                for (int i = 0; i < n; i++) v[i] = narrow(type, proto.getInt32Data(i));
                yield Tensor.of(v, n).reshape(shape);
            }
        };
    }

    private static long narrow(int type, long v) {
        return switch (type) {
            case UINT8 -> v & 0xFF;
            case INT8 -> (byte) v;
            case UINT16 -> v & 0xFFFF;
            case INT16 -> (short) v;
            default -> (int) v;
        };
    }

    private static Tensor fromRaw(TensorProto proto, int type, DType dtype, int[] shape, int n, String where) throws IOException {
        int size = rawElementSize(type);
        long expected = (long) n * size;
        int actual = proto.getRawData().size();
        if (actual != expected) {
            throw new IOException(where + ": raw_data holds " + actual + " bytes but shape " + Arrays.toString(shape) + " of "
                    + typeName(type) + " needs " + expected);
        }
        ByteBuffer b = proto.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case FLOAT32 -> {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                return Tensor.of(v, n).reshape(shape);
            }
            case FLOAT64 -> {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                return Tensor.of(v, n).reshape(shape);
            }
            case BOOL -> {
                boolean[] v = new boolean[n];
                for (int i = 0; i < n; i++) v[i] = b.get(i) != 0;
                return Tensor.of(v, n).reshape(shape);
            }
            default -> {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = switch (type) {
                        case INT64 -> b.getLong(i * 8);
                        case INT32 -> b.getInt(i * 4);
                        case UINT32 -> b.getInt(i * 4) & 0xFFFFFFFFL;
                        case INT16 -> b.getShort(i * 2);
                        case UINT16 -> b.getShort(i * 2) & 0xFFFF;
                        case INT8 -> b.get(i);
                        default -> b.get(i) & 0xFF; // UINT8
                    };
                }
                return Tensor.of(v, n).reshape(shape);
            }
        }
    }

    private static int rawElementSize(int type) {
        return switch (type) {
            case FLOAT, INT32, UINT32 -> 4;
            case DOUBLE, INT64 -> 8;
            case INT16, UINT16 -> 2;
            default -> 1; // INT8, UINT8, BOOL
        };
    }

    private static void check(int count, int n, String field, int[] shape, String where) throws IOException {
        if (count != n) {
            throw new IOException(where + ": " + field + " holds " + count + " values but shape " + Arrays.toString(shape)
                    + " needs " + n);
        }
    }

    private static int[] shape(TensorProto proto, String where) throws IOException {
        int[] shape = new int[proto.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = proto.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new IOException(where + ": dimension " + i + " is " + d + " (dims " + proto.getDimsList() + ")");
            }
            shape[i] = (int) d;
        }
        return shape;
    }

    private static int numel(int[] shape, String where) throws IOException {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IOException(where + ": shape " + Arrays.toString(shape) + " has more than 2³¹ elements");
        }
        return (int) n;
    }
}
