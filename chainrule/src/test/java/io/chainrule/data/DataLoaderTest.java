package io.chainrule.data;

import io.chainrule.Generator;
import io.chainrule.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

import static org.junit.jupiter.api.Assertions.*;

class DataLoaderTest {
    /** x row i is (i, 10 i), y is i: every batch tells which examples it holds. */
    private static TensorDataset numbered(int n) {
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y));
    }

    /** The example ids of one epoch, batch by batch, checking that x and y agree. */
    private static List<long[]> epoch(DataLoader loader) {
        List<long[]> out = new ArrayList<>();
        for (Batch b : loader) {
            long[] ids = b.y().toLongArray();
            float[] x = b.x().toFloatArray();
            for (int k = 0; k < ids.length; k++) {
                assertEquals(ids[k], x[2 * k], "x row matches its label");
                assertEquals(10 * ids[k], x[2 * k + 1]);
            }
            out.add(ids);
        }
        return out;
    }

    private static long[] flat(List<long[]> batches) {
        return batches.stream().flatMapToLong(Arrays::stream).toArray();
    }

    private static int[] sizes(List<long[]> batches) {
        return batches.stream().mapToInt(b -> b.length).toArray();
    }

    @Test
    void inOrderWithoutShuffle() {
        DataLoader loader = new DataLoader(numbered(10), 4);
        List<long[]> batches = epoch(loader);
        assertArrayEquals(new int[] {4, 4, 2}, sizes(batches));
        assertArrayEquals(new long[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, flat(batches));
        assertEquals(3, loader.numBatches());
    }

    @Test
    void shuffledEpochHoldsEveryExampleOnce() {
        DataLoader loader = new DataLoader(numbered(103), 10).shuffle(true).generator(new Generator(7));
        for (int e = 0; e < 3; e++) {
            List<long[]> batches = epoch(loader);
            assertEquals(11, batches.size());
            assertEquals(3, batches.get(10).length);
            long[] ids = flat(batches);
            long[] sorted = ids.clone();
            Arrays.sort(sorted);
            for (int i = 0; i < 103; i++) assertEquals(i, sorted[i], "example " + i + " exactly once");
        }
    }

    @Test
    void dropLastDropsTheShortBatch() {
        DataLoader loader = new DataLoader(numbered(10), 4).dropLast(true);
        assertArrayEquals(new int[] {4, 4}, sizes(epoch(loader)));
        assertEquals(2, loader.numBatches());
        loader.shuffle(true).generator(new Generator(3));
        List<long[]> batches = epoch(loader);
        assertArrayEquals(new int[] {4, 4}, sizes(batches));
        assertEquals(8, Arrays.stream(flat(batches)).distinct().count());
        // Exact multiple: nothing dropped.
        assertArrayEquals(new int[] {5, 5}, sizes(epoch(new DataLoader(numbered(10), 5).dropLast(true))));
        // Fewer examples than a batch: no batch at all.
        assertEquals(0, epoch(new DataLoader(numbered(3), 4).dropLast(true)).size());
    }

    @Test
    void sameSeedSameOrderAndEpochsDiffer() {
        DataLoader a = new DataLoader(numbered(50), 8).shuffle(true).generator(new Generator(42));
        DataLoader b = new DataLoader(numbered(50), 8).shuffle(true).generator(new Generator(42));
        long[] a1 = flat(epoch(a)), a2 = flat(epoch(a));
        long[] b1 = flat(epoch(b)), b2 = flat(epoch(b));
        assertArrayEquals(a1, b1);
        assertArrayEquals(a2, b2);
        assertFalse(Arrays.equals(a1, a2), "a new epoch draws a new permutation");
        long[] other = flat(epoch(new DataLoader(numbered(50), 8).shuffle(true).generator(new Generator(43))));
        assertFalse(Arrays.equals(a1, other));
        long[] inOrder = new long[50];
        for (int i = 0; i < 50; i++) inOrder[i] = i;
        assertFalse(Arrays.equals(a1, inOrder), "shuffled");
    }

    @Test
    void permutationIsFisherYatesFromTheGenerator() {
        // The first epoch's order is the Fisher–Yates shuffle driven by the generator's nextInt draws.
        int[] expected = {0, 1, 2, 3, 4, 5};
        Generator g = new Generator(5);
        for (int i = 5; i > 0; i--) {
            int j = g.nextInt(i + 1);
            int t = expected[i];
            expected[i] = expected[j];
            expected[j] = t;
        }
        long[] got = flat(epoch(new DataLoader(numbered(6), 4).shuffle(true).generator(new Generator(5))));
        assertArrayEquals(Arrays.stream(expected).asLongStream().toArray(), got);
    }

    @Test
    void defaultGeneratorFollowsManualSeed() {
        Tensor.manualSeed(11);
        long[] first = flat(epoch(new DataLoader(numbered(30), 7).shuffle(true)));
        Tensor.manualSeed(11);
        long[] again = flat(epoch(new DataLoader(numbered(30), 7).shuffle(true)));
        assertArrayEquals(first, again);
    }

    @Test
    void firstPermutationIsUniformish() {
        // Position of example 0 after shuffling 4 items, over 4000 epochs: each of 4 places about 1000 times.
        DataLoader loader = new DataLoader(numbered(4), 4).shuffle(true).generator(new Generator(1));
        int[] counts = new int[4];
        for (int e = 0; e < 4000; e++) {
            long[] ids = flat(epoch(loader));
            for (int k = 0; k < 4; k++) if (ids[k] == 0) counts[k]++;
        }
        for (int c : counts) assertTrue(c > 880 && c < 1120, Arrays.toString(counts)); // ±4.4 sigma
    }

    @Test
    void transformIsApplied() {
        DataLoader loader = new DataLoader(numbered(5), 2)
                .transform(b -> new Batch(b.x().mul(2), b.y().add(100)));
        List<Batch> batches = new ArrayList<>();
        loader.forEach(batches::add);
        assertEquals(3, batches.size());
        assertArrayEquals(new float[] {0, 0, 2, 20}, batches.get(0).x().toFloatArray());
        assertArrayEquals(new long[] {100, 101}, batches.get(0).y().toLongArray());
        assertArrayEquals(new float[] {8, 80}, batches.get(2).x().toFloatArray());
    }

    @Test
    void batchesAreCopiesNotViews() {
        TensorDataset ds = numbered(4);
        for (Batch b : new DataLoader(ds, 2)) b.x().fill(-1);
        assertEquals(3f, ds.x().get(3, 0), "writing into a batch leaves the dataset alone");
    }

    @Test
    void genericDatasetIsStacked() {
        Dataset squares = new Dataset() {
            @Override public int size() { return 5; }
            @Override public Example get(int i) {
                return new Example(Tensor.of(new float[] {i, i * i}), Tensor.scalar(i, io.chainrule.DType.INT64));
            }
        };
        List<Batch> batches = new ArrayList<>();
        new DataLoader(squares, 3).forEach(batches::add);
        assertEquals(2, batches.size());
        assertArrayEquals(new int[] {3, 2}, batches.get(0).x().shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 2, 4}, batches.get(0).x().toFloatArray());
        assertArrayEquals(new long[] {0, 1, 2}, batches.get(0).y().toLongArray());
        assertArrayEquals(new long[] {3, 4}, batches.get(1).y().toLongArray());
        assertEquals(2, batches.get(1).size());
    }

    @Test
    void tensorDatasetViewsAndChecks() {
        TensorDataset ds = numbered(3);
        Example e = ds.get(2);
        assertArrayEquals(new float[] {2, 20}, e.x().toFloatArray());
        assertEquals(2.0, e.y().item());
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertTrue(ex.getMessage().contains("[3, 2]") && ex.getMessage().contains("[4]"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ds.get(3));
        assertThrows(IllegalArgumentException.class, () -> new DataLoader(ds, 0));
    }

    @Test
    void iteratorEndsCleanly() {
        Iterator<Batch> it = new DataLoader(numbered(2), 2).iterator();
        assertTrue(it.hasNext());
        it.next();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);
        assertFalse(new DataLoader(new TensorDataset(Tensor.zeros(0, 2), Tensor.zeros(0)), 3).iterator().hasNext());
    }
}
