package io.chainrule.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** Starting libtorch (DJL's PyTorch engine, CPU) for a benchmark fork, and copying parameters into it. */
final class Torch {
    private Torch() {}

    /**
     * A base manager on an engine limited to {@code threads} intra-op threads. Must run before anything else starts
     * the engine: DJL reads the properties once, at engine start (each JMH fork is a fresh JVM, so a setup is early
     * enough).
     */
    static NDManager start(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        return NDManager.newBaseManager(Device.cpu(), "PyTorch");
    }

    /** A copy of {@code p} in {@code manager} that records gradients. */
    static NDArray param(NDManager manager, Workloads.Param p) {
        NDArray a = manager.create(p.data(), shape(p.shape()));
        a.setRequiresGradient(true);
        return a;
    }

    static Shape shape(int... dims) {
        return new Shape(Arrays.stream(dims).asLongStream().toArray());
    }
}
