package io.chainrule.cli;

import io.chainrule.Tensor;
import io.chainrule.cli.train.Checkpoint;
import io.chainrule.cli.train.Models;
import io.chainrule.nn.Module;
import io.chainrule.onnx.Onnx;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code chainrule export RUN_DIR --onnx FILE}: a trained run's model as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false, usageHelpAutoWidth = true,
        description = {"Writes the model of a run that 'chainrule train' wrote as an ONNX file (opset 17), for ONNX "
                + "Runtime, TensorRT, a browser or another language.",
                "The file's input is one batch of examples as the run saw them (after its data preparation: images in "
                + "[0, 1], CSV features standardised with the run's mean and std), batch dimension symbolic; its output "
                + "is the logits. The run's data settings travel in the file's metadata (chainrule.*), so "
                + "'chainrule eval --model FILE.onnx' prepares data the same way."},
        footer = {"", "Examples:", "  chainrule export runs/2025-01-01_12-00-00 --onnx model.onnx",
                "  chainrule eval --model model.onnx --data spiral"})
final class ExportCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_DIR", description = "A run folder (or one of its checkpoint files).")
    Path run;

    @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The ONNX file to write.")
    Path onnx;

    @Override
    public Integer call() throws Exception {
        Checkpoint ck = Checkpoint.read(run);
        Module model = Models.build(ck);
        ck.loadModel(model);
        model.to(io.chainrule.DType.FLOAT32); // ONNX files are float32 (a --dtype float64 run is narrowed)
        model.eval();
        int[] shape = new int[ck.inputShape().length + 1];
        shape[0] = 1;
        System.arraycopy(ck.inputShape(), 0, shape, 1, ck.inputShape().length);
        Path target = onnx.toAbsolutePath();
        Path dir = target.getParent();
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new CliException("cannot create " + dir + ": " + FileChecks.describe(e));
        }
        long start = System.nanoTime();
        try {
            Onnx.export(model, Tensor.zeros(shape), target);
            OnnxRunInfo.addMetadata(target, OnnxRunInfo.of(ck));
        } catch (IOException e) {
            throw new CliException("cannot write " + onnx + ": " + FileChecks.describe(e));
        }
        double ms = (System.nanoTime() - start) / 1e6;
        PrintWriter o = spec.commandLine().getOut();
        o.printf(java.util.Locale.ROOT, "wrote %s (%,d bytes, opset %d, %.0f ms): input [batch, %s] float32, output "
                        + "[batch, %d] logits (%s)%n", onnx, Files.size(target), Onnx.OPSET, ms,
                HumanFormat.shape(ck.inputShape()).replaceAll("^\\[|\\]$", ""), ck.classes(), ck.config().model());
        o.flush();
        return 0;
    }
}
