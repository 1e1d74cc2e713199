package io.chainrule.autograd;

import io.chainrule.DType;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine: ordering, accumulation, graph lifetime, grad modes, version counters, anomaly detection. */
class EngineTest {

    private static Tensor vec(double... v) {
        return Tensor.of(v).requiresGrad(true);
    }

    // --------------------------------------------------------------------------------------- order, long chains

    @Test
    void chainOfHundredThousandOpsBackwardsWithoutStackOverflow() {
        Tensor x = Tensor.scalar(1.0, DType.FLOAT64).requiresGrad(true);
        Tensor y = x;
        int n = 100_000;
        for (int i = 0; i < n; i++) y = y.mul(1.0000001);
        y.backward();
        assertEquals(Math.pow(1.0000001, n), x.grad().item(), 1e-9);
    }

    @Test
    void chainOfHundredThousandAddsThroughAutogradGrad() {
        Tensor x = vec(1, 2);
        Tensor y = x;
        for (int i = 0; i < 100_000; i++) y = y.add(x.select(0, i % 2).mul(0.0)); // a fan of 100,000 side branches too
        Tensor g = Autograd.grad(List.of(y.sum()), List.of(x), null, false, false).get(0);
        assertArrayEquals(new double[] {1, 1}, g.toDoubleArray());
    }

