package io.chainrule.cli.tensorboard;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads event files back record by record: framing, both CRCs, and the Event fields. */
public class EventFileWriterTest {
    /** One decoded Event: the fields chainrule writes. */
    public record Value(String tag, Float simple, double[] histo) {}

    public record Event(double wallTime, long step, String fileVersion, List<Value> values) {}

    @Test
    void recordsDecodeToTheStepsAndValuesWritten(@TempDir Path tmp) throws IOException {
        Path f;
        try (EventFileWriter w = EventFileWriter.create(tmp.resolve("tb"))) {
            f = w.file();
            for (int step = 1; step <= 5; step++) {
                w.scalars(step, 1000.5 + step, new String[] {"train/loss", "train/lr"}, new double[] {1.0 / step, 0.01});
            }
            w.histogram(7, 2000.25, "weights/0.weight", Histogram.of(new float[] {-1, 0, 0.5f, 1, 1}));
        }
        assertTrue(f.getFileName().toString().startsWith("events.out.tfevents."), f.toString());
        List<Event> events = read(f);
        assertEquals(7, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(0, events.get(0).values().size());
        for (int step = 1; step <= 5; step++) {
            Event e = events.get(step);
            assertEquals(step, e.step());
            assertEquals(1000.5 + step, e.wallTime());
            assertNull(e.fileVersion());
            assertEquals("train/loss", e.values().get(0).tag());
            assertEquals((float) (1.0 / step), e.values().get(0).simple());
            assertEquals("train/lr", e.values().get(1).tag());
            assertEquals(0.01f, e.values().get(1).simple());
        }
        Event h = events.get(6);
        assertEquals(7, h.step());
        assertEquals("weights/0.weight", h.values().get(0).tag());
        double[] histo = h.values().get(0).histo();
        // min, max, num, sum, sum of squares
        assertArrayEquals(new double[] {-1, 1, 5, 1.5, 3.25}, java.util.Arrays.copyOf(histo, 5), 1e-12);
        // 30 limits then 30 counts: the last limit is the maximum, the counts add up to 5, two 1s in the last
        assertEquals(5 + 2 * Histogram.BUCKETS, histo.length);
        assertEquals(1.0, histo[5 + Histogram.BUCKETS - 1]);
        double total = 0;
        for (int i = 0; i < Histogram.BUCKETS; i++) total += histo[5 + Histogram.BUCKETS + i];
        assertEquals(5, total);
        assertEquals(2, histo[5 + 2 * Histogram.BUCKETS - 1]);
        // The sample the Python check (src/test/python/check_tfevents.py --sample) reads with TensorBoard itself.
        Path sample = Path.of("target", "tb-sample");
        Files.createDirectories(sample);
        Files.copy(f, sample.resolve("events.out.tfevents.sample"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void maskedCrcIsTensorFlowsMask() {
        byte[] data = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        // TensorBoard's own masked_crc32c(b"123456789") (tensorboard.compat.tensorflow_stub.pywrap_tensorflow)
        assertEquals(0xc78ab0e5, EventFileWriter.maskedCrc(data, 0, data.length));
    }

    /** Decodes every record, checking the length's and the data's masked CRC32C. */
    public static List<Event> read(Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        ByteBuffer buf = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        List<Event> out = new ArrayList<>();
        while (buf.hasRemaining()) {
            int start = buf.position();
            long len = buf.getLong();
            assertEquals(mask(all, start, 8), buf.getInt(), "length CRC at " + start);
            byte[] data = new byte[(int) len];
            buf.get(data);
            assertEquals(mask(data, 0, data.length), buf.getInt(), "data CRC at " + start);
            out.add(event(data));
        }
        return out;
    }

    private static int mask(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        int v = (int) c.getValue();
        return ((v >>> 15) | (v << 17)) + 0xa282ead8;
    }

    private static Event event(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        double wall = Double.NaN;
        long step = 0;
        String version = null;
        List<Value> values = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case 1 -> wall = in.readDouble();
                case 2 -> step = in.readInt64();
                case 3 -> version = in.readString();
                case 5 -> {
                    CodedInputStream s = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = s.readTag()) != 0; ) {
                        assertEquals(1, WireFormat.getTagFieldNumber(t));
                        values.add(value(s.readByteArray()));
                    }
                }
                default -> throw new AssertionError("unexpected Event field " + WireFormat.getTagFieldNumber(tag));
            }
        }
        return new Event(wall, step, version, values);
    }

    private static Value value(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        String tag = null;
        Float simple = null;
        double[] histo = null;
        for (int t; (t = in.readTag()) != 0; ) {
            switch (WireFormat.getTagFieldNumber(t)) {
                case 1 -> tag = in.readString();
                case 2 -> simple = in.readFloat();
                case 5 -> histo = histo(in.readByteArray());
                default -> throw new AssertionError("unexpected Value field " + WireFormat.getTagFieldNumber(t));
            }
        }
        return new Value(tag, simple, histo);
    }

    /** min, max, num, sum, sum_squares, then the bucket limits, then the bucket counts. */
    private static double[] histo(byte[] data) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(data);
        double[] head = new double[5];
        List<Double> limits = new ArrayList<>(), counts = new ArrayList<>();
        for (int t; (t = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(t);
            if (field <= 5) {
                head[field - 1] = in.readDouble();
            } else {
                assertEquals(WireFormat.WIRETYPE_LENGTH_DELIMITED, WireFormat.getTagWireType(t), "packed field " + field);
                CodedInputStream p = CodedInputStream.newInstance(in.readByteArray());
                while (!p.isAtEnd()) (field == 6 ? limits : counts).add(p.readDouble());
            }
        }
        double[] out = new double[5 + limits.size() + counts.size()];
        System.arraycopy(head, 0, out, 0, 5);
        for (int i = 0; i < limits.size(); i++) out[5 + i] = limits.get(i);
        for (int i = 0; i < counts.size(); i++) out[5 + limits.size() + i] = counts.get(i);
        return out;
    }
}
