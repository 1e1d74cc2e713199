package io.chainrule.cli;

import io.chainrule.io.Safetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --standardize (the default for CSV) and --no-standardize. */
class StandardizeTest {
    @Test
    void noStandardizeKeepsTheFeaturesAndSaysSoToEvalAndPredict(@TempDir Path tmp) throws Exception {
        Path csv = Files.writeString(tmp.resolve("p.csv"), "a,b,label\n1,10,0\n3,20,1\n5,30,0\n7,40,1\n9,50,0\n11,60,1\n");
        Path on = tmp.resolve("on"), off = tmp.resolve("off");
        assertEquals(0, Cli.run("train", "--data", csv.toString(), "--epochs", "2", "--val-split", "0", "--out",
                on.toString(), "--quiet").exit());
        assertEquals(0, Cli.run("train", "--data", csv.toString(), "--epochs", "2", "--val-split", "0",
                "--no-standardize", "--out", off.toString(), "--quiet").exit());
        Map<String, String> standardised = Safetensors.loadMetadata(on.resolve("model.safetensors"));
        Map<String, String> raw = Safetensors.loadMetadata(off.resolve("model.safetensors"));
        assertEquals("6.0,35.0", standardised.get("chainrule.mean"));
        assertEquals("0.0,0.0", raw.get("chainrule.mean"));
        assertEquals("1.0,1.0", raw.get("chainrule.std"));
        // Resume and eval read the identity back, not the file's statistics.
        assertEquals(0, Cli.run("train", "--resume", off.toString(), "--epochs", "3", "--quiet").exit());
        assertEquals("0.0,0.0", Safetensors.loadMetadata(off.resolve("model.safetensors")).get("chainrule.mean"));
        assertEquals(0, Cli.run("eval", off.toString(), "--split", "train").exit());
        Cli.Run spiral = Cli.run("train", "--no-standardize", "--out", tmp.resolve("s").toString());
        assertEquals(2, spiral.exit());
        assertTrue(spiral.err().contains("--standardize and --no-standardize are for CSV data, not spiral"), spiral.err());
    }
}
