package io.chainrule.parallel;

import io.chainrule.Generator;

import java.io.Serializable;

/**
 * The rule that cuts every step's global batch into micro-batches, one per shard, from nothing but the seed, the
 * epoch, the step and the shard number — so any process that knows the plan computes the same micro-batch.
 *
 * <p>The rule: example {@code i} (its position in the data, from 0) belongs to shard {@code i mod shards} for the
 * whole run, so a shard's examples can stay cached where its task runs. Each epoch, shard {@code s} shuffles its
 * own examples with a {@link Generator} seeded from (seed, epoch, s), and step {@code t} takes the next
 * {@code batchSize / shards} of them: positions {@code [t·b, (t+1)·b)} of that permutation. The global batch of a
 * step is the union of its micro-batches. Shards differ in size by at most one example, so the last step of an
 * epoch can be short (some micro-batches one example smaller, or empty); with {@code dropLast} the epoch ends
 * instead before any micro-batch would be short.
 *
 * @param examples  the number of examples in the data
 * @param batchSize the global batch: examples per step over all shards; a multiple of {@code shards}
 * @param shards    micro-batches per step
 * @param dropLast  end each epoch before a step whose micro-batches would not all be full
 * @param seed      fixes the shuffles and the random numbers (dropout) of every micro-batch
 */
public record ShardPlan(long examples, int batchSize, int shards, boolean dropLast, long seed) implements Serializable {
    private static final long serialVersionUID = 1L;

    /** @throws IllegalArgumentException for a batch or shard count that cannot work, naming both */
    public ShardPlan {
        if (shards < 1) throw new IllegalArgumentException("ShardPlan: shards must be at least 1, got " + shards);
        if (batchSize < 1) throw new IllegalArgumentException("ShardPlan: the global batch size must be at least 1, got " + batchSize);
        if (batchSize % shards != 0) {
            throw new IllegalArgumentException("ShardPlan: the global batch size " + batchSize + " is not divisible by "
                    + shards + " shards (each shard takes batchSize / shards examples per step)");
        }
        if (examples < shards) {
            throw new IllegalArgumentException("ShardPlan: " + examples + " examples cannot fill " + shards
                    + " shards (at least one example per shard)");
        }
        if (examples / shards > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("ShardPlan: " + examples + " examples over " + shards
                    + " shards is more than 2^31 per shard; use more shards");
        }
        if (dropLast && examples / shards < batchSize / shards) {
            throw new IllegalArgumentException("ShardPlan: with dropLast, a global batch of " + batchSize + " over "
                    + shards + " shards needs at least " + (long) batchSize + " examples; the data has " + examples);
        }
    }

    /** Examples each shard contributes to a full step. */
    public int microBatchSize() {
        return batchSize / shards;
    }

    /** The shard that example {@code index} belongs to for the whole run. */
    public int shardOf(long index) {
        return (int) (index % shards);
    }

    /** The position of example {@code index} within its shard's examples (kept in data order). */
    public int positionInShard(long index) {
        return (int) (index / shards);
    }

    /** The data index of the example at {@code position} of shard {@code shard}. */
    public long indexOf(int shard, int position) {
        return (long) position * shards + shard;
    }

    /** How many examples shard {@code shard} holds. */
    public int shardSize(int shard) {
        return (int) (examples / shards + (shard < examples % shards ? 1 : 0));
    }

    /** Steps in every epoch. */
    public int stepsPerEpoch() {
        int b = microBatchSize();
        if (dropLast) return shardSize(shards - 1) / b; // the last shard is the smallest
        return (shardSize(0) + b - 1) / b;              // the first is the largest
    }

    /** Examples in step {@code step}'s global batch (the sum of its micro-batches). */
    public int globalBatchSize(int step) {
        int m = 0;
        for (int s = 0; s < shards; s++) m += microBatchSize(step, s);
        return m;
    }

    /** Examples shard {@code shard} contributes to step {@code step} (0 when it has run out this epoch). */
    public int microBatchSize(int step, int shard) {
        checkStep(step);
        long start = (long) step * microBatchSize();
        return (int) Math.max(0, Math.min(microBatchSize(), shardSize(shard) - start));
    }

    /**
     * The positions within shard {@code shard} (see {@link #indexOf}) of the examples of micro-batch (epoch, step,
     * shard), in the order they form the micro-batch.
     */
    public int[] microBatch(int epoch, int step, int shard) {
        return microBatch(permutation(epoch, shard), step, shard);
    }

    /** {@link #microBatch(int, int, int)} from a permutation already drawn by {@link #permutation(int, int)}. */
    public int[] microBatch(int[] permutation, int step, int shard) {
        int m = microBatchSize(step, shard);
        int[] out = new int[m];
        System.arraycopy(permutation, step * microBatchSize(), out, 0, m);
        return out;
    }

    /** Shard {@code shard}'s order for epoch {@code epoch}: a permutation of its positions (Fisher–Yates). */
    public int[] permutation(int epoch, int shard) {
        checkShard(shard);
        int n = shardSize(shard);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        Generator g = new Generator(mix(seed, 0x5348554646L, epoch, shard)); // "SHUFF"
        for (int i = n - 1; i > 0; i--) {
            int j = g.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The seed of micro-batch (epoch, step, shard)'s own random numbers (dropout masks). */
    public long randomSeed(int epoch, int step, int shard) {
        return mix(seed, epoch, step, shard);
    }

    /** The seed of the model's initial parameters. */
    public long initSeed() {
        return initSeed(seed);
    }

    /** The seed of the initial parameters of a run seeded with {@code seed}. */
    public static long initSeed(long seed) {
        return mix(seed, 0x494E4954L, 0, 0); // "INIT"
    }

    private void checkStep(int step) {
        if (step < 0 || step >= stepsPerEpoch()) {
            throw new IllegalArgumentException("ShardPlan: step " + step + " is outside [0, " + stepsPerEpoch() + ")");
        }
    }

    private void checkShard(int shard) {
        if (shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("ShardPlan: shard " + shard + " is outside [0, " + shards + ")");
        }
    }

    /** SplitMix64's finaliser over the four values in turn: nearby tuples get unrelated seeds. */
    static long mix(long a, long b, long c, long d) {
        long h = 0x9E3779B97F4A7C15L;
        for (long v : new long[] {a, b, c, d}) {
            h += v * 0xBF58476D1CE4E5B9L + 0x632BE59BD9B4E019L;
            h = (h ^ (h >>> 30)) * 0xBF58476D1CE4E5B9L;
            h = (h ^ (h >>> 27)) * 0x94D049BB133111EBL;
            h ^= h >>> 31;
        }
        return h;
    }
}
