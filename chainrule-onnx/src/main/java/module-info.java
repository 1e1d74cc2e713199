/** ONNX in and out for chainrule models: {@code Onnx.export} traces a model, {@code Onnx.load} runs an ONNX graph. */
@SuppressWarnings("requires-automatic") // Tribuo and protobuf name their modules in their manifests
module io.chainrule.onnx {
    requires transitive io.chainrule; // Onnx's methods take and return Tensor and Module
    requires org.tribuo.util.onnx;    // the ONNX schema's protobuf classes (an automatic module)
    requires com.google.protobuf;     // their runtime (an automatic module)

    exports io.chainrule.onnx;
}
