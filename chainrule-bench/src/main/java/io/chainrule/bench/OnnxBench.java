package io.chainrule.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.nn.BatchNorm2d;
import io.chainrule.nn.Conv2d;
import io.chainrule.nn.Dropout;
import io.chainrule.nn.Flatten;
import io.chainrule.nn.Linear;
import io.chainrule.nn.MaxPool2d;
import io.chainrule.nn.Module;
import io.chainrule.nn.ReLU;
import io.chainrule.nn.Sequential;
import io.chainrule.onnx.Onnx;
import io.chainrule.tensor.Parallel;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The ONNX suite ({@code bench/run.sh onnx}): how long {@code Onnx.export} takes for the Fashion CNN of
 * chainrule-examples (conv-BN-ReLU-pool twice, dropout, two linear layers; 421,642 parameters), and ONNX Runtime's
 * inference time on the exported file next to chainrule's own forward of the same model, batch 1 and 64, one thread
 * each. Plain timing loops after a warm-up (mean and best of each loop); not JMH, because both sides run in one
 * process and the point is the ratio on one machine at one time.
 */
public final class OnnxBench {
    private OnnxBench() {}

    static Module fashionCnn() {
        return new Sequential(
                new Conv2d(1, 32, 3, 1, 1), new BatchNorm2d(32), new ReLU(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1), new BatchNorm2d(64), new ReLU(), new MaxPool2d(2),
                new Flatten(), new Dropout(0.25), new Linear(64 * 7 * 7, 128), new ReLU(), new Dropout(0.25),
                new Linear(128, 10));
    }

    /** Mean and best milliseconds of {@code n} runs. */
    record Timing(double mean, double best) {
        static Timing of(int warmup, int n, Runnable body) {
            for (int i = 0; i < warmup; i++) body.run();
            double sum = 0, best = Double.MAX_VALUE;
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                body.run();
                double ms = (System.nanoTime() - t0) / 1e6;
                sum += ms;
                best = Math.min(best, ms);
            }
            return new Timing(sum / n, best);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "mean %8.3f ms  best %8.3f ms", mean, best);
        }
    }

    public static void main(String[] args) throws Exception {
        Parallel.setThreads(1);
        Tensor.manualSeed(0);
        Module model = fashionCnn();
        model.train();
        try (var g = Autograd.noGrad()) {
            for (int i = 0; i < 3; i++) model.forward(Tensor.rand(32, 1, 28, 28)); // batch-norm statistics off 0 and 1
        }
        model.eval();
        Path dir = Files.createTempDirectory("chainrule-onnx-bench");
        Path file = dir.resolve("fashion_cnn.onnx");
        Tensor example = Tensor.rand(1, 1, 28, 28);

        long t0 = System.nanoTime();
        Onnx.export(model, example, file);
        double first = (System.nanoTime() - t0) / 1e6;
        Timing export = Timing.of(3, 10, () -> {
            try {
                Onnx.export(model, example, file);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        });

        System.out.println("ONNX suite: the Fashion CNN (chainrule-examples FashionCnn), 1 thread each side");
        System.out.println("JVM " + System.getProperty("java.vm.name") + " " + Runtime.version() + ", ONNX Runtime "
                + OrtEnvironment.getEnvironment().getVersion() + ", CPU flags: " + cpuFlags());
        System.out.printf(Locale.ROOT, "export (%,d bytes): first %.1f ms; then %s%n", Files.size(file), first, export);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR); // unused num_batches_tracked
        try (OrtSession session = env.createSession(file.toString(), options)) {
            for (int batch : new int[] {1, 64}) {
                Tensor x = Tensor.rand(batch, 1, 28, 28);
                long[] shape = {batch, 1, 28, 28};
                float[] data = x.toFloatArray();
                Supplier<float[]> ort = () -> {
                    try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(data), shape);
                         OrtSession.Result r = session.run(Map.of("input", in))) {
                        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        float[] out = new float[fb.remaining()];
                        fb.get(out);
                        return out;
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                };
                Tensor mine;
                try (var g = Autograd.noGrad()) {
                    mine = model.forward(x);
                }
                float[] theirs = ort.get(), ours = mine.toFloatArray();
                double diff = 0;
                for (int i = 0; i < ours.length; i++) diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));
                int n = batch == 1 ? 300 : 40;
                Timing c = Timing.of(n / 3, n, () -> {
                    try (var g = Autograd.noGrad()) {
                        model.forward(x);
                    }
                });
                Timing o = Timing.of(n / 3, n, ort::get);
                System.out.printf(Locale.ROOT, "batch %2d  chainrule %s | ONNX Runtime %s | chainrule / ORT %.2f (mean), "
                        + "%.2f (best); max |diff| %.2g%n", batch, c, o, c.mean() / o.mean(), c.best() / o.best(), diff);
            }
        }
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
    }

    /** The SIMD extensions the CPU reports (Linux: /proc/cpuinfo), as lscpu's flags line would show them. */
    private static String cpuFlags() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    String[] f = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
                    String simd = String.join(" ", Arrays.stream(f)
                            .filter(s -> s.equals("avx") || s.equals("avx2") || s.equals("fma") || s.startsWith("avx512"))
                            .toList());
                    return simd.isEmpty() ? "(no AVX)" : simd;
                }
            }
        } catch (java.io.IOException e) {
            return "(unknown: " + e.getMessage() + ")";
        }
        return "(unknown)";
    }
}
