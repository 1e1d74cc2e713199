package io.chainrule.nn;

import io.chainrule.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied one after the other; children are named {@code "0"}, {@code "1"}, ... so parameters get
 * PyTorch's keys ({@code 0.weight}, {@code 2.bias}).
 *
 * <pre>{@code Module mlp = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));}</pre>
 */
public class Sequential extends Module {
    private final List<Module> modules = new ArrayList<>();

    public Sequential(Module... modules) {
        if (modules == null) throw new IllegalArgumentException("Sequential: modules must not be null");
        for (Module m : modules) add(m);
    }

    /** Appends {@code module} under the next index; returns this. */
    public Sequential add(Module module) {
        if (module == null) throw new IllegalArgumentException("Sequential.add: module " + modules.size() + " is null");
        register(String.valueOf(modules.size()), module);
        modules.add(module);
        return this;
    }

    /** The module at {@code index}. */
    public Module get(int index) {
        if (index < 0 || index >= modules.size()) {
            throw new IllegalArgumentException("Sequential.get: index " + index + " out of range for " + modules.size() + " modules");
        }
        return modules.get(index);
    }

    /** How many modules this holds. */
    public int size() {
        return modules.size();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = x;
        for (Module m : modules) y = m.forward(y);
        return y;
    }
}
