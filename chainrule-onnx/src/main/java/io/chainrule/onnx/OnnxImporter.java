package io.chainrule.onnx;

import java.nio.file.Path;

/** Reads ONNX files into {@link OnnxModel}s. (Scaffold: the import helper replaces this file.) */
final class OnnxImporter {
    private OnnxImporter() {}

    static OnnxModel load(Path file) {
        throw new UnsupportedOperationException("ONNX import is not built yet");
    }
}
