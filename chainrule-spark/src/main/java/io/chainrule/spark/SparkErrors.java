package io.chainrule.spark;

/**
 * Turns what Spark throws back from a failed job into the error a user can act on: a task's
 * IllegalArgumentException (a bad row, a model that does not fit its data) comes back as itself, without Spark's
 * "Job aborted due to stage failure" wrapping and the executor's stack trace.
 */
final class SparkErrors {
    private SparkErrors() {}

    static RuntimeException clarify(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.NotSerializableException nse) {
                return new IllegalArgumentException("SparkTrainer.fit: " + nse.getMessage() + " is not serializable; the "
                        + "model factory and the loss function go to the executors, so everything they capture must be", e);
            }
            if (t instanceof IllegalArgumentException iae) {
                String m = iae.getMessage();
                return new IllegalArgumentException(m != null && m.startsWith("SparkTrainer") ? m : "SparkTrainer.fit: " + m, e);
            }
        }
        if (e instanceof RuntimeException r) return r;
        if (e instanceof Error err) throw err;
        // Spark's SparkException is a checked exception that Scala code throws undeclared.
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return new IllegalStateException("Spark: " + (nl < 0 ? m : m.substring(0, nl)), e);
    }
}
