package io.chainrule.tensor;

import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.F;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import io.chainrule.optim.Adam;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The buffer cache: bounded, and invisible in results. Reused buffers are poisoned with NaN when they go back, so a
 * kernel that relies on zeros, or a buffer recycled while something still reads it, changes the numbers.
 */
class BufferCacheTest {
    private long savedLimit;
    private int savedThreads;

    @BeforeEach
    void remember() {
        savedLimit = BufferCache.limit();
        savedThreads = Parallel.threads();
        BufferCache.clear();
    }

    @AfterEach
    void restore() {
        BufferCache.poison = false;
        BufferCache.setLimit(savedLimit);
        BufferCache.clear();
        Parallel.setThreads(savedThreads);
    }

    /** A small CNN step: conv, batch norm, pooling, dropout, a gradient summed from two branches, a broadcast scale. */
    private static final class Net {
        final Sequential features = new Sequential(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new ReLU(),
                new MaxPool2d(2), new Flatten());
        final Sequential head = new Sequential(new Linear(256, 32), new ReLU(), new Dropout(0.25), new Linear(32, 10));
        final Tensor scale = Tensor.ones(1, 256).requiresGrad(true);
        final List<Tensor> params = new ArrayList<>();
        final Adam adam;
        final Tensor x = Tensor.randn(8, 1, 16, 16), y = Tensor.of(new long[] {0, 1, 2, 3, 4, 5, 6, 7});

        Net() {
            params.addAll(features.parameters());
            params.addAll(head.parameters());
            params.add(scale);
            adam = new Adam(params, 1e-2);
        }

        Tensor loss() {
            Tensor h = features.forward(x);
            Tensor z = h.add(h.mul(scale)).reshape(8, 256); // h feeds two ops: its gradients are summed
            return F.crossEntropy(head.forward(z), y);
        }

        /** The losses of {@code steps} Adam steps, then every parameter, as one array. */
        float[] train(int steps) {
            List<Float> out = new ArrayList<>();
            for (int s = 0; s < steps; s++) {
                adam.zeroGrad();
                Tensor loss = loss();
                loss.backward();
                adam.step();
                out.add((float) loss.item());
            }
            for (Tensor p : params) for (float v : p.toFloatArray()) out.add(v);
            float[] a = new float[out.size()];
            for (int i = 0; i < a.length; i++) a[i] = out.get(i);
            return a;
        }
    }

    private static float[] trainFromSeed(int steps) {
        Tensor.manualSeed(7);
        return new Net().train(steps);
    }

    @Test
    void resultsAreTheSameWithTheCacheOnAndOff() {
        BufferCache.setLimit(0);
        float[] off = trainFromSeed(6);
        assertEquals(0, BufferCache.heldBytes());

        BufferCache.setLimit(64L << 20);
        BufferCache.poison = true;
        float[] on = trainFromSeed(6);
        assertTrue(BufferCache.heldBytes() > 0, "the backward passes gave buffers back");
        assertArrayEquals(off, on); // bit for bit: JUnit compares float bits

        Parallel.setThreads(2);
        assertArrayEquals(off, trainFromSeed(6));
    }

    @Test
    void tensorsTheUserHoldsAreNeverReused() {
        BufferCache.poison = true;
        Tensor.manualSeed(3);
        Net net = new Net();
        Tensor h = net.features.forward(net.x);
        h.retainGrad();
        Tensor z = h.add(h.mul(net.scale)).reshape(8, 256);
        Tensor logits = net.head.forward(z);
        List<Tensor> hooked = new ArrayList<>();
        z.gradNode().addGradHook(hooked::add);
        logits.gradNode().addInputGradHook(gs -> hooked.add(gs[0]));
        F.crossEntropy(logits, net.y).backward();
        assertTrue(BufferCache.heldBytes() > 0, "the backward gave buffers back");

        List<Tensor> held = new ArrayList<>(List.of(h, z, logits, h.grad(), net.scale.grad()));
        held.addAll(hooked);
        for (Tensor p : net.params) held.add(p.grad());
        Tensor hIn = net.features.forward(net.x).detach().requiresGrad(true);
        held.addAll(Autograd.grad(List.of(F.crossEntropy(net.head.forward(hIn.add(hIn.mul(net.scale)).reshape(8, 256)),
                net.y)), List.of(hIn), null, false, false));
        List<float[]> before = new ArrayList<>();
        for (Tensor t : held) before.add(t.toFloatArray());

        net.train(4); // allocates from the cache, and poisons what goes back to it
        for (int i = 0; i < held.size(); i++) {
            assertArrayEquals(before.get(i), held.get(i).toFloatArray(), "held tensor " + i + " changed");
        }
    }

    @Test
    void cachedBuffersComeBackOnceAndZeroedWhenAsked() {
        BufferCache.setLimit(1 << 20);
        float[] a = new float[4096];
        a[5] = 3;
        BufferCache.give(a);
        assertEquals(4L * 4096, BufferCache.heldBytes());
        assertSame(a, BufferCache.take(false, 4096, false));
        assertEquals(3f, a[5], "not zeroed when the kernel overwrites every element");
        assertNotSame(a, BufferCache.take(false, 4096, false), "taken once only");

        BufferCache.give(a);
        assertNotSame(a, BufferCache.take(true, 4096, true), "keyed by element type");
        assertSame(a, BufferCache.take(false, 4096, true));
        assertEquals(0f, a[5]);
        assertEquals(0, BufferCache.heldBytes());

        BufferCache.give(new float[16]);
        assertEquals(0, BufferCache.heldBytes(), "small buffers are not worth caching");
    }

    @Test
    void theCacheStaysWithinItsLimit() {
        BufferCache.setLimit(64 << 10);
        for (int i = 0; i < 100; i++) BufferCache.give(new float[4096]); // 16 KiB each
        assertEquals(64 << 10, BufferCache.heldBytes());
        BufferCache.give(new double[2048]); // another size pushes out the least recently refilled one
        assertEquals(64 << 10, BufferCache.heldBytes());
        assertEquals(double[].class, BufferCache.take(true, 2048, false).getClass());
        BufferCache.give(new float[100_000]); // larger than the whole cache: dropped
        assertEquals(48 << 10, BufferCache.heldBytes());

        BufferCache.setLimit(20 << 10);
        assertTrue(BufferCache.heldBytes() <= 20 << 10, "lowering the limit drops buffers");
        BufferCache.setLimit(0);
        assertEquals(0, BufferCache.heldBytes());
        BufferCache.give(new float[4096]);
        assertEquals(0, BufferCache.heldBytes(), "a limit of 0 turns the cache off");
        assertThrows(IllegalArgumentException.class, () -> BufferCache.setLimit(-1));
    }
}
