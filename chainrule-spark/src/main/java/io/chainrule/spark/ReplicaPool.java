package io.chainrule.spark;

import io.chainrule.parallel.Replica;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model replicas of an executor JVM, reused from step to step (building a model costs its initialisation),
 * one per concurrently running task. Only the most recent runs keep theirs.
 */
final class ReplicaPool {
    private static final int RUNS_KEPT = 4;
    private static final Map<String, ArrayDeque<Replica>> IDLE = new LinkedHashMap<>();

    private ReplicaPool() {}

    static Replica acquire(WorkerSpec spec) {
        synchronized (IDLE) {
            ArrayDeque<Replica> q = IDLE.get(spec.runId());
            if (q != null && !q.isEmpty()) return q.pop();
        }
        return new Replica(spec.model(), spec.loss(), spec.plan().initSeed());
    }

    static void release(WorkerSpec spec, Replica r) {
        synchronized (IDLE) {
            IDLE.computeIfAbsent(spec.runId(), k -> new ArrayDeque<>()).push(r);
            Iterator<String> runs = IDLE.keySet().iterator();
            while (IDLE.size() > RUNS_KEPT && runs.hasNext()) {
                if (!runs.next().equals(spec.runId())) runs.remove();
            }
        }
    }
}
