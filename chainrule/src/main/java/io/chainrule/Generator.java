package io.chainrule;

/**
 * An explicit, independent stream of random numbers (xoshiro256** seeded through SplitMix64).
 *
 * <p>Everything here uses {@link StrictMath}, so the same seed gives bit-identical numbers on every JVM,
 * platform and thread count. Not thread-safe: give each thread its own generator.
 *
 * <pre>{@code Tensor noise = Tensor.randn(new Generator(42), 3, 4);}</pre>
 */
public final class Generator {
    private long s0, s1, s2, s3;
    private final long seed;

    /** A generator whose stream is fixed by {@code seed}. */
    public Generator(long seed) {
        this.seed = seed;
        long x = seed;
        long[] s = new long[4];
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
        s0 = s[0]; s1 = s[1]; s2 = s[2]; s3 = s[3];
    }

    /** The seed this generator was created with. */
    public long seed() {
        return seed;
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s1 * 5, 7) * 9;
        long t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Long.rotateLeft(s3, 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), without modulo bias. */
    public long nextLong(long bound) {
        if (bound <= 0) throw new IllegalArgumentException("Generator.nextLong: bound must be positive, got " + bound);
        long limit = Long.remainderUnsigned(-bound, bound); // reject the low values that would bias the result
        while (true) {
            long r = nextLong();
            if (Long.compareUnsigned(r, limit) >= 0) return Long.remainderUnsigned(r, bound);
        }
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return (int) nextLong(bound);
    }

    /**
     * Fills {@code out} with standard normal samples (Box–Muller on pairs, so the sequence depends only on the
     * seed and the count).
     */
    public void fillNormal(double[] out) {
        for (int i = 0; i < out.length; i += 2) {
            double u1 = 1.0 - nextDouble(); // (0, 1]: log stays finite
            double u2 = nextDouble();
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
            double theta = 2.0 * StrictMath.PI * u2;
            out[i] = r * StrictMath.cos(theta);
            if (i + 1 < out.length) out[i + 1] = r * StrictMath.sin(theta);
        }
    }

    /** One standard normal sample. */
    public double nextGaussian() {
        double[] one = new double[1];
        fillNormal(one);
        return one[0];
    }

    /**
     * Makes this generator the default on the calling thread until the returned scope is closed: random tensors,
     * {@link io.chainrule.nn.Init} and dropout that are given no generator draw from it instead of the
     * process-wide one ({@link Tensor#manualSeed(long)}). Lets concurrent threads (two training tasks in one JVM)
     * each draw a reproducible stream. Scopes nest; closing one restores what was there before.
     *
     * <pre>{@code try (var s = new Generator(7).asThreadDefault()) { model = new Mlp(); }}</pre>
     */
    public Scope asThreadDefault() {
        return Creation.pushThreadDefault(this);
    }

    /** Undoes {@link #asThreadDefault()} when closed. */
    public static final class Scope implements AutoCloseable {
        private final Generator previous;
        private boolean closed;

        Scope(Generator previous) {
            this.previous = previous;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            Creation.restoreThreadDefault(previous);
        }
    }
}
