package io.chainrule.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Arrays;
import java.util.function.DoubleSupplier;

/**
 * Proves the benchmarks measure real training steps: each workload runs a few steps through the benchmark classes'
 * own code, from the same parameters and inputs, and the losses of chainrule, libtorch and the hand-written step must
 * agree (and fall). Prints the losses; exits 1 on a mismatch. Run with {@code bench/run.sh check}.
 */
public final class SanityCheck {
    private static boolean failed;

    private SanityCheck() {}

    public static void main(String[] args) throws Exception {
        mlp();
        overhead();
        conv();
        lstm();
        epoch();
        if (failed) System.exit(1);
        System.out.println("sanity check passed");
    }

    private static void mlp() {
        ChainruleMlpBench c = new ChainruleMlpBench();
        TorchMlpBench t = new TorchMlpBench();
        HandMlpBench h = new HandMlpBench();
        c.batch = t.batch = h.batch = 32;
        c.threads = t.threads = h.threads = 1;
        c.setup();
        t.setup();
        h.setup();
        float[][] losses = sixSteps(() -> c.step().item(), () -> t.mlp.step(t.x, t.y, true), h::step);
        t.tearDown();
        report("MLP 784-256-128-10 SGD, batch 32", losses, 1e-4);
    }

    private static void overhead() {
        ChainruleOverheadBench c = new ChainruleOverheadBench();
        TorchOverheadBench t = new TorchOverheadBench();
        HandOverheadBench h = new HandOverheadBench();
        c.setup();
        t.setup();
        h.setup();
        boolean cRecords = c.add().requiresGrad();
        t.recording = Engine.getInstance().newGradientCollector();
        boolean tRecords;
        try (NDArray sum = t.a.add(t.b)) {
            // A recorded result has a grad_fn (DJL's hasGradient() and requiresGrad answer other questions).
            tRecords = JniUtils.getGradientFunctionNames((PtNDArray) sum).contains("AddBackward");
        }
        t.closeRecording();
        System.out.printf("1x1 add records a graph node: chainrule %b, libtorch %b%n", cRecords, tRecords);
        failed |= !cRecords || !tRecords;
        float[][] losses = sixSteps(() -> c.step().item(), () -> t.mlp.step(t.x, t.y, true), h::step);
        t.tearDown();
        report("MLP 16-16-10 SGD, batch 1", losses, 1e-4);
    }

    private static void conv() {
        ChainruleConvBench c = new ChainruleConvBench();
        TorchConvBench t = new TorchConvBench();
        c.threads = t.threads = 1;
        c.setup();
        t.setup();
        float cLoss = (float) c.step().item();
        float cGrad = (float) c.conv1.namedParameters().get("weight").grad().sum().item();
        float[] seen = t.run(true);
        float[] again = t.run(true); // gradients were zeroed between steps: the same again
        t.tearDown();
        compare("conv forward+backward: loss, sum of conv1 weight grad", new float[] {cLoss, cGrad}, seen, again);
    }

    private static void lstm() {
        ChainruleLstmBench c = new ChainruleLstmBench();
        TorchLstmBench t = new TorchLstmBench();
        c.threads = t.threads = 1;
        c.setup();
        t.setup();
        float cLoss = (float) c.step().item();
        float cGrad = (float) c.lstm.namedParameters().get("weight_ih_l0").grad().sum().item();
        float[] seen = t.run(true);
        float[] again = t.run(true);
        t.tearDown();
        compare("LSTM forward+backward: loss, sum of weight_ih grad", new float[] {cLoss, cGrad}, seen, again);
    }

    /**
     * Adam on Fashion-MNIST: the two sides shuffle differently, so their losses cannot match step by step; both must
     * fall from ln 10 ≈ 2.3 to the same level within 150 batches.
     */
    private static void epoch() throws Exception {
        ChainruleEpochBench c = new ChainruleEpochBench();
        TorchEpochBench t = new TorchEpochBench();
        c.threads = t.threads = 1;
        c.setup();
        t.setup();
        double[] first = {c.train(100), t.train(100)};
        double[] next = {c.train(50), t.train(50)};
        t.tearDown();
        System.out.printf("Fashion-MNIST MLP, Adam, batch 128: mean loss of batches 1-100, then of 50 more%n"
                + "  chainrule  %.4f, %.4f%n  libtorch   %.4f, %.4f%n", first[0], next[0], first[1], next[1]);
        boolean ok = next[0] < 0.8 && next[1] < 0.8 && Math.abs(next[0] - next[1]) < 0.1;
        System.out.println(ok ? "  OK" : "  MISMATCH (or the loss did not fall)");
        failed |= !ok;
    }

    /** chainrule's numbers against libtorch's two runs, within 1e-3 relative. */
    private static void compare(String what, float[] chainrule, float[] torch, float[] torchAgain) {
        System.out.printf("%s%n  chainrule  %s%n  libtorch   %s, again %s%n", what, Arrays.toString(chainrule),
                Arrays.toString(torch), Arrays.toString(torchAgain));
        boolean ok = true;
        for (int i = 0; i < chainrule.length; i++) {
            double tol = 1e-3 * Math.max(1, Math.abs(chainrule[i]));
            ok &= Math.abs(chainrule[i] - torch[i]) <= tol && Math.abs(chainrule[i] - torchAgain[i]) <= tol;
        }
        System.out.println(ok ? "  OK" : "  MISMATCH");
        failed |= !ok;
    }

    /** Rows: chainrule, libtorch, hand (optional); each must fall and match chainrule within {@code tol} relative. */
    /** The losses of six training steps of each side (chainrule, libtorch, hand), side by side. */
    private static float[][] sixSteps(DoubleSupplier... sides) {
        float[][] losses = new float[sides.length][6];
        for (int s = 0; s < 6; s++) {
            for (int i = 0; i < sides.length; i++) losses[i][s] = (float) sides[i].getAsDouble();
        }
        return losses;
    }

    private static void report(String what, float[][] losses, double tol) {
        String[] names = {"chainrule", "libtorch", "hand"};
        System.out.println(what + ": loss per step");
        for (int i = 0; i < losses.length; i++) {
            System.out.printf("  %-10s %s%n", names[i], Arrays.toString(losses[i]));
        }
        float[] ref = losses[0];
        boolean ok = ref[ref.length - 1] < ref[0];
        for (float[] row : losses) {
            for (int s = 0; s < row.length; s++) ok &= Math.abs(row[s] - ref[s]) <= tol * Math.max(1, Math.abs(ref[s]));
        }
        System.out.println(ok ? "  OK" : "  MISMATCH (or the loss did not fall)");
        failed |= !ok;
    }
}
