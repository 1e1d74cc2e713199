package io.chainrule.cli.live;

import io.chainrule.cli.tensorboard.Histogram;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The page data's thinning, and histograms of awkward tensors. */
class ThinnedTest {
    @Test
    void keepsAnEvenSampleAndTheNewest() {
        Thinned<Integer> t = new Thinned<>(4);
        for (int i = 0; i < 5; i++) t.add(i);
        // 5 entries over a cap of 4: every second one stays (0, 2, 4), and from now on every second one offered
        assertEquals(List.of(0, 2, 4), t.items());
        t.add(5);
        assertEquals(List.of(0, 2, 4, 5), t.items()); // 5 is skipped by the stride but shown as the newest
        t.add(6);
        assertEquals(List.of(0, 2, 4, 6), t.items());
        for (int i = 7; i < 100; i++) t.add(i);
        List<Integer> items = t.items();
        assertEquals(0, items.get(0));
        assertEquals(99, items.get(items.size() - 1));
        assertEquals(List.of(0, 32, 64, 96, 99), items); // kept every 32nd (even spacing), then the newest
        assertThrows(IllegalArgumentException.class, () -> new Thinned<>(1));
    }

    @Test
    void histogramsOfConstantAndNonFiniteValues() {
        Histogram c = Histogram.of(new float[] {2, 2, 2});
        assertArrayEquals(new double[] {2}, c.limits());
        assertArrayEquals(new double[] {3}, c.counts());
        Histogram n = Histogram.of(new float[] {Float.NaN, 1, 3, Float.POSITIVE_INFINITY});
        assertEquals(2, n.count()); // NaN and infinity have no bucket
        assertEquals(1, n.min());
        assertEquals(3, n.max());
        assertEquals(1, n.counts()[0]);
        assertEquals(1, n.counts()[Histogram.BUCKETS - 1]);
        Histogram none = Histogram.of(new float[] {Float.NaN});
        assertEquals(0, none.count());
    }
}
