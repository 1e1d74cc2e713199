package io.chainrule.bench;

import io.chainrule.Tensor;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.LSTM;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.Module;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The models and inputs the benchmarks share. Every implementation starts from the same numbers: chainrule builds
 * the model with its default (PyTorch-style) init from a fixed seed, and libtorch and the hand-written step copy
 * those parameters, so the {@link SanityCheck} can compare losses step by step.
 */
final class Workloads {
    /** The MLP of the MLP-step and epoch benchmarks. */
    static final int[] MLP = {784, 256, 128, 10};
    /** The tiny MLP of the overhead benchmark. */
    static final int[] TINY_MLP = {16, 16, 10};
    /** Conv benchmark input: [batch, 1, 28, 28]. */
    static final int CONV_BATCH = 64;
    /** CNN training-step benchmark: batch of [1, 28, 28] images. */
    static final int CNN_BATCH = 64;
    /** LSTM benchmark: batch, sequence length, input size, hidden size. */
    static final int LSTM_BATCH = 64, LSTM_SEQ = 28, LSTM_INPUT = 28, LSTM_HIDDEN = 128;

    private Workloads() {}

    /** A parameter copied out of a chainrule module: PyTorch name, row-major values, shape. */
    record Param(String name, float[] data, int[] shape) {}

    /** Linear(sizes[0], sizes[1]), ReLU, ..., Linear(sizes[n-2], sizes[n-1]): no ReLU after the last layer. */
    static Sequential mlp(int... sizes) {
        Tensor.manualSeed(0);
        Sequential model = new Sequential();
        for (int l = 0; l + 1 < sizes.length; l++) {
            model.add(new Linear(sizes[l], sizes[l + 1]));
            if (l + 2 < sizes.length) model.add(new ReLU());
        }
        return model;
    }

    /** Conv2d(1, 32, 3, padding 1), then Conv2d(32, 64, 3) (the ReLU between them has no parameters). */
    static List<Conv2d> convs() {
        Tensor.manualSeed(0);
        return List.of(new Conv2d(1, 32, 3, 1, 1), new Conv2d(32, 64, 3));
    }

    /**
     * The examples' Fashion CNN ({@code io.chainrule.examples.FashionCnn}): two blocks Conv2d(3, padding 1), BatchNorm2d,
     * ReLU, MaxPool2d(2) with 32 and 64 channels, then Flatten, Dropout(0.25), Linear(3136, 128), ReLU, Dropout(0.25),
     * Linear(128, 10). Parameters in order: conv, BN, conv, BN, linear, linear (weight, then bias).
     */
    static Sequential cnn() {
        Tensor.manualSeed(0);
        return new Sequential(
                new Conv2d(1, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25), new Linear(64 * 7 * 7, 128), new ReLU(), new Dropout(0.25),
                new Linear(128, 10));
    }

    /** LSTM(28, 128), one layer, batch first. */
    static LSTM lstm() {
        Tensor.manualSeed(0);
        return new LSTM(LSTM_INPUT, LSTM_HIDDEN, 1, true);
    }

    /** The module's parameters in {@link Module#parameters()} order, copied out as floats. */
    static List<Param> params(Module... modules) {
        return params(List.of(modules));
    }

    /** The modules' parameters, module by module, each in {@link Module#parameters()} order. */
    static List<Param> params(List<? extends Module> modules) {
        List<Param> out = new ArrayList<>();
        for (Module m : modules) {
            for (Map.Entry<String, Tensor> e : m.namedParameters().entrySet()) {
                Tensor t = e.getValue();
                out.add(new Param(e.getKey(), t.toFloatArray(), t.shape()));
            }
        }
        return out;
    }

    /** {@code n} standard-normal floats from a fixed seed. */
    static float[] randn(int n, long seed) {
        Random r = new Random(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) r.nextGaussian();
        return out;
    }

    /** {@code n} class labels in [0, classes) from a fixed seed. */
    static long[] labels(int n, int classes, long seed) {
        Random r = new Random(seed);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = r.nextInt(classes);
        return out;
    }
}