    // ------------------------------------------------------------------------------- accumulation, branches

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroGrad() {
        Tensor x = vec(0.5, -1.0);
        x.exp().sum().backward();
        x.exp().sum().backward();
        assertArrayEquals(new double[] {2 * Math.exp(0.5), 2 * Math.exp(-1.0)}, x.grad().toDoubleArray(), 1e-12);
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(3.0).sum().backward();
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void aTensorUsedTwiceGetsTheSumOfBothGradients() {
        Tensor x = vec(0.3, 2.0);
        x.mul(x.exp()).sum().backward(); // d/dx x·eˣ = eˣ + x·eˣ
        double[] g = x.grad().toDoubleArray();
        assertEquals(Math.exp(0.3) * 1.3, g[0], 1e-12);
        assertEquals(Math.exp(2.0) * 3.0, g[1], 1e-12);

        Tensor z = vec(0.7);
        Tensor a = z.mul(2.0); // a diamond: a feeds two ops that meet again
        a.exp().add(a.sin()).sum().backward();
        assertEquals(2 * (Math.exp(1.4) + Math.cos(1.4)), z.grad().item(), 1e-12);

        Tensor w = vec(1.5);
        w.add(w).add(w).sum().backward();
        assertEquals(3.0, w.grad().item());
    }

    @Test
    void gradientIsSummedBackToABroadcastInputAndCastToItsDtype() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3, 1).requiresGrad(true);
        Tensor b = Tensor.of(new double[] {1, 10, 100, 1000}, 1, 4).requiresGrad(true);
        a.mul(b).sum().backward();
        assertEquals(DType.FLOAT32, a.grad().dtype());
        assertArrayEquals(new int[] {3, 1}, a.grad().shape());
        assertArrayEquals(new float[] {1111, 1111, 1111}, a.grad().toFloatArray());
        assertEquals(DType.FLOAT64, b.grad().dtype());
        assertArrayEquals(new double[] {6, 6, 6, 6}, b.grad().toDoubleArray());
    }

    @Test
    void backwardWithAnExplicitGradOutput() {
        Tensor x = vec(1, 2, 3);
        x.square().backward(Tensor.of(new double[] {1, 0.5, -1}));
        assertArrayEquals(new double[] {2, 2, -6}, x.grad().toDoubleArray());
    }

    // --------------------------------------------------------------------------------- retainGraph, release

    @Test
    void retainGraphAllowsASecondBackward() {
        Tensor x = vec(0.1, 0.2);
        Tensor y = x.exp().sum();
        y.backward(null, true, false);
        y.backward();
        assertArrayEquals(new double[] {2 * Math.exp(0.1), 2 * Math.exp(0.2)}, x.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void secondBackwardThroughAFreedGraphIsAClearError() {
        Tensor x = vec(0.1, 0.2);
        Tensor y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        assertTrue(e.getMessage().contains("Backward0"), e.getMessage());
    }

    @Test
    void savedTensorsAreReleasedAfterBackward() {
        Tensor x = vec(1, 2, 3);
        Tensor h = x.mul(2.0).exp(); // ExpBackward0 saves its output h
        WeakReference<Tensor> saved = new WeakReference<>(h);
        Tensor loss = h.sum();
        h = null;
        loss.backward();
        assertTrue(collected(saved), "the saved output must be unreachable once backward freed the graph");
        assertNotNull(loss.gradFn()); // the graph itself is still there, only its saved tensors are gone
    }

    @Test
    void savedTensorsAreKeptWhenTheGraphIsRetained() {
        Tensor x = vec(1, 2, 3);
        Tensor h = x.mul(2.0).exp();
        WeakReference<Tensor> saved = new WeakReference<>(h);
        Tensor loss = h.sum();
        h = null;
        loss.backward(null, true, false);
        assertFalse(collected(saved));
        loss.backward();
        assertArrayEquals(new double[] {4 * Math.exp(2), 4 * Math.exp(4), 4 * Math.exp(6)}, x.grad().toDoubleArray(), 1e-9);
    }

    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 10 && ref.get() != null; i++) System.gc();
        return ref.get() == null;
    }

    // ------------------------------------------------------------------------------- createGraph, retainGrad

    @Test
    void createGraphGivesDifferentiableGradients() {
        Tensor x = vec(1.5);
        x.pow(4).sum().backward(null, true, true);
        Tensor g = x.grad();
        assertTrue(g.requiresGrad());
        assertNotNull(g.gradFn());
        assertEquals(4 * Math.pow(1.5, 3), g.item(), 1e-12);
        Tensor gg = Autograd.grad(List.of(g.sum()), List.of(x), null, false, false).get(0);
        assertEquals(12 * 1.5 * 1.5, gg.item(), 1e-12);
    }

    @Test
    void accumulatedGradWithCreateGraphIsPrivateToTheLeaf() {
        // add passes one gradient tensor to both inputs: each leaf must get its own copy
        Tensor a = vec(1, 2);
        Tensor b = vec(3, 4);
        a.add(b).sum().backward(null, false, true);
        assertTrue(a.grad() != b.grad());
        try (var g = Autograd.noGrad()) {
            a.grad().muli(5.0);
        }
        assertArrayEquals(new double[] {1, 1}, b.grad().toDoubleArray());
    }

    @Test
    void retainGradKeepsTheGradientOfANonLeaf() {
        Tensor x = vec(1, 2);
        Tensor y = x.mul(3.0);
        Tensor unretained = x.mul(4.0);
        y.retainGrad();
        y.square().add(unretained).sum().backward();
        assertArrayEquals(new double[] {6, 12}, y.grad().toDoubleArray()); // 2y
        assertArrayEquals(new double[] {22, 40}, x.grad().toDoubleArray()); // 3·2y + 4
        assertNull(unretained.grad());
        assertFalse(y.isLeaf());
    }

    @Test
    void retainedGradAccumulatesAcrossBackwardCalls() {
        Tensor x = vec(1, 2);
        Tensor y = x.mul(3.0);
        y.retainGrad();
        y.retainGrad(); // twice is the same as once
        Tensor loss = y.square().sum();
        loss.backward(null, true, false);
        loss.backward();
        assertArrayEquals(new double[] {12, 24}, y.grad().toDoubleArray());
    }

    @Test
    void retainGradFollowsAnInPlaceUpdate() {
        // PyTorch moves the retain_grad hook to the new grad_fn: y.grad is d loss / d (the updated y)
        Tensor x = vec(1, 2);
        Tensor y = x.mul(3.0);
        y.retainGrad();
        y.muli(2.0);
        y.square().sum().backward();
        assertArrayEquals(new double[] {12, 24}, y.grad().toDoubleArray()); // 2·(6x)
        assertArrayEquals(new double[] {72, 144}, x.grad().toDoubleArray()); // 2·6x·6
    }

    // ------------------------------------------------------------------------------------- detach, names

    @Test
    void detachSharesStorageAndHasNoHistory() {
        Tensor x = vec(1, 2, 3);
        Tensor y = x.mul(2.0);
        Tensor d = y.detach();
        assertNull(d.gradFn());
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        d.fill(7.0);
        assertArrayEquals(new double[] {7, 7, 7}, y.toDoubleArray());
        assertEquals("MulBackward0", y.gradFn());
        assertTrue(x.isLeaf());
        assertNull(x.gradFn());
        assertNull(x.gradNode() == null ? null : x.gradFn());
    }

    @Test
    void opsOnTensorsNotRequiringGradRecordNothing() {
        Tensor a = Tensor.of(new double[] {1, 2});
        Tensor b = a.mul(2.0).exp();
        assertFalse(b.requiresGrad());
        assertNull(b.gradFn());
        assertNull(b.gradNode());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.sum().backward());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------ Autograd.grad

    @Test
    void autogradGradReturnsGradientsWithoutTouchingGrad() {
        Tensor x = vec(1, 2);
        Tensor w = vec(3, -1);
        Tensor out = x.mul(w).sum();
        List<Tensor> g = Autograd.grad(List.of(out), List.of(x, w), null, false, false);
        assertArrayEquals(new double[] {3, -1}, g.get(0).toDoubleArray());
        assertArrayEquals(new double[] {1, 2}, g.get(1).toDoubleArray());
        assertNull(x.grad());
        assertNull(w.grad());
    }

    @Test
    void autogradGradWithSeveralOutputsAndGradOutputs() {
        Tensor x = vec(1, 2);
        Tensor y1 = x.square();
        Tensor y2 = x.mul(5.0).sum();
        List<Tensor> g = Autograd.grad(List.of(y1, y2), List.of(x),
                List.of(Tensor.of(new double[] {1, 10}), Tensor.scalar(2.0, DType.FLOAT64)), false, false);
        assertArrayEquals(new double[] {2 + 10, 40 + 10}, g.get(0).toDoubleArray());
    }

    @Test
    void autogradGradOfAnIntermediate() {
        Tensor x = vec(1, 2);
        Tensor h = x.mul(3.0);
        Tensor out = h.square().sum();
        Tensor g = Autograd.grad(List.of(out), List.of(h), null, false, false).get(0);
        assertArrayEquals(new double[] {6, 12}, g.toDoubleArray());
        assertNull(x.grad());
    }

    @Test
    void autogradGradRejectsInputsThatDoNotRequireGradOrAreUnused() {
        Tensor x = vec(1, 2);
        Tensor c = Tensor.of(new double[] {1, 2});
        Tensor out = x.mul(c).sum();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Autograd.grad(List.of(out), List.of(c), null, true, false));
        assertTrue(e.getMessage().contains("Autograd.grad") && e.getMessage().contains("does not require grad"), e.getMessage());
        Tensor unused = vec(5);
        e = assertThrows(IllegalStateException.class, () -> Autograd.grad(List.of(out), List.of(unused), null, true, false));
        assertTrue(e.getMessage().contains("not used"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Autograd.grad(List.of(x.mul(2.0)), List.of(x), null, true, false));
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[2]"), e.getMessage());
    }

    // ----------------------------------------------------------------------------------------------- grad mode

    @Test
    void noGradRecordsNothingAndRestoresOnClose() {
        Tensor x = vec(1, 2);
        assertTrue(Autograd.isGradEnabled());
        try (var outer = Autograd.noGrad()) {
            assertFalse(x.mul(2.0).requiresGrad());
            try (var inner = Autograd.noGrad()) {
                assertFalse(Autograd.isGradEnabled());
            }
            assertFalse(Autograd.isGradEnabled(), "closing a nested scope restores the outer one");
            try (var on = Autograd.enableGrad()) {
                assertEquals("MulBackward0", x.mul(2.0).gradFn());
            }
            assertFalse(Autograd.isGradEnabled());
            outer.close(); // closing twice is harmless
        }
        assertTrue(Autograd.isGradEnabled());
        assertTrue(x.mul(2.0).requiresGrad());
    }

    @Test
    void noGradIsPerThread() throws InterruptedException {
        Tensor x = vec(1, 2);
        AtomicReference<Tensor> fromOtherThread = new AtomicReference<>();
        try (var g = Autograd.noGrad()) {
            Thread t = new Thread(() -> fromOtherThread.set(x.mul(2.0)));
            t.start();
            t.join();
            assertFalse(x.mul(2.0).requiresGrad());
        }
        assertEquals("MulBackward0", fromOtherThread.get().gradFn());

        AtomicReference<Boolean> otherEnabledInside = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try (var g = Autograd.noGrad()) {
                otherEnabledInside.set(Autograd.isGradEnabled());
            }
        });
        t.start();
        t.join();
        assertFalse(otherEnabledInside.get());
        assertTrue(Autograd.isGradEnabled(), "another thread's noGrad must not switch this thread off");
    }

    // ---------------------------------------------------------------------------------------- version counter

    @Test
    void compositeOpsCarryPyTorchsNodeNames() {
        // What torch prints as grad_fn for the same calls (PyTorch 2.x), though chainrule composes these ops of
        // others; the gradient still flows through the parts, so it is unchanged.
        Tensor x = Tensor.of(new double[] {1, 2, 3, 5}, 2, 2).requiresGrad(true);
        assertEquals("MeanBackward0", x.mean().gradFn());
        assertEquals("MeanBackward1", x.mean(1, false).gradFn());
        assertEquals("VarBackward0", x.var().gradFn());
        assertEquals("VarBackward0", x.var(0, true).gradFn());
        assertEquals("StdBackward0", x.std().gradFn());
        assertEquals("StdBackward0", x.std(1, false).gradFn());
        assertEquals("LogsumexpBackward0", x.logSumExp(1, false).gradFn());
        assertEquals("LogsumexpBackward0", x.logSumExp().gradFn());
        assertEquals("SelectBackward0", x.select(0, 1).gradFn());
        assertEquals("TBackward0", x.t().gradFn());
        assertEquals("TransposeBackward0", x.transpose(0, 1).gradFn());
        assertEquals("ViewBackward0", x.reshape(4).gradFn());
        assertEquals("UnsafeViewBackward0", x.t().reshape(4).gradFn()); // could not view: copied
        assertEquals("SliceBackward0", x.narrow(1, 0, 1).gradFn());
        assertEquals("SplitBackward0", x.split(1, 0).get(1).gradFn());
        assertEquals("StackBackward0", Tensor.stack(List.of(x, x), 0).gradFn());
        assertEquals("MvBackward0", x.matmul(x.select(0, 0)).gradFn());
        assertEquals("DotBackward0", x.select(0, 0).matmul(x.select(0, 1)).gradFn());
        // renaming touches only the result: the parts keep theirs, and an unrecorded result has none
        assertEquals("SumBackward0", x.sum().gradFn());
        assertNull(x.detach().mean().gradFn());
        x.std().backward();
        double mean = 11 / 4.0, sd = Math.sqrt((Math.pow(1 - mean, 2) + Math.pow(2 - mean, 2) + Math.pow(3 - mean, 2)
                + Math.pow(5 - mean, 2)) / 3);
        assertEquals((1 - mean) / (3 * sd), x.grad().get(0, 0), 1e-12);
    }

    @Test
    void modifyingASavedTensorInPlaceFailsBackwardNamingTheOp() {
        Tensor x = vec(1, 2);
        Tensor a = Tensor.of(new double[] {3, 4});
        Tensor y = x.mul(a); // MulBackward0 saves a
        a.addi(1.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("MulBackward0"), e.getMessage());
        assertTrue(e.getMessage().contains("modified by an inplace operation"), e.getMessage());
    }

    @Test
    void modifyingASavedOutputInPlaceFailsBackward() {
        Tensor x = vec(1, 2);
        Tensor y = x.exp(); // ExpBackward0 saves its output
        y.muli(2.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> y.sum().backward());
        assertTrue(e.getMessage().contains("ExpBackward0"), e.getMessage());
    }

    @Test
    void inPlaceOnANonLeafThatNothingSavedKeepsGradientsRight() {
        Tensor x = vec(1, 2);
        Tensor y = x.mul(3.0); // mul by a constant saves nothing of y
        y.addi(1.0);
        y.muli(Tensor.of(new double[] {2, 5}));
        assertEquals("MulBackward0", y.gradFn());
        y.sum().backward();
        assertArrayEquals(new double[] {6, 15}, x.grad().toDoubleArray());
    }

    @Test
    void inPlaceOnALeafThatRequiresGradIsRefusedOutsideNoGrad() {
        Tensor x = vec(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> x.addi(1.0));
        assertTrue(e.getMessage().contains("addi") && e.getMessage().contains("leaf"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> x.narrow(0, 0, 1).fill(0.0));
        assertThrows(IllegalStateException.class, x::zero);
        assertArrayEquals(new double[] {1, 2}, x.toDoubleArray());
        try (var g = Autograd.noGrad()) {
            x.subi(Tensor.of(new double[] {0.5, 0.5}));
            x.narrow(0, 1, 1).fill(9.0);
        }
        assertArrayEquals(new double[] {0.5, 9}, x.toDoubleArray());
        assertTrue(x.requiresGrad() && x.isLeaf());
        x.mul(2.0).sum().backward();
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    @Test
    void recordedWritesThroughViewsAreRefusedInsteadOfLosingGradients() {
        Tensor x = vec(1, 2);
        Tensor buffer = Tensor.zeros(DType.FLOAT64, 2, 2);
        // the buffer would never learn that its row came from x: refuse rather than drop x's gradient
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> buffer.select(0, 0).copyFrom(x.mul(2.0)));
        assertTrue(e.getMessage().contains("copyFrom") && e.getMessage().contains("view"), e.getMessage());
        Tensor h = x.mul(2.0);
        assertThrows(IllegalStateException.class, () -> h.narrow(0, 0, 1).muli(3.0));
        assertThrows(IllegalStateException.class, () -> h.t().addi(1.0));
        // writes that record nothing are fine, and the out-of-place way records everything
        buffer.select(0, 1).copyFrom(Tensor.of(new double[] {5, 6}));
        try (var g = Autograd.noGrad()) {
            h.narrow(0, 1, 1).fill(0.0);
        }
        assertArrayEquals(new double[] {2, 0}, h.toDoubleArray());
        // results of composite ops are not views of anything the caller holds: in place on them is recorded fine
        Tensor dot = x.matmul(Tensor.of(new double[] {3, 4}));
        dot.muli(2.0);
        Tensor lse = Tensor.of(new double[][] {{0, 0}}).logSumExp(1, false);
        lse.addi(x.sum());
        assertArrayEquals(new double[] {7, 9}, // 2·[3, 4] + [1, 1]
                Autograd.grad(List.of(dot.add(lse.sum())), List.of(x), null, false, false).get(0).toDoubleArray());
        Tensor stacked = Tensor.stack(List.of(x.mul(2.0), buffer.select(0, 1)), 0);
        stacked.sum().backward();
        assertArrayEquals(new double[] {2, 2}, x.grad().toDoubleArray());
    }

    // ----------------------------------------------------------------------------------------- anomaly mode

    @Test
    void anomalyDetectionNamesTheOpAndTheForwardCallSite() {
        Autograd.setDetectAnomaly(true);
        try {
            Tensor x = vec(0.0, 1.0);
            Tensor loss = forwardWithSqrtAtZero(x);
            IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
            assertTrue(e.getMessage().contains("SqrtBackward0"), e.getMessage());
            assertTrue(e.getMessage().contains("nan"), e.getMessage());
            assertNotNull(e.getCause());
            assertTrue(stackTrace(e.getCause()).contains("forwardWithSqrtAtZero"), stackTrace(e.getCause()));

            Tensor z = vec(0.0);
            Tensor zeroTimesLogZero = z.log().mul(0.0).sum(); // 0·log 0: backward of log gets 0/0
            e = assertThrows(IllegalStateException.class, zeroTimesLogZero::backward);
            assertTrue(e.getMessage().contains("LogBackward0"), e.getMessage());
            assertTrue(stackTrace(e.getCause()).contains("anomalyDetectionNamesTheOpAndTheForwardCallSite"));

            // a composite op's node (renamed after the whole op) is named so in the message and its trace
            Tensor mean = vec(1.0, 2.0).mean();
            e = assertThrows(IllegalStateException.class, () -> mean.backward(Tensor.scalar(Double.NaN, DType.FLOAT64)));
            assertTrue(e.getMessage().contains("MeanBackward0"), e.getMessage());
            assertEquals("forward call of MeanBackward0", e.getCause().getMessage());
        } finally {
            Autograd.setDetectAnomaly(false);
        }
        Tensor x = vec(0.0, 1.0);
        forwardWithSqrtAtZero(x).backward(); // off: NaN goes through silently, like PyTorch
        assertTrue(Double.isNaN(x.grad().get(0)));
        assertEquals(0.0, x.grad().get(1));
    }

    private static Tensor forwardWithSqrtAtZero(Tensor x) {
        return x.sqrt().mul(0.0).sum(); // backward: 0 · 1/(2·sqrt(0)) = 0 · inf = NaN
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void anomalyModeIsOffByDefault() {
        assertFalse(Autograd.isDetectAnomaly());
        assertNull(vec(1).exp().gradNode().forwardTrace());
    }

    @Test
    void gradNodeOfALeafIsItsAccumulator() {
        Tensor x = vec(1);
        assertSame(x.gradNode(), x.gradNode());
        assertEquals("AccumulateGrad", x.gradNode().name());
        Tensor y = x.mul(2.0);
        assertSame(x.gradNode(), y.gradNode().next(0));
    }

    // A leaf may keep an incoming gradient without copying it only when nothing else holds that tensor: later
    // backwards add into grad() in place, which must never show up anywhere else.

    @Test
    void leavesFedOneGradientByAnAddGetSeparateGradients() {
        Tensor a = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor c = Tensor.of(new float[] {1, 1}, 2).requiresGrad(true);
        Tensor k = Tensor.of(new float[] {2, 3}, 2);
        a.add(c).mul(k).sum().backward(); // mul makes a fresh gradient; add hands that one tensor to both a and c
        assertArrayEquals(new float[] {2, 3}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {2, 3}, c.grad().toFloatArray());
        a.mul(k).sum().backward();
        assertArrayEquals(new float[] {4, 6}, a.grad().toFloatArray());
        assertArrayEquals(new float[] {2, 3}, c.grad().toFloatArray());
    }

    @Test
    void aRootSeedIsNeverKeptAsALeafGradient() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor seed = Tensor.of(new float[] {5, 6}, 2);
        x.add(0).backward(seed);
        x.mul(1).backward(Tensor.of(new float[] {1, 1}, 2));
        assertArrayEquals(new float[] {5, 6}, seed.toFloatArray());
        assertArrayEquals(new float[] {6, 7}, x.grad().toFloatArray());
    }

    @Test
    void aGradientSeenByAHookIsNeverKeptAsALeafGradient() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor k = Tensor.of(new float[] {2, 3}, 2);
        Tensor y = x.add(1);
        AtomicReference<Tensor> seen = new AtomicReference<>();
        y.gradNode().addGradHook(seen::set); // the hook keeps the very tensor add then hands on to x
        y.mul(k).sum().backward();
        x.mul(k).sum().backward();
        assertArrayEquals(new float[] {2, 3}, seen.get().toFloatArray());
        assertArrayEquals(new float[] {4, 6}, x.grad().toFloatArray());
    }

    @Test
    void aLinearLayersWeightGradientIsKeptWithoutACopyAndStillAccumulates() {
        Tensor x = Tensor.of(new float[][] {{1, 2}, {3, 4}});
        Tensor w = Tensor.of(new float[][] {{1, 0}, {0, 1}, {1, 1}}).requiresGrad(true);
        io.chainrule.nn.F.linear(x, w, null).sum().backward();
        assertArrayEquals(new float[] {4, 6, 4, 6, 4, 6}, w.grad().toFloatArray());
        io.chainrule.nn.F.linear(x, w, null).sum().backward();
        assertArrayEquals(new float[] {8, 12, 8, 12, 8, 12}, w.grad().toFloatArray());
    }
}
