/**
 * chainrule: tensors, reverse-mode autograd and neural-network training on the plain JVM.
 *
 * <p>The exported packages are the library's API. {@code io.chainrule.tensor} (storage, strided loops and numeric
 * kernels on primitive arrays) is the implementation under {@code Tensor} and is not exported. The SIMD kernels use
 * the incubating Vector API when the JVM resolves it ({@code --add-modules jdk.incubator.vector}); without it a
 * scalar path runs, hence {@code requires static}.
 */
module io.chainrule {
    requires static jdk.incubator.vector;

    exports io.chainrule;
    exports io.chainrule.autograd;
    exports io.chainrule.nn;
    exports io.chainrule.distributions;
    exports io.chainrule.optim;
    exports io.chainrule.data;
    exports io.chainrule.io;
    exports io.chainrule.parallel;

    // Cluster engines (chainrule-spark) are found at run time.
    uses io.chainrule.parallel.StepEngineProvider;
}
