package io.chainrule.optim;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads an optimizer's state dict, for {@link Optimizer#read}: every value is checked (shape, whole numbers, range)
 * and copied, and keys nobody asked for are rejected afterwards, so a state dict of another optimizer fails loudly
 * instead of being half applied. Messages name the optimizer and the key.
 */
public final class StateReader {
    private final String op;
    private final Map<String, Tensor> dict;
    private final Set<String> used = new HashSet<>();

    StateReader(String optimizer, Map<String, Tensor> dict) {
        this.op = optimizer + ".loadStateDict";
        if (dict == null) throw new IllegalArgumentException(op + ": the state dict is null");
        for (Map.Entry<String, Tensor> e : dict.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new IllegalArgumentException(op + ": null key or value in the state dict (key " + e.getKey() + ")");
            }
        }
        this.dict = dict;
    }

    /** Whether the state dict has {@code key}. */
    public boolean has(String key) {
        return dict.containsKey(key);
    }

    private Tensor get(String key) {
        Tensor t = dict.get(key);
        if (t == null) {
            throw new IllegalArgumentException(op + ": the state dict has no entry '" + key + "' (it has "
                    + new TreeSet<>(dict.keySet()) + ")");
        }
        used.add(key);
        return t;
    }

    /** A one-element entry as a number. */
    public double number(String key) {
        Tensor t = get(key);
        if (t.numel() != 1) {
            throw new IllegalArgumentException(op + ": entry '" + key + "' should hold one number, got shape "
                    + Arrays.toString(t.shape()));
        }
        return t.item();
    }

    /** A one-element entry holding a whole number in {@code [min, max]}. */
    public long integer(String key, long min, long max) {
        double v = number(key);
        if (v != Math.rint(v) || v < min || v > max) {
            throw new IllegalArgumentException(op + ": entry '" + key + "' should be a whole number in [" + min + ", "
                    + max + "], got " + v);
        }
        return (long) v;
    }

    /** A one-element entry holding 0 or 1. */
    public boolean flag(String key) {
        return integer(key, 0, 1) == 1;
    }

    /** A copy of the entry, converted to {@code like}'s dtype; its shape must be {@code like}'s. */
    public Tensor tensorLike(String key, Tensor like) {
        Tensor t = get(key);
        if (!Arrays.equals(t.shape(), like.shape())) {
            throw new IllegalArgumentException(op + ": entry '" + key + "' has shape " + Arrays.toString(t.shape())
                    + " but its parameter has shape " + Arrays.toString(like.shape()));
        }
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": entry '" + key + "' should be a floating-point tensor, got " + t.dtype());
        }
        try (var g = Autograd.noGrad()) {
            return like.detach().zerosLike().copyFrom(t);
        }
    }

    /** A 1-D entry of length {@code n} as doubles. */
    public double[] vector(String key, int n) {
        Tensor t = get(key);
        if (t.dim() != 1 || t.numel() != n) {
            throw new IllegalArgumentException(op + ": entry '" + key + "' should have shape [" + n + "], got "
                    + Arrays.toString(t.shape()));
        }
        return t.toDoubleArray();
    }

    /** Rejects entries that no part of the optimizer read. */
    void finish() {
        Set<String> extra = new TreeSet<>(dict.keySet());
        extra.removeAll(used);
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException(op + ": unexpected entries " + extra
                    + " (a state dict of another optimizer or of other parameters?)");
        }
    }

    /** A number as a state-dict entry (a 0-d float64 tensor, exact for counts below 2^53). */
    public static Tensor scalar(double v) {
        return Tensor.scalar(v, DType.FLOAT64);
    }

    /** A flag as a state-dict entry: 1 or 0. */
    public static Tensor scalar(boolean v) {
        return scalar(v ? 1 : 0);
    }

    /** A snapshot of a state tensor: the optimizer keeps updating its own in place. */
    public static Tensor snapshot(Tensor t) {
        try (var g = Autograd.noGrad()) {
            return t.detach().clone();
        }
    }
}
