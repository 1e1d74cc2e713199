package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.chainrule.Tensor;
import io.chainrule.autograd.Autograd;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * ONNX's own backend node tests (ONNX 1.12, Debian's {@code libonnx-testdata} package: one folder per test with
 * {@code model.onnx} and {@code test_data_set_N/input_K.pb, output_K.pb}). Every test whose model loads is run and must
 * match ONNX's tolerances (rtol 1e-3, atol 1e-7); a model with an op type, attribute or element type the loader does
 * not support is counted and skipped, never silently passed. The last test prints the per-op-type table that the
 * README shows. The folder is {@code -Donnx.testdata=DIR}, by default where the package installs it; when it is
 * absent the tests are skipped, except under CI (CI set), where that is a failure.
 */
class OnnxConformanceTest {
    static final Path DEFAULT_DIR = Path.of("/usr/share/libonnx-testdata/data/node");
    static final double RTOL = 1e-3, ATOL = 1e-7;

    enum Outcome { PASSED, UNSUPPORTED_OP, UNSUPPORTED_FEATURE }

    /** One test's result, attributed to its op type (the op named by the folder). */
    record Result(String test, String opType, Outcome outcome, String reason) {}

    private final List<Result> results = new ArrayList<>();

    @TestFactory
    Stream<DynamicTest> backendNodeTests() throws IOException {
        Path dir = Path.of(System.getProperty("onnx.testdata", DEFAULT_DIR.toString()));
        if (!Files.isDirectory(dir)) {
            String why = "ONNX backend node tests not found at " + dir + " (apt-get install libonnx-testdata)";
            if (System.getenv("CI") != null) fail(why);
            Assumptions.abort(why);
        }
        List<Path> tests;
        try (Stream<Path> s = Files.list(dir)) {
            tests = s.filter(p -> Files.isRegularFile(p.resolve("model.onnx"))).sorted().toList();
        }
        Map<String, String> snakeToOp = opTypesBySnakeName(tests);
        Stream<DynamicTest> each = tests.stream().map(t -> DynamicTest.dynamicTest(t.getFileName().toString(),
                () -> assertTimeoutPreemptively(Duration.ofSeconds(60), () -> run(t, snakeToOp))));
        return Stream.concat(each, Stream.of(DynamicTest.dynamicTest("op table", this::printTable)));
    }

