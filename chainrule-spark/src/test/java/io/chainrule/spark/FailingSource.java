package io.chainrule.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.Row;

import java.util.Iterator;
import java.util.NoSuchElementException;

/** A data source whose iterator fails part way through on every task's first attempt. */
final class FailingSource {
    private FailingSource() {}

    static Iterator<Row> firstAttemptFails(Iterator<Row> rows) {
        TaskContext tc = TaskContext.get();
        boolean fail = tc != null && tc.attemptNumber() == 0;
        return new Iterator<>() {
            int served;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                if (!rows.hasNext()) throw new NoSuchElementException();
                if (fail && ++served > 10) throw new IllegalStateException("injected failure: first attempt of task " + tc.partitionId());
                return rows.next();
            }
        };
    }
}
