package io.chainrule.cli;

import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** model.safetensors and best.safetensors say how to rebuild their model in their __metadata__. */
class ModelMetadataTest {
    @Test
    void architectureAndSettingsInTheModelFiles(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(run, "--epochs", "3", "--dropout", "0.1", "--activation", "tanh",
                "--quiet")).exit());
        Map<String, String> meta = Safetensors.loadMetadata(run.resolve("model.safetensors"));
        assertEquals("Sequential(\n"
                + "  (0): Linear(in_features=2, out_features=32, bias=True)\n"
                + "  (1): Tanh()\n"
                + "  (2): Dropout(p=0.1, inplace=False)\n"
                + "  (3): Linear(in_features=32, out_features=32, bias=True)\n"
                + "  (4): Tanh()\n"
                + "  (5): Dropout(p=0.1, inplace=False)\n"
                + "  (6): Linear(in_features=32, out_features=3, bias=True)\n"
                + ")", meta.get("chainrule.architecture"));
        assertEquals("pt", meta.get("format"));
        assertEquals("32,32", meta.get("chainrule.hidden"));
        assertEquals("tanh", meta.get("chainrule.activation"));
        assertEquals("2", meta.get("chainrule.input_shape"));
        assertEquals("3", meta.get("chainrule.classes"));
        assertEquals("0|1|2", meta.get("chainrule.class_names"));
        assertEquals("3", meta.get("chainrule.epoch"));
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(run.resolve("checkpoint.properties"))) {
            p.load(in);
        }
        Map<String, String> best = Safetensors.loadMetadata(run.resolve("best.safetensors"));
        assertEquals(p.getProperty("best.epoch"), best.get("chainrule.epoch"));
        assertTrue(best.get("chainrule.architecture").startsWith("Sequential("), best.toString());
    }

    @Test
    void csvStandardisationTravelsWithTheModel(@TempDir Path tmp) throws Exception {
        Path csv = Files.writeString(tmp.resolve("p.csv"), "a,b,label\n1,10,0\n3,20,1\n5,30,0\n7,40,1\n9,50,0\n11,60,1\n");
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run("train", "--data", csv.toString(), "--epochs", "1", "--val-split", "0", "--out",
                run.toString(), "--quiet").exit());
        Map<String, String> meta = Safetensors.loadMetadata(run.resolve("model.safetensors"));
        assertEquals("6.0,35.0", meta.get("chainrule.mean"));
        String[] std = meta.get("chainrule.std").split(",");
        assertEquals(Math.sqrt(35.0 / 3), Double.parseDouble(std[0]), 1e-12); // population std of 1,3,...,11
    }
}
