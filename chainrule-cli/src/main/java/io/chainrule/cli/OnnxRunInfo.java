package io.chainrule.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.DataSource;
import io.chainrule.cli.train.TrainConfig;
import io.chainrule.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What an ONNX file says about the run it came from: {@code chainrule export} stores the run's data settings
 * (data, sample size, noise, seed, class names, and the standardisation of CSV features) as the model's
 * {@code metadata_props} under {@code chainrule.*} keys, which other runtimes ignore; {@code chainrule eval --model}
 * reads them back so it prepares the data as the run did. A file from elsewhere has none of them: then the data is
 * taken as given (the same defaults as {@code train}). The example shape and the class count come from the graph's
 * input and output.
 *
 * @param inputShape one example's shape (the graph input without its batch dimension), or null when not fixed
 * @param classes    the size of the output's last dimension, or 0 when not fixed
 */
record OnnxRunInfo(Map<String, String> metadata, int[] inputShape, int classes) {
    private static final String PREFIX = "chainrule.";

    /** The metadata {@code chainrule export} writes for a run. */
    static Map<String, String> of(Checkpoint ck) {
        TrainConfig c = ck.config();
        Map<String, String> m = new LinkedHashMap<>();
        m.put(PREFIX + "data", c.data());
        m.put(PREFIX + "samples", Integer.toString(c.samples()));
        m.put(PREFIX + "noise", Double.toString(c.noise()));
        m.put(PREFIX + "seed", Long.toString(c.seed()));
        m.put(PREFIX + "class_names", String.join("|", ck.classNames()));
        if (ck.mean() != null) {
            m.put(PREFIX + "mean", Arrays.stream(ck.mean()).mapToObj(Double::toString).collect(Collectors.joining(",")));
            m.put(PREFIX + "std", Arrays.stream(ck.std()).mapToObj(Double::toString).collect(Collectors.joining(",")));
        }
        return m;
    }

    /** Adds {@code metadata} to the ONNX file {@code file}, rewriting it atomically. */
    static void addMetadata(Path file, Map<String, String> metadata) throws IOException {
        ModelProto.Builder b = parse(file).toBuilder();
        metadata.forEach((k, v) -> b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        AtomicFiles.write(file, b.build().toByteArray());
    }

    static OnnxRunInfo read(Path file) {
        ModelProto m;
        try {
            m = parse(file);
        } catch (IOException e) {
            throw new CliException("cannot read " + file + ": " + e.getMessage());
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (StringStringEntryProto e : m.getMetadataPropsList()) {
            if (e.getKey().startsWith(PREFIX)) meta.put(e.getKey().substring(PREFIX.length()), e.getValue());
        }
        if (m.getGraph().getInputCount() < 1 || m.getGraph().getOutputCount() < 1) {
            throw new CliException(file + ": the ONNX graph has no input or no output");
        }
        int[] in = dims(m.getGraph().getInput(0));
        int[] out = dims(m.getGraph().getOutput(0));
        int[] example = in == null || in.length == 0 ? null : Arrays.copyOfRange(in, 1, in.length);
        if (example != null && Arrays.stream(example).anyMatch(d -> d < 0)) example = null;
        int classes = out == null || out.length == 0 ? 0 : Math.max(out[out.length - 1], 0);
        return new OnnxRunInfo(meta, example, classes);
    }

    private static ModelProto parse(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new CliException(file + ": no such file");
        try {
            return ModelProto.parseFrom(Files.readAllBytes(file));
        } catch (InvalidProtocolBufferException e) {
            throw new CliException(file + " is not an ONNX model: " + e.getMessage());
        }
    }

    /** The tensor's dimensions, -1 for a symbolic one; null when it has no shape. */
    private static int[] dims(ValueInfoProto v) {
        if (!v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) return null;
        TensorShapeProto s = v.getType().getTensorType().getShape();
        int[] d = new int[s.getDimCount()];
        for (int i = 0; i < d.length; i++) d[i] = s.getDim(i).hasDimValue() ? (int) s.getDim(i).getDimValue() : -1;
        return d;
    }

    String data() {
        return metadata.get("data");
    }

    long seed(long fallback) {
        try {
            return metadata.containsKey("seed") ? Long.parseLong(metadata.get("seed")) : fallback;
        } catch (NumberFormatException e) {
            throw new CliException("the ONNX file's metadata " + PREFIX + "seed is malformed: " + metadata.get("seed"));
        }
    }

    int samples(String data) {
        try {
            return data.equals(data()) && metadata.containsKey("samples") ? Integer.parseInt(metadata.get("samples"))
                    : DataSource.defaultSamples(data);
        } catch (NumberFormatException e) {
            throw new CliException("the ONNX file's metadata " + PREFIX + "samples is malformed: " + metadata.get("samples"));
        }
    }

    double noise(String data) {
        try {
            return data.equals(data()) && metadata.containsKey("noise") ? Double.parseDouble(metadata.get("noise"))
                    : DataSource.defaultNoise(data);
        } catch (NumberFormatException e) {
            throw new CliException("the ONNX file's metadata " + PREFIX + "noise is malformed: " + metadata.get("noise"));
        }
    }

    double[] mean() {
        return doubles("mean");
    }

    double[] std() {
        return doubles("std");
    }

    private double[] doubles(String key) {
        String v = metadata.get(key);
        if (v == null || v.isBlank()) return null;
        try {
            return Arrays.stream(v.split(",")).mapToDouble(s -> Double.parseDouble(s.strip())).toArray();
        } catch (NumberFormatException e) {
            throw new CliException("the ONNX file's metadata " + PREFIX + key + " is malformed: " + v);
        }
    }

    /** The run's class names, or null. */
    String[] classNames() {
        String n = metadata.get("class_names");
        return n == null ? null : n.split("\\|", -1);
    }
}
