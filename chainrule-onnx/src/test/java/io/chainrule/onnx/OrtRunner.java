package io.chainrule.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.chainrule.DType;
import io.chainrule.Tensor;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Runs an ONNX file in ONNX Runtime (the reference) on one chainrule tensor; one thread, so results are repeatable. */
final class OrtRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtRunner(Path file) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(1);
        options.setInterOpNumThreads(1);
        // the unused num_batches_tracked initializers are kept on purpose (the state dict maps one to one)
        options.setSessionLogLevel(ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR);
        session = env.createSession(file.toString(), options);
    }

    /** The graph's output for {@code input} (FLOAT32, FLOAT64 or INT64), as a tensor of the output's type and shape. */
    Tensor run(Tensor input) throws OrtException {
        long[] shape = Arrays.stream(input.shape()).asLongStream().toArray();
        try (OnnxTensor in = input.dtype() == DType.INT64
                ? OnnxTensor.createTensor(env, LongBuffer.wrap(input.toLongArray()), shape)
                : input.dtype() == DType.FLOAT64
                ? OnnxTensor.createTensor(env, DoubleBuffer.wrap(input.toDoubleArray()), shape)
                : OnnxTensor.createTensor(env, FloatBuffer.wrap(input.toFloatArray()), shape);
             OrtSession.Result result = session.run(Map.of("input", in))) {
            OnnxTensor out = (OnnxTensor) result.get(0);
            int[] outShape = Arrays.stream(out.getInfo().getShape()).mapToInt(Math::toIntExact).toArray();
            if (out.getInfo().type == ai.onnxruntime.OnnxJavaType.DOUBLE) {
                DoubleBuffer db = out.getDoubleBuffer();
                double[] values = new double[db.remaining()];
                db.get(values);
                return Tensor.of(values, outShape);
            }
            FloatBuffer fb = out.getFloatBuffer();
            float[] values = new float[fb.remaining()];
            fb.get(values);
            return Tensor.of(values, outShape);
        }
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
