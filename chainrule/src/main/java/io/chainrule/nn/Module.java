package io.chainrule.nn;

import io.chainrule.DType;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import io.chainrule.io.Safetensors;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Base class of every layer and model. Subclasses register their parameters, buffers and child modules by name
 * (no reflection), which fixes PyTorch's order and dotted state-dict keys ({@code 0.weight}, {@code fc1.bias}).
 *
 * <pre>{@code
 * class Mlp extends Module {
 *     final Linear fc1 = register("fc1", new Linear(784, 128));
 *     final Linear fc2 = register("fc2", new Linear(128, 10));
 *     public Tensor forward(Tensor x) { return fc2.forward(fc1.forward(x).relu()); }
 * }
 * }</pre>
 *
 * <p>Layers read their own tensors through {@link #param(String)} and {@link #buffer(String)}, so {@link #to(DType)}
 * (which replaces tensors by converted ones) and {@link #loadStateDict(Map)} are seen at once.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    protected Module() {}

    /** The module's computation. */
    public abstract Tensor forward(Tensor x);

    // --------------------------------------------------------------------------------------------- registration

    /** Registers a child module under {@code name}; returns it. */
    protected <M extends Module> M register(String name, M child) {
        checkName(name);
        if (child == null) throw new IllegalArgumentException("register: child module '" + name + "' is null");
        children.put(name, child);
        return child;
    }

    /** Registers a trainable tensor (made a leaf that requires grad); returns it. */
    protected Tensor registerParameter(String name, Tensor tensor) {
        checkName(name);
        return putParameter(name, tensor);
    }

    /**
     * Registers a trainable tensor under a key taken verbatim, dots included: for modules whose tensors come named
     * from a file rather than from a tree of child modules (an imported ONNX graph's initializers, {@code 0.weight}),
     * so that {@link #namedParameters()} and {@link #stateDict()} show the file's names. Such a module must not also
     * have a child whose dotted keys could collide; the name must be non-empty and not yet registered. Returns the
     * parameter.
     */
    protected Tensor registerParameterVerbatim(String name, Tensor tensor) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("registerParameterVerbatim: empty name");
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("register: '" + name + "' is already registered in " + getClass().getSimpleName());
        }
        return putParameter(name, tensor);
    }

    private Tensor putParameter(String name, Tensor tensor) {
        if (tensor == null) throw new IllegalArgumentException("registerParameter: parameter '" + name + "' is null");
        if (!tensor.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("registerParameter: parameter '" + name + "' must be floating point, got "
                    + tensor.dtype());
        }
        Tensor p = tensor.isLeaf() ? tensor : tensor.detach();
        p.requiresGrad(true);
        parameters.put(name, p);
        return p;
    }

    /** Registers a state tensor that is saved and converted with the module but not trained; returns it. */
    protected Tensor registerBuffer(String name, Tensor tensor) {
        checkName(name);
        if (tensor == null) throw new IllegalArgumentException("registerBuffer: buffer '" + name + "' is null");
        buffers.put(name, tensor);
        return tensor;
    }

    private void checkName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("register: invalid name '" + name + "' (non-empty, without '.')");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("register: '" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    /** This module's own parameter {@code name}. */
    protected Tensor param(String name) {
        Tensor t = parameters.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter '" + name + "'");
        return t;
    }

    /** This module's own parameter {@code name}, or null when absent (an optional bias, say). */
    protected Tensor paramOrNull(String name) {
        return parameters.get(name);
    }

    /** This module's own buffer {@code name}. */
    protected Tensor buffer(String name) {
        Tensor t = buffers.get(name);
        if (t == null) throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer '" + name + "'");
        return t;
    }

    /** Replaces the value of this module's own buffer {@code name} (running statistics, say). */
    protected void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException(getClass().getSimpleName() + ": no buffer '" + name + "'");
        buffers.put(name, value);
    }

    // ------------------------------------------------------------------------------------------------- queries

    /** All parameters: this module's own first, then each child's in registration order, recursively. */
    public List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** All parameters with PyTorch-style dotted names, in {@link #parameters()} order. */
    public Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** All buffers, in the same order as {@link #parameters()}. */
    public List<Tensor> buffers() {
        return new ArrayList<>(namedBuffers().values());
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /** The direct children by name, in registration order. */
    public Map<String, Module> namedChildren() {
        return new LinkedHashMap<>(children);
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) parameters.forEach((k, v) -> out.put(prefix + k, v));
        if (bufs) buffers.forEach((k, v) -> out.put(prefix + k, v));
        children.forEach((k, m) -> m.collect(prefix + k + ".", out, params, bufs));
    }

    // ----------------------------------------------------------------------------------------------- modes

    /** Training mode (dropout active, batch norm uses batch statistics), for this module and all below; returns this. */
    public Module train() {
        setTraining(true);
        return this;
    }

    /** Evaluation mode, for this module and all below; returns this. */
    public Module eval() {
        setTraining(false);
        return this;
    }

    private void setTraining(boolean on) {
        training = on;
        for (Module m : children.values()) m.setTraining(on);
    }

    public boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter. */
    public void zeroGrad() {
        for (Tensor p : parameters()) p.zeroGrad();
    }

    /** Converts parameters and floating-point buffers to {@code dtype}, in this module and all below; returns this. */
    public Module to(DType dtype) {
        if (!dtype.isFloatingPoint()) throw new IllegalArgumentException("Module.to: " + dtype + " is not a floating-point type");
        parameters.replaceAll((k, p) -> p.dtype() == dtype ? p : p.detach().to(dtype).requiresGrad(true));
        buffers.replaceAll((k, b) -> b.dtype().isFloatingPoint() ? b.to(dtype) : b);
        for (Module m : children.values()) m.to(dtype);
        return this;
    }

    // ------------------------------------------------------------------------------------------- state dict

    /** Parameters and buffers by dotted name (module by module, own tensors first), detached, sharing storage. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((k, v) -> out.put(prefix + k, v.detach()));
        buffers.forEach((k, v) -> out.put(prefix + k, v.detach()));
        children.forEach((k, m) -> m.collectState(prefix + k + ".", out));
    }

    /**
     * Copies values into this module's parameters and buffers (converting dtype). Strict: a missing key, an extra key
     * or a shape mismatch is an {@link IllegalArgumentException} listing them all.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> own = new LinkedHashMap<>();
        collect("", own, true, true);
        TreeSet<String> missing = new TreeSet<>(own.keySet());
        missing.removeAll(state.keySet());
        TreeSet<String> unexpected = new TreeSet<>(state.keySet());
        unexpected.removeAll(own.keySet());
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : own.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src != null && !Arrays.equals(src.shape(), e.getValue().shape())) {
                mismatched.add(e.getKey() + ": checkpoint " + Arrays.toString(src.shape()) + " vs model "
                        + Arrays.toString(e.getValue().shape()));
            }
        }
        if (!missing.isEmpty() || !unexpected.isEmpty() || !mismatched.isEmpty()) {
            StringBuilder sb = new StringBuilder("loadStateDict: the state does not match " + getClass().getSimpleName());
            if (!missing.isEmpty()) sb.append("; missing keys ").append(missing);
            if (!unexpected.isEmpty()) sb.append("; unexpected keys ").append(unexpected);
            if (!mismatched.isEmpty()) sb.append("; shape mismatch ").append(mismatched);
            throw new IllegalArgumentException(sb.toString());
        }
        try (var g = Autograd.noGrad()) {
            for (Map.Entry<String, Tensor> e : own.entrySet()) e.getValue().copyFrom(state.get(e.getKey()));
        }
    }

    /**
     * Writes {@link #stateDict()} to {@code path} as a safetensors file (atomically: a temporary file in the same
     * directory, then a rename), readable by Python's {@code safetensors.torch.load_file}.
     */
    public void save(Path path) throws IOException {
        Safetensors.save(stateDict(), path);
    }

    /**
     * Reads a safetensors file and copies it into this module with {@link #loadStateDict(Map)} (strict: the keys
     * and shapes must match).
     */
    public void load(Path path) throws IOException {
        loadStateDict(Safetensors.load(path));
    }

    // ---------------------------------------------------------------------------------------------- printing

    /** Extra text inside this module's parentheses when printed, e.g. {@code in_features=4, out_features=2}. */
    protected String extraRepr() {
        return "";
    }

    /** The module tree, as PyTorch prints it. */
    @Override
    public String toString() {
        String name = getClass().getSimpleName();
        if (children.isEmpty()) return name + "(" + extraRepr() + ")";
        StringBuilder sb = new StringBuilder(name).append("(");
        if (!extraRepr().isEmpty()) sb.append("\n  ").append(extraRepr());
        children.forEach((k, m) -> sb.append("\n  (").append(k).append("): ").append(m.toString().replace("\n", "\n  ")));
        return sb.append("\n)").toString();
    }
}
