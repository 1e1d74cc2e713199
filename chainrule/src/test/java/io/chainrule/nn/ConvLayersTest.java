package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Convolution, pooling and embedding layers: PyTorch's names, shapes, default init and printing. */
class ConvLayersTest {
    /** The state dict holds exactly these names, in this order, with these shapes: name, shape, name, shape, ... */
    private static void assertState(Module m, Object... nameShape) {
        Map<String, Tensor> state = m.stateDict();
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < nameShape.length; i += 2) {
            String k = (String) nameShape[i];
            names.add(k);
            assertArrayEquals((int[]) nameShape[i + 1], state.get(k).shape(), k);
        }
        assertEquals(names, List.copyOf(state.keySet()));
    }

    @Test
    void stateDictNamesAndShapesArePyTorchs() {
        assertState(new Conv2d(3, 8, 3), "weight", new int[] {8, 3, 3, 3}, "bias", new int[] {8});
        assertState(new Conv2d(4, 6, new int[] {3, 2}, new int[] {1}, new int[] {1, 0}, new int[] {1}, 2, false),
                "weight", new int[] {6, 2, 3, 2});
        assertState(new Conv1d(3, 4, 5, 2, 1), "weight", new int[] {4, 3, 5}, "bias", new int[] {4});
        assertState(new Embedding(10, 4), "weight", new int[] {10, 4});
        assertTrue(new MaxPool2d(2).stateDict().isEmpty());
        assertTrue(new AvgPool2d(2).stateDict().isEmpty());
        assertTrue(new AdaptiveAvgPool2d(1, 1).stateDict().isEmpty());
    }

    @Test
    void defaultInitIsUniformInOneOverSqrtFanIn() {
        Tensor.manualSeed(0);
        Conv2d conv = new Conv2d(4, 16, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {1}, 2, true);
        double bound = 1 / Math.sqrt(2 * 3 * 3); // fan_in = in/groups·kH·kW = 18
        Tensor w = conv.namedParameters().get("weight"), b = conv.namedParameters().get("bias");
        assertTrue(w.abs().max().item() <= bound);
        assertTrue(w.abs().max().item() > 0.9 * bound, "288 uniform draws should come near the bound");
        assertTrue(b.abs().max().item() <= bound);
        assertEquals(0.0, w.mean().item(), 0.15 * bound); // the mean of 288 draws has std bound/√(3·288) ≈ 0.034·bound
        assertTrue(w.requiresGrad() && w.isLeaf());
        Conv1d c1 = new Conv1d(5, 3, 4);
        assertTrue(c1.namedParameters().get("weight").abs().max().item() <= 1 / Math.sqrt(20));
        // Embedding weights are standard normal.
        Tensor e = new Embedding(100, 20).namedParameters().get("weight");
        assertEquals(0.0, e.mean().item(), 0.1);
        assertEquals(1.0, e.std().item(), 0.1);
    }

    @Test
    void printsLikePyTorch() {
        assertEquals("Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))", new Conv2d(1, 32, 3, 1, 1).toString());
        assertEquals("Conv2d(4, 6, kernel_size=(3, 2), stride=(2, 2), dilation=(2, 1), groups=2, bias=False)",
                new Conv2d(4, 6, new int[] {3, 2}, new int[] {2}, new int[] {0}, new int[] {2, 1}, 2, false).toString());
        assertEquals("Conv1d(3, 4, kernel_size=(3,), stride=(1,))", new Conv1d(3, 4, 3).toString());
        assertEquals("Conv1d(3, 4, kernel_size=(3,), stride=(2,), padding=(1,))", new Conv1d(3, 4, 3, 2, 1).toString());
        assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2).toString());
        assertEquals("AvgPool2d(kernel_size=3, stride=2, padding=1)", new AvgPool2d(3, 2, 1).toString());
        assertEquals("AdaptiveAvgPool2d(output_size=(3, 4))", new AdaptiveAvgPool2d(3, 4).toString());
        assertEquals("Embedding(5, 3)", new Embedding(5, 3).toString());
        assertEquals("BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", new BatchNorm2d(3).toString());
        assertEquals("BatchNorm1d(7, eps=0.001, momentum=0.01, affine=True, track_running_stats=True)",
                new BatchNorm1d(7, 1e-3, 0.01).toString());
    }

    @Test
    void pythonFloatRepr() {
        assertEquals("1e-05", DefaultInit.pyFloat(1e-5));
        assertEquals("0.0001", DefaultInit.pyFloat(1e-4));
        assertEquals("0.1", DefaultInit.pyFloat(0.1));
        assertEquals("1.0", DefaultInit.pyFloat(1));
        assertEquals("2.5e-07", DefaultInit.pyFloat(2.5e-7));
        assertEquals("1e+16", DefaultInit.pyFloat(1e16));
    }

    @Test
    void layersComputeWhatTheFunctionsDo() {
        Generator gen = new Generator(3);
        Tensor x = Tensor.randn(gen, 2, 3, 8, 8);
        Conv2d conv = new Conv2d(3, 4, 3, 2, 1);
        Tensor expected = Convolutions.conv2d(x, conv.namedParameters().get("weight"), conv.namedParameters().get("bias"), 2, 1);
        assertArrayEquals(expected.toFloatArray(), conv.forward(x).toFloatArray(), 0f);
        assertArrayEquals(new int[] {2, 4, 4, 4}, conv.forward(x).shape());
        assertArrayEquals(Convolutions.maxPool2d(x, 2, 2, 0).toFloatArray(), new MaxPool2d(2).forward(x).toFloatArray(), 0f);
        assertArrayEquals(Convolutions.maxPool2d(x, 3, 2, 1).toFloatArray(), new MaxPool2d(3, 2, 1).forward(x).toFloatArray(), 0f);
        assertArrayEquals(Convolutions.avgPool2d(x, 2, 2, 0).toFloatArray(), new AvgPool2d(2).forward(x).toFloatArray(), 0f);
        assertArrayEquals(new int[] {2, 3, 3, 4}, new AdaptiveAvgPool2d(3, 4).forward(x).shape());
        Tensor seq = Tensor.randn(gen, 2, 3, 10);
        Conv1d c1 = new Conv1d(3, 5, 3, 1, 1);
        assertArrayEquals(new int[] {2, 5, 10}, c1.forward(seq).shape());
        Embedding emb = new Embedding(7, 4);
        Tensor rows = emb.forward(Tensor.of(new long[] {6, 0}));
        assertEquals(emb.namedParameters().get("weight").get(6, 2), rows.get(0, 2), 0);
    }

    @Test
    void aSmallCnnTrainsEndToEnd() {
        Tensor.manualSeed(1);
        Module net = new Sequence(new Conv2d(1, 4, 3, 1, 1), new BatchNorm2d(4), new MaxPool2d(2), new Conv2d(4, 2, 3),
                new AdaptiveAvgPool2d(1, 1));
        Tensor x = Tensor.randn(3, 1, 8, 8);
        Tensor y = net.forward(x);
        assertArrayEquals(new int[] {3, 2, 1, 1}, y.shape());
        y.square().sum().backward();
        for (Map.Entry<String, Tensor> p : net.namedParameters().entrySet()) {
            assertNotNull(p.getValue().grad(), p.getKey());
            assertTrue(p.getValue().grad().abs().sum().item() > 0, p.getKey());
        }
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                "1.num_batches_tracked", "3.weight", "3.bias"), List.copyOf(net.stateDict().keySet()));
        net.to(DType.FLOAT64);
        assertEquals(DType.FLOAT64, net.forward(x.to(DType.FLOAT64)).dtype());
    }

    @Test
    void layersRejectBadConfigurations() {
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {1}, 2, true));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> new Conv1d(3, 4, 3, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(0));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new Embedding(0, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3).forward(Tensor.zeros(1, 2, 5, 5)));
        assertTrue(e.getMessage().startsWith("conv2d:"), e.getMessage());
    }

    /** A minimal container for the test (Sequential belongs to another part of nn). */
    private static final class Sequence extends Module {
        private final Module[] layers;

        Sequence(Module... layers) {
            this.layers = layers;
            for (int i = 0; i < layers.length; i++) register(String.valueOf(i), layers[i]);
        }

        @Override
        public Tensor forward(Tensor x) {
            for (Module m : layers) x = m.forward(x);
            return x;
        }
    }
}
