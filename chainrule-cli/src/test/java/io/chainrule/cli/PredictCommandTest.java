package io.chainrule.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chainrule predict} on images, IDX files and CSV rows, checked against {@code eval} and each other. */
class PredictCommandTest {
    @TempDir
    static Path shared;
    private static Path idxData;
    private static Path imageRun;

    @BeforeAll
    static void trainOnTinyImages() throws Exception {
        idxData = IdxFixture.write(shared.resolve("idx"), 60, 20);
        imageRun = shared.resolve("run");
        Cli.Run r = Cli.run("train", "--data", idxData.toString(), "--hidden", "8", "--epochs", "4", "--batch-size",
                "16", "--lr", "0.02", "--out", imageRun.toString(), "--quiet");
        assertEquals(0, r.exit(), r::toString);
    }

    private static final Pattern TOP = Pattern.compile("\"class\":(\\d+),\"name\":\"[^\"]*\",\"top\":\\[(.*)]}");
    private static final Pattern P = Pattern.compile("\"p\":([0-9.Ee-]+)");

    /** The predicted class of each JSON line. */
    private static List<Integer> classes(String out) {
        List<Integer> c = new ArrayList<>();
        for (String line : out.lines().toList()) {
            Matcher m = TOP.matcher(line);
            assertTrue(m.find(), line);
            c.add(Integer.parseInt(m.group(1)));
        }
        return c;
    }

    private static List<Double> probabilities(String line) {
        List<Double> p = new ArrayList<>();
        Matcher m = P.matcher(line);
        while (m.find()) p.add(Double.parseDouble(m.group(1)));
        return p;
    }

    @Test
    void idxFileOfImagesAgreesWithEvalOnTheTestSplit() throws Exception {
        Cli.Run r = Cli.run("predict", imageRun.toString(), "--input", idxData.resolve("t10k-images-idx3-ubyte").toString(),
                "--json", "--top", "2");
        assertEquals(0, r.exit(), r::toString);
        List<Integer> predicted = classes(r.out());
        assertEquals(20, predicted.size());
        int correct = 0;
        for (int i = 0; i < 20; i++) if (predicted.get(i) == i % 2) correct++;
        Cli.Run ev = Cli.run("eval", imageRun.toString(), "--json");
        Matcher acc = Pattern.compile("\"accuracy\":([0-9.]+)").matcher(ev.out());
        assertTrue(acc.find(), ev.out());
        assertEquals(Double.parseDouble(acc.group(1)), correct / 20.0, 1e-12, "predict's classes are eval's");
        for (String line : r.out().lines().toList()) {
            List<Double> p = probabilities(line);
            assertEquals(2, p.size(), line);
            assertTrue(p.get(0) >= p.get(1) && Math.abs(p.get(0) + p.get(1) - 1) < 1e-6, line); // two classes: the top 2 are all
        }
    }

    @Test
    void aPngGivesTheSameAnswerAsTheSameImageInAnIdxFile(@TempDir Path tmp) throws Exception {
        // Image 3 of the test file (class 1), once as an 8×8 PNG and once scaled up to 32×32 (resized back to 8×8).
        byte[] px = IdxFixture.image(3, 7);
        Path small = tmp.resolve("three.png"), big = tmp.resolve("three-big.png");
        ImageIO.write(gray(px, 1), "png", small.toFile());
        ImageIO.write(gray(px, 4), "png", big.toFile());
        Cli.Run idx = Cli.run("predict", imageRun.toString(), "-i", idxData.resolve("t10k-images-idx3-ubyte").toString(),
                "--json", "--top", "2");
        String third = idx.out().lines().toList().get(3);
        Cli.Run png = Cli.run("predict", imageRun.toString(), "-i", small.toString(), "-i", big.toString(), "--json",
                "--top", "2");
        assertEquals(0, png.exit(), png::toString);
        List<String> lines = png.out().lines().toList();
        assertEquals(2, lines.size(), png.out());
        List<Double> want = probabilities(third);
        List<Double> got = probabilities(lines.get(0));
        for (int j = 0; j < 2; j++) assertEquals(want.get(j), got.get(j), 1e-6, "8×8 PNG = IDX row: " + lines.get(0));
        assertEquals(1, classes(lines.get(1)).get(0), "the scaled-up image, resized to 8×8: " + lines.get(1));
        Cli.Run text = Cli.run("predict", imageRun.toString(), "-i", big.toString(), "--top", "2");
        assertTrue(text.out().startsWith(big + ": 1   (1 0."), text.out());
    }

