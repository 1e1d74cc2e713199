package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** eval's precision, recall, F1, macro averages and top-k accuracy, and an IDX folder's class names. */
class EvalMetricsTest {
    private static List<Double> array(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":\\[([^\\]]*)]").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        List<Double> v = new ArrayList<>();
        for (String s : m.group(1).split(",")) v.add(s.equals("null") ? Double.NaN : Double.parseDouble(s));
        return v;
    }

    private static double number(String json, String key) {
        Matcher m = Pattern.compile("\"" + key + "\":([0-9.Ee-]+|null)").matcher(json);
        assertTrue(m.find(), key + " in " + json);
        return m.group(1).equals("null") ? Double.NaN : Double.parseDouble(m.group(1));
    }

    private static long[][] confusion(String json, int k) {
        Matcher m = Pattern.compile("\"confusion\":\\[(.*)]}").matcher(json);
        assertTrue(m.find(), json);
        String[] rows = m.group(1).replace("[", "").split("],?");
        long[][] c = new long[k][k];
        for (int i = 0; i < k; i++) {
            String[] cells = rows[i].split(",");
            for (int j = 0; j < k; j++) c[i][j] = Long.parseLong(cells[j]);
        }
        return c;
    }

    @Test
    void precisionRecallF1FromTheConfusionMatrix(@TempDir Path tmp) {
        Path run = tmp.resolve("run");
        // A few epochs only: a model that still confuses classes, so the numbers differ from class to class.
        assertEquals(0, Cli.run(TrainCommandTest.spiral(run, "--epochs", "15", "--quiet")).exit());
        Cli.Run r = Cli.run("eval", run.toString(), "--json", "--top-k", "2");
        assertEquals(0, r.exit(), r::toString);
        long[][] c = confusion(r.out(), 3);
        List<Double> p = array(r.out(), "precision"), rec = array(r.out(), "recall"), f1 = array(r.out(), "f1");
        double macroF1 = 0;
        for (int k = 0; k < 3; k++) {
            long col = c[0][k] + c[1][k] + c[2][k], row = c[k][0] + c[k][1] + c[k][2];
            double wantP = (double) c[k][k] / col, wantR = (double) c[k][k] / row;
            assertEquals(wantP, p.get(k), 1e-12, "precision " + k);
            assertEquals(wantR, rec.get(k), 1e-12, "recall " + k);
            assertEquals(2 * wantP * wantR / (wantP + wantR), f1.get(k), 1e-12, "F1 " + k);
            macroF1 += f1.get(k) / 3;
        }
        assertEquals(macroF1, number(r.out(), "macro_f1"), 1e-12);
        double top2 = number(r.out(), "top_k_accuracy");
        assertEquals(2, (int) number(r.out(), "top_k"));
        assertTrue(top2 >= number(r.out(), "accuracy") && top2 <= 1, r.out());
        // Top-3 of 3 classes: every example.
        Cli.Run all = Cli.run("eval", run.toString(), "--json", "--top-k", "3");
        assertEquals(1.0, number(all.out(), "top_k_accuracy"));
        Cli.Run text = Cli.run("eval", run.toString(), "--top-k", "2");
        assertTrue(text.out().contains("top-2 accuracy") && text.out().contains("precision") && text.out().contains("macro avg"),
                text.out());
        Cli.Run bad = Cli.run("eval", run.toString(), "--top-k", "4");
        assertEquals(2, bad.exit(), bad::toString);
        assertTrue(bad.err().contains("--top-k must be between 1 and the 3 classes, got 4"), bad.err());
    }

    @Test
    void idxFolderClassNamesFromClassesTxt(@TempDir Path tmp) throws Exception {
        Path data = IdxFixture.write(tmp.resolve("idx"), 40, 10);
        Files.writeString(data.resolve("classes.txt"), "left\nright\n");
        Path run = tmp.resolve("run");
        Cli.Run t = Cli.run("train", "--data", data.toString(), "--hidden", "8", "--epochs", "2", "--out", run.toString(),
                "--quiet");
        assertEquals(0, t.exit(), t::toString);
        Cli.Run r = Cli.run("eval", run.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("\nleft ") && r.out().contains("\nright ") && r.out().contains("0 left"), r.out());
        Cli.Run json = Cli.run("eval", run.toString(), "--json");
        assertTrue(json.out().contains("\"class_names\":[\"left\",\"right\"]"), json.out());
        Cli.Run p = Cli.run("predict", run.toString(), "--input", data.resolve("t10k-images-idx3-ubyte").toString(), "--top", "1");
        assertTrue(p.out().contains("#0: 0 left") || p.out().contains("#0: 1 right"), p.out());
        Files.writeString(data.resolve("classes.txt"), "only-one\n");
        Cli.Run few = Cli.run("train", "--data", data.toString(), "--out", tmp.resolve("run2").toString());
        assertEquals(1, few.exit());
        assertTrue(few.err().contains("classes.txt names 1 classes, but the labels go up to 1"), few.err());
    }
}
