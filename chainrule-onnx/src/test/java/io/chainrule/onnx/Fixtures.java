package io.chainrule.onnx;

import io.chainrule.Tensor;
import io.chainrule.io.Safetensors;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The import fixtures written by src/test/python/make_fixtures.py: NAME.onnx and NAME.safetensors. */
final class Fixtures {
    static final List<String> NAMES = List.of("mlp", "cnn", "conv1d", "embedding_lstm", "gru", "rnn2", "layernorm_gelu", "residual",
            "cnn_pools", "bidirectional", "gelu_tanh", "embedding_lstm_unfolded", "cnn_unfolded",
            "mlp_dynamo", "cnn_dynamo", "embedding_lstm_dynamo", "layernorm_gelu_dynamo", "gelu_tanh_dynamo");

    private Fixtures() {}

    static Path onnx(String name) {
        return resource(name + ".onnx");
    }

    /** input_1, output_1, input_5, output_5: PyTorch's inputs and outputs at batch sizes 1 and 5. */
    static Map<String, Tensor> data(String name) throws IOException {
        return Safetensors.load(resource(name + ".safetensors"));
    }

    private static Path resource(String file) {
        try {
            var url = Fixtures.class.getResource("/onnx/" + file);
            if (url == null) throw new IllegalStateException("missing test resource onnx/" + file);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The largest |a − b|; the shapes must agree. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new AssertionError("shape " + java.util.Arrays.toString(a.shape()) + " vs " + java.util.Arrays.toString(b.shape()));
        }
        double[] x = a.toDoubleArray(), y = b.toDoubleArray();
        double worst = 0;
        for (int i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
        return worst;
    }
}
