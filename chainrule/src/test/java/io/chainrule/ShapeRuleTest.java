package io.chainrule;

import io.chainrule.tensor.Shapes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The one shape rule (Shapes.check): at most 64 dimensions and 2³¹ − 9 elements, counted independently of the order
 * of the sizes, enforced wherever a shape is made, with the same text every time after the op's name.
 */
class ShapeRuleTest {
    private static final int BIG = 1 << 16;

    private static String fails(Executable call, String op, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        String m = e.getMessage();
        assertTrue(m.startsWith(op + ": "), "names the op " + op + ": " + m);
        for (String p : parts) assertTrue(m.contains(p), "message lacks '" + p + "': " + m);
        return m;
    }

    private static int[] ones(int rank) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        return s;
    }

    @Test
    void elementCountDoesNotDependOnTheOrderOfSizes() {
        for (int[] shape : new int[][] {{BIG, BIG, 0}, {0, BIG, BIG}, {BIG, 0, BIG}}) {
            Tensor t = Tensor.zeros(shape);
            assertEquals(0, t.numel(), Arrays.toString(shape));
            assertEquals(0.0, t.sum().item());
            assertEquals("tensor([], shape=" + Arrays.toString(shape) + ", dtype=float32)", t.toString());
        }
        // the same rule for too many elements, whatever the order
        String a = fails(() -> Tensor.zeros(BIG, BIG, 2), "zeros", "8589934592 elements", "2147483639");
        String b = fails(() -> Tensor.zeros(2, BIG, BIG), "zeros", "8589934592 elements", "2147483639");
        assertEquals(a.replace("[65536, 65536, 2]", "S"), b.replace("[2, 65536, 65536]", "S"));
    }

    @Test
    void viewsAndBroadcastsCannotMakeUncountableTensors() {
        fails(() -> Tensor.randn(1).expand(BIG, BIG), "expand", "[65536, 65536]", "4294967296 elements");
        fails(() -> Tensor.randn(1, 1).broadcastTo(BIG, BIG), "broadcastTo", "4294967296 elements");
        // [n, 1] + [1, n] would hold n² elements: refused before allocating, naming the op
        fails(() -> Tensor.zeros(BIG, 1).add(Tensor.zeros(1, BIG)), "add", "4294967296 elements");
        fails(() -> Tensor.zeros(BIG, 1).matmul(Tensor.zeros(1, BIG)), "matmul", "4294967296 elements");
        Tensor third = Tensor.zeros(1, 1).expand(1 << 29, 2);
        fails(() -> Tensor.cat(List.of(third, third, third), 0), "cat", "3221225472 elements");
        // still fine: a large view that can be counted
        Tensor v = Tensor.randn(1).expand(1 << 15, 1 << 15);
        assertEquals(1 << 30, v.numel());
    }

    @Test
    void rankIsLimitedTo64Everywhere() {
        Tensor t64 = Tensor.zeros(ones(64));
        assertEquals(64, t64.dim());
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> assertTrue(t64.toString().startsWith("tensor([[[[")));
        String text = "has too many dimensions: 65, more than the 64 a tensor can have";
        fails(() -> Tensor.zeros(ones(65)), "zeros", text);
        fails(() -> Tensor.ones(ones(65)), "full", text);
        fails(() -> Tensor.randn(ones(65)), "randn", text);
        fails(() -> Tensor.of(new float[] {1}, ones(65)), "Tensor.of", text);
        fails(() -> t64.unsqueeze(0), "unsqueeze", text);
        fails(() -> Tensor.zeros(1).reshape(ones(65)), "reshape", text);
        fails(() -> Tensor.zeros(1).view(ones(65)), "view", text);
        fails(() -> Tensor.zeros(1).expand(ones(65)), "expand", text);
        fails(() -> Tensor.stack(List.of(t64, t64), 0), "unsqueeze", text);
        // 10,000 dimensions: a clear error, not a stack overflow, and a message of readable length
        String m = fails(() -> Tensor.zeros(ones(10_000)), "zeros", "10000", "too many dimensions");
        assertTrue(m.length() < 200, m);
    }

    @Test
    void negativeSizesAndNullShapes() {
        fails(() -> Tensor.zeros(2, -3), "zeros", "negative size -3 at dimension 1");
        fails(() -> Tensor.zeros((int[]) null), "zeros", "null");
    }

    @Test
    void problemTextIsWhatReadersReport() {
        assertEquals(null, Shapes.problem(new long[] {BIG, BIG, 0}));
        assertTrue(Shapes.problem(new long[] {1L << 40}).contains("too large"));
        assertTrue(Shapes.problem(new long[] {BIG, BIG}).contains("4294967296 elements"));
        assertArrayEquals(new int[] {0, 5}, Tensor.zeros(0, 5).shape());
    }

    @Test
    void nullArgumentsOfCreationFunctionsNameTheOp() {
        fails(() -> Tensor.of((float[]) null), "Tensor.of", "null");
        fails(() -> Tensor.of((double[]) null, 2), "Tensor.of", "null");
        fails(() -> Tensor.of((long[]) null), "Tensor.of", "null");
        fails(() -> Tensor.of((boolean[]) null), "Tensor.of", "null");
        fails(() -> Tensor.of((float[][]) null), "Tensor.of", "null");
        fails(() -> Tensor.of((double[][]) null), "Tensor.of", "null");
        fails(() -> Tensor.of(new double[][] {{1}, null}), "Tensor.of", "row 1 is null");
        fails(() -> Tensor.zeros((DType) null, 2), "zeros", "dtype");
        fails(() -> Tensor.full(null, 1.0, 2), "full", "dtype");
        fails(() -> Tensor.randn((Generator) null, 2), "randn", "generator");
        fails(() -> Tensor.rand((Generator) null, 2), "rand", "generator");
        fails(() -> Tensor.randint(null, 0, 2, 2), "randint", "generator");
    }
}
