package io.chainrule.data;

import io.chainrule.Generator;
import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;

/**
 * Iterates a {@link Dataset} in mini-batches; each {@link #iterator()} call is one epoch that visits every example
 * exactly once (minus the short last batch with {@link #dropLast(boolean)}).
 *
 * <pre>{@code
 * var loader = new DataLoader(train, 64).shuffle(true).generator(new Generator(0));
 * for (int epoch = 0; epoch < 5; epoch++)
 *     for (Batch b : loader) step(b.x(), b.y());
 * }</pre>
 *
 * <p>With shuffling, every epoch draws a fresh permutation (Fisher–Yates) from the generator, so the sequence of
 * epochs is fixed by its seed. Without an explicit generator, each epoch seeds a private one from the default
 * generator, so {@code Tensor.manualSeed} makes the order reproducible (PyTorch's RandomSampler does the same).
 *
 * <p>Batches are copies, never views of the dataset, so a transform may write into them. For a
 * {@link TensorDataset} a batch is gathered with one {@code indexSelect} per tensor; other datasets are stacked
 * example by example with {@link Tensor#stack}. The loader is configured in place: the fluent setters return it.
 */
public final class DataLoader implements Iterable<Batch> {
    private final Dataset dataset;
    private final int batchSize;
    private boolean shuffle;
    private boolean dropLast;
    private Generator generator;
    private UnaryOperator<Batch> transform;

    /** A loader over {@code dataset} in batches of {@code batchSize}, in dataset order until told otherwise. */
    public DataLoader(Dataset dataset, int batchSize) {
        if (dataset == null) throw new IllegalArgumentException("DataLoader: dataset must not be null");
        if (batchSize <= 0) {
            throw new IllegalArgumentException("DataLoader: batchSize must be positive, got " + batchSize);
        }
        this.dataset = dataset;
        this.batchSize = batchSize;
    }

    /** Whether each epoch visits the examples in a fresh random order; returns this loader. */
    public DataLoader shuffle(boolean shuffle) {
        this.shuffle = shuffle;
        return this;
    }

    /** Whether the last batch is dropped when it would be smaller than the batch size; returns this loader. */
    public DataLoader dropLast(boolean dropLast) {
        this.dropLast = dropLast;
        return this;
    }

    /** The generator the shuffling order is drawn from (null: the default generator); returns this loader. */
    public DataLoader generator(Generator generator) {
        this.generator = generator;
        return this;
    }

    /** A function applied to every batch before it is handed out (null: none); returns this loader. */
    public DataLoader transform(UnaryOperator<Batch> transform) {
        this.transform = transform;
        return this;
    }

    /** The dataset this loader iterates. */
    public Dataset dataset() {
        return dataset;
    }

    /** The number of examples per batch (the last one may hold fewer unless {@link #dropLast(boolean)}). */
    public int batchSize() {
        return batchSize;
    }

    /** The number of batches one epoch yields (PyTorch's {@code len(loader)}). */
    public int numBatches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (int) ((n + (long) batchSize - 1) / batchSize);
    }

    /** A new epoch: draws this epoch's order now, then produces the batches lazily. */
    @Override
    public Iterator<Batch> iterator() {
        int n = dataset.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (shuffle) permute(order, epochGenerator());
        int end = dropLast ? n - n % batchSize : n;
        return new Epoch(order, end, transform);
    }

    private Generator epochGenerator() {
        if (generator != null) return generator;
        // A fresh stream seeded from the default generator: reproducible under Tensor.manualSeed.
        long seed = Tensor.randint(0, Long.MAX_VALUE, 1).toLongArray()[0];
        return new Generator(seed);
    }

    /** Fisher–Yates: every permutation equally likely. */
    static void permute(int[] a, Generator g) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private Batch collate(int[] order, int from, int to) {
        if (dataset instanceof TensorDataset td) {
            long[] idx = new long[to - from];
            for (int k = from; k < to; k++) idx[k - from] = order[k];
            Tensor index = Tensor.of(idx);
            return new Batch(td.x().indexSelect(0, index), td.y().indexSelect(0, index));
        }
        List<Tensor> xs = new ArrayList<>(to - from);
        List<Tensor> ys = new ArrayList<>(to - from);
        for (int k = from; k < to; k++) {
            Example e = dataset.get(order[k]);
            if (e == null || e.x() == null) {
                throw new IllegalArgumentException("DataLoader: dataset returned no input for example " + order[k]);
            }
            xs.add(e.x());
            ys.add(e.y());
        }
        long withY = ys.stream().filter(t -> t != null).count();
        if (withY != 0 && withY != ys.size()) {
            throw new IllegalArgumentException("DataLoader: some examples of the batch have a target and some do not ("
                    + withY + " of " + ys.size() + ")");
        }
        return new Batch(Tensor.stack(xs, 0), withY == 0 ? null : Tensor.stack(ys, 0));
    }

    private final class Epoch implements Iterator<Batch> {
        private final int[] order;
        private final int end;
        private final UnaryOperator<Batch> transform; // fixed for the epoch, even if the loader is reconfigured
        private int next;

        Epoch(int[] order, int end, UnaryOperator<Batch> transform) {
            this.order = order;
            this.end = end;
            this.transform = transform;
        }

        @Override
        public boolean hasNext() {
            return next < end;
        }

        @Override
        public Batch next() {
            if (next >= end) throw new NoSuchElementException("DataLoader: the epoch has no more batches");
            int to = Math.min(next + batchSize, end);
            Batch b = collate(order, next, to);
            next = to;
            return transform == null ? b : transform.apply(b);
        }
    }
}
