package io.chainrule.examples;

import java.util.HashMap;
import java.util.Map;

/** Minimal {@code --name value} / {@code --flag} command-line options for the examples. */
final class Args {
    private final Map<String, String> values = new HashMap<>();
    private final java.util.List<String> positional = new java.util.ArrayList<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--")) {
                boolean hasValue = i + 1 < args.length && !args[i + 1].startsWith("--");
                values.put(a.substring(2), hasValue ? args[++i] : "true");
            } else {
                positional.add(a);
            }
        }
    }

    int integer(String name, int fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " expects an integer, got " + v, e);
        }
    }

    double real(String name, double fallback) {
        String v = values.get(name);
        try {
            return v == null ? fallback : Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " expects a number, got " + v, e);
        }
    }

    boolean flag(String name) {
        return Boolean.parseBoolean(values.getOrDefault(name, "false"));
    }

    String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** The i-th argument that is not an option, or the fallback. */
    String positional(int i, String fallback) {
        return i < positional.size() ? positional.get(i) : fallback;
    }
}