    private static BufferedImage gray(byte[] px, int scale) {
        int side = IdxFixture.SIDE;
        BufferedImage img = new BufferedImage(side * scale, side * scale, BufferedImage.TYPE_BYTE_GRAY);
        for (int r = 0; r < side * scale; r++) {
            for (int c = 0; c < side * scale; c++) img.getRaster().setSample(c, r, 0, px[(r / scale) * side + c / scale] & 0xFF);
        }
        return img;
    }

    @Test
    void csvRowsAreStandardisedAsInTraining(@TempDir Path tmp) throws Exception {
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 60; i++) {
            double x = (i % 10) * 3.0 + 100, y = (i / 10) / 6.0;
            sb.append(x).append(',').append(y).append(',').append(x > 113 ? 1 : 0).append('\n');
        }
        Path csv = Files.writeString(tmp.resolve("points.csv"), sb.toString());
        Path run = tmp.resolve("csvrun");
        assertEquals(0, Cli.run("train", "--data", csv.toString(), "--epochs", "30", "--hidden", "8", "--val-split", "0",
                "--out", run.toString(), "--quiet").exit());
        Cli.Run r = Cli.run("predict", run.toString(), "--input", csv.toString(), "--json");
        assertEquals(0, r.exit(), r::toString);
        List<Integer> predicted = classes(r.out());
        assertEquals(60, predicted.size());
        int correct = 0;
        for (int i = 0; i < 60; i++) if (predicted.get(i) == ((i % 10) * 3.0 + 100 > 113 ? 1 : 0)) correct++;
        Cli.Run ev = Cli.run("eval", run.toString(), "--split", "train", "--json");
        Matcher acc = Pattern.compile("\"accuracy\":([0-9.]+)").matcher(ev.out());
        assertTrue(acc.find(), ev.out());
        assertEquals(Double.parseDouble(acc.group(1)), correct / 60.0, 1e-12);
        // Rows without the label column work too.
        Path rows = Files.writeString(tmp.resolve("rows.csv"), "130,0.5\n100,0.5\n");
        Cli.Run two = Cli.run("predict", run.toString(), "--input", rows.toString());
        assertEquals(0, two.exit(), two::toString);
        assertTrue(two.out().contains("rows.csv#0: 1 ") && two.out().contains("rows.csv#1: 0 "), two.out());
    }

    @Test
    void mistakesAreOneLine(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("spiral");
        assertEquals(0, Cli.run(TrainCommandTest.spiral(run, "--epochs", "1", "--val-split", "0", "--quiet")).exit());
        Path png = tmp.resolve("a.png");
        ImageIO.write(gray(IdxFixture.image(0, 0), 1), "png", png.toFile());
        Cli.Run image = Cli.run("predict", run.toString(), "--input", png.toString());
        assertEquals(1, image.exit(), image::toString);
        assertTrue(image.err().contains("is an image, but the run's model takes inputs of shape [2]"), image.err());
        Path wide = Files.writeString(tmp.resolve("wide.csv"), "1,2,3,4\n");
        Cli.Run cols = Cli.run("predict", run.toString(), "--input", wide.toString());
        assertEquals(1, cols.exit());
        assertTrue(cols.err().contains("wide.csv line 1: 4 columns, but the run's model takes 2 features"), cols.err());
        Cli.Run missing = Cli.run("predict", run.toString(), "--input", tmp.resolve("nope.csv").toString());
        assertTrue(missing.exit() == 1 && missing.err().contains("nope.csv: no such file"), missing.err());
        Cli.Run fake = Cli.run("predict", imageRun.toString(), "--input",
                Files.writeString(tmp.resolve("x.png"), "no").toString());
        assertTrue(fake.exit() == 1 && fake.err().contains("x.png: not an image ImageIO can read"), fake.err());
        Cli.Run top = Cli.run("predict", run.toString(), "--input", wide.toString(), "--top", "0");
        assertEquals(2, top.exit());
        Cli.Run noBest = Cli.run("predict", run.toString(), "--input", wide.toString(), "--best");
        assertEquals(1, noBest.exit(), noBest::toString);
        assertTrue(noBest.err().contains("kept no best model"), noBest.err());
        assertEquals(1, Cli.run("predict", run.toString(), "--input", wide.toString()).err().lines().count());
    }
}
