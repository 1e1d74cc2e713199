package io.chainrule.parallel;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShardPlanTest {
    /** Every example is trained on exactly once per epoch, in micro-batches of batch/shards (the last ones shorter). */
    @Test
    void everyExampleOncePerEpoch() {
        ShardPlan p = new ShardPlan(1003, 96, 4, false, 7);
        assertEquals(24, p.microBatchSize());
        assertEquals(251, p.shardSize(0));
        assertEquals(250, p.shardSize(3));
        assertEquals(11, p.stepsPerEpoch()); // ceil(251 / 24)
        for (int epoch = 0; epoch < 2; epoch++) {
            int[] seen = new int[1003];
            for (int t = 0; t < p.stepsPerEpoch(); t++) {
                int m = 0;
                for (int s = 0; s < 4; s++) {
                    int[] mb = p.microBatch(epoch, t, s);
                    assertEquals(p.microBatchSize(t, s), mb.length);
                    m += mb.length;
                    for (int pos : mb) {
                        long i = p.indexOf(s, pos);
                        assertEquals(s, p.shardOf(i));
                        assertEquals(pos, p.positionInShard(i));
                        seen[(int) i]++;
                    }
                }
                assertEquals(p.globalBatchSize(t), m);
                if (t < 10) assertEquals(96, m);
            }
            for (int c : seen) assertEquals(1, c);
        }
        // The short last step: shards of 251, 251, 251 and 250 examples have 11, 11, 11 and 10 left after 10 steps.
        assertArrayEquals(new int[] {11, 11, 11, 10}, new int[] {p.microBatchSize(10, 0), p.microBatchSize(10, 1),
                p.microBatchSize(10, 2), p.microBatchSize(10, 3)});
    }

    @Test
    void theRuleDependsOnlyOnSeedEpochStepShard() {
        ShardPlan a = new ShardPlan(500, 50, 5, false, 1);
        ShardPlan b = new ShardPlan(500, 50, 5, false, 1);
        assertArrayEquals(a.microBatch(3, 4, 2), b.microBatch(3, 4, 2));
        assertFalse(Arrays.equals(a.microBatch(3, 4, 2), a.microBatch(4, 4, 2)), "epochs shuffle differently");
        assertFalse(Arrays.equals(a.microBatch(3, 4, 2), new ShardPlan(500, 50, 5, false, 2).microBatch(3, 4, 2)));
        assertNotEquals(a.randomSeed(0, 0, 0), a.randomSeed(0, 0, 1));
        assertNotEquals(a.randomSeed(0, 1, 0), a.randomSeed(1, 0, 0));
        assertEquals(a.randomSeed(2, 3, 4), b.randomSeed(2, 3, 4));
    }

    @Test
    void dropLastEndsBeforeAShortStep() {
        ShardPlan p = new ShardPlan(1003, 96, 4, true, 7);
        assertEquals(10, p.stepsPerEpoch());
        for (int t = 0; t < 10; t++) assertEquals(96, p.globalBatchSize(t));
    }

    @Test
    void badPlansAreRefusedWithTheirNumbers() {
        var e = assertThrows(IllegalArgumentException.class, () -> new ShardPlan(100, 10, 3, false, 0));
        assertTrue(e.getMessage().contains("10 is not divisible by 3 shards"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ShardPlan(2, 4, 4, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShardPlan(100, 8, 0, false, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShardPlan(10, 20, 2, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new ShardPlan(100, 10, 2, false, 0).microBatch(0, 10, 0));
    }
}
