package io.chainrule;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Tells a per-thread {@link Listener} about every op as it runs, whether or not gradients are recorded: how an
 * exporter (ONNX) sees a model's forward pass, the way {@code torch.onnx.export} traces one.
 *
 * <p>Each op reports itself once, where it is defined: every op that records a node reports its node's name
 * ({@code AddBackward0}), inputs and output; ops whose name and tensors do not say everything add
 * <em>attributes</em> (a softmax's {@code dim}, a convolution's {@code stride}); layers made of several ops
 * (batch norm, layer norm, embedding, the pools) report themselves as one op after their parts, under the name they
 * give their node, so a listener can map the whole layer and drop the parts.
 *
 * <p>Off by default: then each op pays one static read ({@link #isTracing()}). While the listener runs, tracing is
 * paused on its thread, so the listener's own tensor work is not reported.
 *
 * <pre>{@code
 * try (var session = OpTracer.start(listener)) {
 *     model.forward(example);          // the listener hears each op
 * }
 * }</pre>
 */
public final class OpTracer {
    /** What a trace hears. */
    public interface Listener {
        /**
         * An op ran: {@code name} as its node is named ({@code MulBackward0}), its tensor inputs in order (an entry may
         * be null for an absent optional input, such as a missing bias), its output, and attributes (possibly empty).
         * An in-place op reports its target as the output.
         */
        void op(String name, Tensor[] inputs, Tensor output, Map<String, Object> attributes);

        /** Attributes for the op just reported with {@code output}. */
        void annotate(Tensor output, Map<String, Object> attributes);
    }

    /** Threads tracing now: while 0 no thread-local lookup is made, so an untraced op costs one read. */
    private static volatile int sessions;
    private static final ThreadLocal<Listener> CURRENT = new ThreadLocal<>();

    private OpTracer() {}

    /** An active trace on this thread; closing it stops the trace and restores any trace it replaced. */
    public static final class Session implements AutoCloseable {
        private final Listener previous;
        private boolean closed;

        private Session(Listener previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            if (previous == null) CURRENT.remove();
            else CURRENT.set(previous);
            synchronized (OpTracer.class) {
                sessions--;
            }
        }
    }

    /** Starts telling {@code listener} about every op this thread runs, until the session is closed. */
    public static Session start(Listener listener) {
        if (listener == null) throw new IllegalArgumentException("OpTracer.start: listener is null");
        Listener previous = CURRENT.get();
        CURRENT.set(listener);
        synchronized (OpTracer.class) {
            sessions++;
        }
        return new Session(previous);
    }

    /** True while a trace is listening on this thread. */
    public static boolean isTracing() {
        return sessions != 0 && CURRENT.get() != null;
    }

    /**
     * Reports op {@code name} on {@code inputs} giving {@code output}, with attributes given as key, value pairs;
     * returns {@code output}. Does nothing when not tracing.
     */
    public static Tensor op(Tensor output, String name, Tensor[] inputs, Object... attributes) {
        Listener l = CURRENT.get();
        if (l == null) return output;
        CURRENT.set(null);
        try {
            l.op(name, inputs.clone(), output, pairs(name, attributes));
        } finally {
            CURRENT.set(l);
        }
        return output;
    }

    /** Adds attributes (key, value pairs) to the op just reported with {@code output}; returns {@code output}. */
    public static Tensor annotate(Tensor output, Object... attributes) {
        Listener l = CURRENT.get();
        if (l == null) return output;
        CURRENT.set(null);
        try {
            l.annotate(output, pairs("annotate", attributes));
        } finally {
            CURRENT.set(l);
        }
        return output;
    }

    private static Map<String, Object> pairs(String op, Object[] kv) {
        if (kv.length % 2 != 0) throw new IllegalArgumentException(op + ": attributes must come in key, value pairs");
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }
}
