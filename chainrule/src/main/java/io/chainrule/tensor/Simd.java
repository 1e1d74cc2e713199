package io.chainrule.tensor;

/**
 * Decides once whether the Vector API kernels may be used. Classes that reference {@code jdk.incubator.vector}
 * fail to load unless the JVM was started with {@code --add-modules jdk.incubator.vector}, so callers must check
 * {@link #ENABLED} before touching them.
 */
final class Simd {
    /** True when {@code jdk.incubator.vector} is resolvable and {@code -Dchainrule.simd=false} was not given. */
    static final boolean ENABLED = detect();

    private Simd() {}

    private static boolean detect() {
        if ("false".equalsIgnoreCase(System.getProperty("chainrule.simd"))) return false;
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) return true;
        System.err.println("chainrule: SIMD kernels disabled; run the JVM with "
                + "--add-modules jdk.incubator.vector for much faster matrix multiply");
        return false;
    }
}
