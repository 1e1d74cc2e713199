package io.chainrule.cli.tensorboard;

import com.google.protobuf.CodedOutputStream;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A TensorBoard event file ({@code events.out.tfevents.<seconds>.<host>}): TFRecord framing around {@code Event}
 * protobuf messages. Each record is the data's length (uint64, little-endian), the masked CRC32C of those 8 bytes,
 * the data, and the masked CRC32C of the data. The file is an append-only log that TensorBoard reads while it
 * grows, so it is written in place rather than atomically: a crash leaves a readable prefix (the reader stops at
 * a truncated record).
 *
 * <p>Only the fields chainrule writes are encoded, by number, with protobuf's own {@link CodedOutputStream}:
 * {@code Event{1 wall_time, 2 step, 3 file_version, 5 summary}}, {@code Summary{1 value}},
 * {@code Summary.Value{1 tag, 2 simple_value, 5 histo}} and {@code HistogramProto{1 min, 2 max, 3 num, 4 sum,
 * 5 sum_squares, 6 bucket_limit (packed), 7 bucket (packed)}}.
 */
public final class EventFileWriter implements Closeable {
    static final String FILE_VERSION = "brain.Event:2";
    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;

    private EventFileWriter(Path file) throws IOException {
        this.file = file;
        this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE));
    }

    /** Creates {@code dir} if needed and a new event file in it, which starts with the file-version event. */
    public static EventFileWriter create(Path dir) throws IOException {
        Files.createDirectories(dir);
        long now = System.currentTimeMillis();
        String host = hostName();
        Path f = dir.resolve("events.out.tfevents." + now / 1000 + "." + host);
        // A second writer in the same second (a resumed run) gets its own file: TensorBoard reads them all.
        for (int i = 1; Files.exists(f); i++) f = dir.resolve("events.out.tfevents." + now / 1000 + "." + host + "." + i);
        EventFileWriter w = new EventFileWriter(f);
        w.writeRecord(event(now / 1000.0, 0, out -> out.writeString(3, FILE_VERSION)));
        w.flush();
        return w;
    }

    public Path file() {
        return file;
    }

    /** One event holding scalar summaries, {@code tags[i] = values[i]}. */
    public void scalars(long step, double wallTime, String[] tags, double[] values) throws IOException {
        byte[] summary = message(out -> {
            for (int i = 0; i < tags.length; i++) {
                String tag = tags[i];
                float v = (float) values[i];
                out.writeByteArray(1, message(val -> {
                    val.writeString(1, tag);
                    val.writeFloat(2, v);
                }));
            }
        });
        writeRecord(event(wallTime, step, out -> out.writeByteArray(5, summary)));
    }

    /** One event holding a histogram summary. */
    public void histogram(long step, double wallTime, String tag, Histogram h) throws IOException {
        byte[] histo = message(out -> {
            out.writeDouble(1, h.min());
            out.writeDouble(2, h.max());
            out.writeDouble(3, h.count());
            out.writeDouble(4, h.sum());
            out.writeDouble(5, h.sumSquares());
            out.writeByteArray(6, packed(h.limits()));
            out.writeByteArray(7, packed(h.counts()));
        });
        byte[] summary = message(out -> out.writeByteArray(1, message(val -> {
            val.writeString(1, tag);
            val.writeByteArray(5, histo);
        })));
        writeRecord(event(wallTime, step, out -> out.writeByteArray(5, summary)));
    }

    /** Pushes the buffered records to the file, so TensorBoard sees them. */
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }

    /** The TFRecord's CRC: CRC32C rotated right by 15 bits plus a constant (masked, so CRCs of CRCs stay apart). */
    static int maskedCrc(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + MASK_DELTA;
    }

    private void writeRecord(byte[] data) throws IOException {
        ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(data.length);
        head.putInt(maskedCrc(head.array(), 0, 8));
        out.write(head.array());
        out.write(data);
        out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(maskedCrc(data, 0, data.length)).array());
    }

    private interface Fields {
        void write(CodedOutputStream out) throws IOException;
    }

    private static byte[] event(double wallTime, long step, Fields rest) throws IOException {
        return message(out -> {
            out.writeDouble(1, wallTime);
            out.writeInt64(2, step);
            rest.write(out);
        });
    }

    private static byte[] message(Fields fields) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        fields.write(out);
        out.flush();
        return bytes.toByteArray();
    }

    /** A packed repeated double field's payload (the field's tag and length come from writeByteArray). */
    private static byte[] packed(double[] values) throws IOException {
        return message(out -> {
            for (double v : values) out.writeDoubleNoTag(v);
        });
    }

    private static String hostName() {
        String h;
        try {
            h = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            h = "localhost";
        }
        return h.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
