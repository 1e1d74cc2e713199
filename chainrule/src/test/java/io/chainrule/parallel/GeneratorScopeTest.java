package io.chainrule.parallel;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Generator.asThreadDefault: a per-thread default stream, so concurrent tasks draw reproducible numbers. */
class GeneratorScopeTest {
    @Test
    void aScopedGeneratorFeedsTheDefaultDrawsOfItsThreadOnly() throws Exception {
        float[] expected = Tensor.rand(new Generator(5), 1000).toFloatArray();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] f = new Future<?>[8];
            for (int k = 0; k < f.length; k++) {
                f[k] = pool.submit(() -> {
                    for (int r = 0; r < 20; r++) {
                        try (var s = new Generator(5).asThreadDefault()) {
                            assertArrayEquals(expected, Tensor.rand(1000).toFloatArray());
                        }
                    }
                });
            }
            for (Future<?> x : f) x.get();
        } finally {
            pool.shutdown();
        }
        Tensor.manualSeed(5);
        float[] process = Tensor.rand(1000).toFloatArray();
        assertArrayEquals(expected, process, "outside a scope the process-wide generator is used");
        try (var outer = new Generator(1).asThreadDefault()) {
            try (var inner = new Generator(5).asThreadDefault()) {
                assertArrayEquals(expected, Tensor.rand(1000).toFloatArray());
            }
            assertFalse(java.util.Arrays.equals(expected, Tensor.rand(1000).toFloatArray()), "the outer scope is back");
        }
    }
}
