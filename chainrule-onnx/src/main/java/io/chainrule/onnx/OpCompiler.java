package io.chainrule.onnx;

import java.io.IOException;

/**
 * Turns one node into a {@link Kernel}: reads and checks its attributes and input count once, at load time, so that
 * an unsupported attribute or a malformed node fails when the file is read, not in the middle of a forward pass.
 */
@FunctionalInterface
interface OpCompiler {
    /**
     * @throws IOException                   when the node breaks the op's specification
     * @throws UnsupportedOperationException when it asks for something the loader does not implement
     */
    Kernel compile(OnnxNode node) throws IOException;
}
