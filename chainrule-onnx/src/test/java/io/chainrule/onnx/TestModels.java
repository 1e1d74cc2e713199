package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small ONNX models built in tests with the schema's protobuf builders. */
final class TestModels {
    private TestModels() {}

    static NodeProto node(String op, String name, List<String> inputs, List<String> outputs, AttributeProto... attributes) {
        return NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addAllOutput(outputs)
                .addAllAttribute(List.of(attributes)).build();
    }

    static AttributeProto intAttr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto intsAttr(String name, long... v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static ValueInfoProto floatInput(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
                : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorDecoder.FLOAT).setShape(shape))).build();
    }

    static ValueInfoProto output(String name) {
        return ValueInfoProto.newBuilder().setName(name).build();
    }

    static TensorProto floats(String name, float[] values, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorDecoder.FLOAT);
        for (long d : dims) b.addDims(d);
        for (float v : values) b.addFloatData(v);
        return b.build();
    }

    static TensorProto longs(String name, long[] values, long... dims) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorDecoder.INT64);
        for (long d : dims) b.addDims(d);
        for (long v : values) b.addInt64Data(v);
        return b.build();
    }

    static ModelProto model(int opset, List<NodeProto> nodes, List<ValueInfoProto> inputs, List<ValueInfoProto> outputs,
                            List<TensorProto> initializers) {
        GraphProto g = GraphProto.newBuilder().setName("test").addAllNode(nodes).addAllInput(inputs).addAllOutput(outputs)
                .addAllInitializer(initializers).build();
        return ModelProto.newBuilder().setIrVersion(8).setGraph(g)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(opset)).build();
    }

    static Path write(ModelProto m, Path file) throws IOException {
        Files.write(file, m.toByteArray());
        return file;
    }
}
