package io.chainrule.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SparkStepEngineTest {
    /** Local tasks share the driver's kernel threads: as many at once as the master's slots and the shards allow. */
    @Test
    void localTasksAtOnceAreTheLocalSlotsUpToTheShards() {
        assertEquals(1, SparkStepEngine.localTasksAtOnce("local", 4));
        assertEquals(2, SparkStepEngine.localTasksAtOnce("local[2]", 2));
        assertEquals(2, SparkStepEngine.localTasksAtOnce("local[2,3]", 4));
        assertEquals(3, SparkStepEngine.localTasksAtOnce("local[8]", 3));
        assertEquals(Math.min(4, Runtime.getRuntime().availableProcessors()), SparkStepEngine.localTasksAtOnce("local[*]", 4));
        assertEquals(1, SparkStepEngine.localTasksAtOnce("spark://127.0.0.1:7077", 4));
    }
}
