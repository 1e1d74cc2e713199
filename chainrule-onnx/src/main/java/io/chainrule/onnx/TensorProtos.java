package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import io.chainrule.DType;
import io.chainrule.Tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** chainrule tensors as ONNX TensorProtos: dims, element type and little-endian raw data. */
final class TensorProtos {
    private TensorProtos() {}

    /** ONNX's element type for a dtype (TensorProto.DataType). */
    static int elementType(DType t) {
        return switch (t) {
            case FLOAT32 -> TensorProto.DataType.FLOAT_VALUE;
            case FLOAT64 -> TensorProto.DataType.DOUBLE_VALUE;
            case INT64 -> TensorProto.DataType.INT64_VALUE;
            case BOOL -> TensorProto.DataType.BOOL_VALUE;
        };
    }

    /** {@code t}'s values (row-major, as its shape says) named {@code name}. */
    static TensorProto of(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(elementType(t.dtype()));
        for (int d : t.shape()) b.addDims(d);
        int n = Math.toIntExact(t.numel());
        ByteBuffer buf;
        switch (t.dtype()) {
            case FLOAT32 -> {
                buf = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (float v : t.toFloatArray()) buf.putFloat(v);
            }
            case FLOAT64 -> {
                buf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (double v : t.toDoubleArray()) buf.putDouble(v);
            }
            case INT64 -> {
                buf = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                for (long v : t.toLongArray()) buf.putLong(v);
            }
            case BOOL -> {
                buf = ByteBuffer.allocate(n);
                for (boolean v : t.toBooleanArray()) buf.put((byte) (v ? 1 : 0));
            }
            default -> throw new IllegalArgumentException("ONNX export: no ONNX element type for " + t.dtype());
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    /** A 1-D INT64 tensor (shapes, axes, pads). */
    static TensorProto longs(String name, long... values) {
        return of(name, Tensor.of(values, values.length));
    }
}