    private void run(Path test, Map<String, String> snakeToOp) throws IOException {
        String name = test.getFileName().toString();
        String opType = opTypeOf(name, snakeToOp, test);
        OnnxModel model;
        try {
            model = Onnx.load(test.resolve("model.onnx"));
        } catch (UnsupportedOperationException e) {
            Outcome o = e.getMessage().contains("op type '") ? Outcome.UNSUPPORTED_OP : Outcome.UNSUPPORTED_FEATURE;
            results.add(new Result(name, opType, o, reason(e.getMessage())));
            Assumptions.abort("unsupported: " + e.getMessage());
            return;
        }
        List<Path> sets;
        try (Stream<Path> s = Files.list(test)) {
            sets = s.filter(p -> p.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
        }
        try {
            for (Path set : sets) runDataSet(name, model, set);
        } catch (UnsupportedOperationException e) {
            results.add(new Result(name, opType, Outcome.UNSUPPORTED_FEATURE, reason(e.getMessage())));
            Assumptions.abort("unsupported: " + e.getMessage());
            return;
        }
        results.add(new Result(name, opType, Outcome.PASSED, ""));
    }

    private static void runDataSet(String name, OnnxModel model, Path set) throws IOException {
        Map<String, Tensor> inputs = new LinkedHashMap<>();
        List<String> names = model.inputNames();
        for (int i = 0; Files.exists(set.resolve("input_" + i + ".pb")); i++) {
            if (i >= names.size()) fail(name + ": more input files than graph inputs " + names);
            inputs.put(names.get(i), read(set.resolve("input_" + i + ".pb")));
        }
        Map<String, Tensor> out;
        try (var g = Autograd.noGrad()) {
            out = model.forward(inputs);
        }
        List<String> outNames = model.outputNames();
        for (int i = 0; Files.exists(set.resolve("output_" + i + ".pb")); i++) {
            Tensor expected = read(set.resolve("output_" + i + ".pb"));
            compare(name + " " + set.getFileName() + " output " + i + " ('" + outNames.get(i) + "')", out.get(outNames.get(i)), expected);
        }
    }

    static Tensor read(Path pb) throws IOException {
        return TensorDecoder.decode(TensorProto.parseFrom(Files.readAllBytes(pb)), pb.toString());
    }

    /** ONNX's check: same shape; floats within atol + rtol·|expected| (NaN matches NaN); the rest exactly. */
    static void compare(String what, Tensor actual, Tensor expected) {
        if (actual == null) fail(what + ": not produced");
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            fail(what + ": shape " + Arrays.toString(actual.shape()) + ", expected " + Arrays.toString(expected.shape()));
        }
        if (actual.dtype().isFloatingPoint() != expected.dtype().isFloatingPoint()) {
            fail(what + ": dtype " + actual.dtype() + ", expected " + expected.dtype());
        }
        double[] a = actual.to(io.chainrule.DType.FLOAT64).toDoubleArray(), e = expected.to(io.chainrule.DType.FLOAT64).toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            boolean ok = expected.dtype().isFloatingPoint()
                    ? (Double.isNaN(e[i]) ? Double.isNaN(a[i]) : a[i] == e[i] || Math.abs(a[i] - e[i]) <= ATOL + RTOL * Math.abs(e[i]))
                    : a[i] == e[i];
            if (!ok) fail(what + ": element " + i + " is " + a[i] + ", expected " + e[i]);
        }
    }

    /** The op type a test folder is about: the longest op type (as snake_case) its name starts with. */
    private static String opTypeOf(String test, Map<String, String> snakeToOp, Path dir) throws IOException {
        String rest = test.substring("test_".length());
        String best = null;
        for (var e : snakeToOp.entrySet()) {
            String snake = e.getKey();
            if ((rest.equals(snake) || rest.startsWith(snake + "_")) && (best == null || snake.length() > best.length())) best = snake;
        }
        if (best != null) return snakeToOp.get(best);
        ModelProto m = ModelProto.parseFrom(Files.readAllBytes(dir.resolve("model.onnx")));
        return m.getGraph().getNodeCount() > 0 ? m.getGraph().getNode(0).getOpType() : "?";
    }

    /** Every op type used by some test, by its snake_case name (LayerNormalization → layer_normalization). */
    private static Map<String, String> opTypesBySnakeName(List<Path> tests) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (Path t : tests) {
            ModelProto m = ModelProto.parseFrom(Files.readAllBytes(t.resolve("model.onnx")));
            for (NodeProto n : m.getGraph().getNodeList()) out.put(snake(n.getOpType()), n.getOpType());
        }
        return out;
    }

    static String snake(String opType) {
        return opType.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }

    /** The unsupported thing, without file and node names: "attribute 'auto_pad'", "element type FLOAT16", ... */
    private static String reason(String message) {
        String m = message.replaceAll("^.*?: ", "");
        int in = m.indexOf(" in node '");
        if (in >= 0) m = m.substring(0, in);
        int type = m.indexOf("element type ");
        if (type >= 0) m = m.substring(type);
        return m.replaceAll(",? which is not supported.*", "").replaceAll(" is not supported.*", "");
    }

    /**
     * The README's table: for each op type the loader implements, node tests passed / run, four op types to a row;
     * then the variants skipped as unsupported, with their reasons, and the totals.
     */
    private void printTable() {
        Map<String, List<Result>> byOp = new TreeMap<>();
        for (Result r : results) if (!r.test.endsWith("_expanded")) byOp.computeIfAbsent(r.opType, k -> new ArrayList<>()).add(r);
        List<String> cells = new ArrayList<>();
        StringBuilder skipped = new StringBuilder();
        int passed = 0, total = 0, unsupportedOp = 0, unsupportedFeature = 0;
        TreeSet<String> missing = new TreeSet<>();
        for (var e : byOp.entrySet()) {
            long p = e.getValue().stream().filter(r -> r.outcome == Outcome.PASSED).count();
            int n = e.getValue().size();
            if (OnnxOps.get(e.getKey()) != null) {
                cells.add("| " + e.getKey() + " | " + p + " / " + n + " ");
                TreeSet<String> reasons = new TreeSet<>();
                for (Result r : e.getValue()) if (r.outcome != Outcome.PASSED) reasons.add(r.reason);
                if (p < n) skipped.append("- ").append(e.getKey()).append(" (").append(n - p).append("): ").append(String.join("; ", reasons)).append('\n');
            } else {
                missing.add(e.getKey());
            }
            for (Result r : e.getValue()) {
                total++;
                if (r.outcome == Outcome.PASSED) passed++;
                else if (r.outcome == Outcome.UNSUPPORTED_OP) unsupportedOp++;
                else unsupportedFeature++;
            }
        }
        int perRow = 4;
        StringBuilder sb = new StringBuilder("| op type | passed ".repeat(perRow) + "|\n" + "|---|---".repeat(perRow) + "|\n");
        for (int i = 0; i < cells.size(); i += perRow) {
            for (int j = i; j < i + perRow; j++) sb.append(j < cells.size() ? cells.get(j) : "| | ");
            sb.append("|\n");
        }
        long expanded = results.stream().filter(r -> r.test.endsWith("_expanded")).count();
        long expandedPassed = results.stream().filter(r -> r.test.endsWith("_expanded") && r.outcome == Outcome.PASSED).count();
        sb.append("\nSkipped as unsupported (counted, not failed):\n").append(skipped);
        sb.append("\nNode tests: ").append(total).append(" (function-expanded variants aside); passed ").append(passed)
                .append(", op type not implemented ").append(unsupportedOp).append(", implemented op with an unsupported attribute, "
                        + "input or element type ").append(unsupportedFeature).append(", failed 0. Function-expanded variants (the "
                        + "same tests written with primitive ops): ").append(expandedPassed).append(" / ").append(expanded).append(" passed.\n");
        sb.append("\nOp types with node tests that the loader does not implement: ").append(String.join(", ", missing)).append(".\n");
        System.out.println(sb);
    }
}
