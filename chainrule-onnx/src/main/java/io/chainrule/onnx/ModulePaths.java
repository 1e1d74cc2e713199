package io.chainrule.onnx;

import io.chainrule.Tensor;
import io.chainrule.nn.Module;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which module an op ran in, for error messages. chainrule modules call their children's {@code forward} directly
 * (there is no call wrapper to hook), so the path is read off the Java stack: the chain of {@code forward} frames of
 * Module classes, matched against the module tree from the root down. Where a module has several children of the
 * frame's class, the child owning a parameter or buffer the op reads decides; otherwise every candidate is named
 * ({@code "block1|block2"}).
 */
final class ModulePaths {
    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Module root;
    private final Map<Tensor, String> stateNames;

    ModulePaths(Module root, Map<Tensor, String> stateNames) {
        this.root = root;
        this.stateNames = stateNames;
    }

    /** The dotted path of the module running now ("" for the root), given the op's inputs. */
    String current(Tensor[] inputs) {
        List<Class<?>> frames = WALKER.walk(s -> s
                .filter(f -> f.getMethodName().equals("forward") && Module.class.isAssignableFrom(f.getDeclaringClass()))
                .map(StackWalker.StackFrame::getDeclaringClass)
                .collect(Collectors.toList()));
        Collections.reverse(frames); // outermost first
        List<String> owners = new ArrayList<>();
        for (Tensor t : inputs) {
            String key = t == null ? null : stateNames.get(t);
            if (key != null) owners.add(key);
        }
        Module at = root;
        String path = "";
        for (int i = 0; i < frames.size(); i++) {
            Class<?> c = frames.get(i);
            if (i == 0 && c.isInstance(root)) continue; // the root's own forward
            List<Map.Entry<String, Module>> matches = new ArrayList<>();
            for (Map.Entry<String, Module> e : at.namedChildren().entrySet()) {
                if (c.isInstance(e.getValue())) matches.add(e);
            }
            if (matches.isEmpty()) continue; // a call within the same module (an overload, a super call)
            if (matches.size() > 1) {
                String prefix = path.isEmpty() ? "" : path + ".";
                List<Map.Entry<String, Module>> owning = new ArrayList<>();
                for (Map.Entry<String, Module> e : matches) {
                    String p = prefix + e.getKey() + ".";
                    if (owners.stream().anyMatch(k -> k.startsWith(p))) owning.add(e);
                }
                if (owning.size() != 1) {
                    return matches.stream().map(e -> prefix + e.getKey()).collect(Collectors.joining("|"));
                }
                matches = owning;
            }
            path = path.isEmpty() ? matches.get(0).getKey() : path + "." + matches.get(0).getKey();
            at = matches.get(0).getValue();
        }
        return path;
    }
}
