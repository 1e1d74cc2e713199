package io.chainrule.onnx;

import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Tensor data kept outside the model file (ONNX's external data: {@code location}, {@code offset}, {@code length}
 * entries; what {@code torch.onnx.export} writes by default from PyTorch 2.9, and what models over 2 GiB must use).
 * The location must stay inside the model's folder, and the file must hold the bytes the tensor's shape needs:
 * everything is checked before reading, and only that many bytes are read.
 */
final class ExternalData {
    private ExternalData() {}

    /** The {@code expectedBytes} of {@code proto}'s external data, read from {@code modelDir}. */
    static ByteString read(TensorProto proto, long expectedBytes, Path modelDir, String where) throws IOException {
        String location = null;
        long offset = 0, length = -1;
        for (StringStringEntryProto e : proto.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = number(e.getValue(), "offset", where);
                case "length" -> length = number(e.getValue(), "length", where);
                default -> { } // checksum and others do not change the bytes
            }
        }
        if (location == null || location.isEmpty()) throw new IOException(where + ": external data without a location");
        Path dir = modelDir.toAbsolutePath().normalize();
        Path file;
        try {
            file = dir.resolve(location).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw new IOException(where + ": external data location '" + location + "' is not a valid path", e);
        }
        if (Path.of(location).isAbsolute() || !file.startsWith(dir)) {
            throw new IOException(where + ": external data location '" + location + "' is outside the model's folder " + dir);
        }
        if (!Files.isRegularFile(file)) throw new IOException(where + ": external data file " + file + " does not exist");
        if (expectedBytes > Integer.MAX_VALUE - 8) {
            throw new IOException(where + ": " + expectedBytes + " bytes of external data is more than one tensor can hold here (2 GiB)");
        }
        if (length >= 0 && length != expectedBytes) {
            throw new IOException(where + ": external data length " + length + " but the tensor's shape needs " + expectedBytes + " bytes");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (offset > size || size - offset < expectedBytes) {
                throw new IOException(where + ": external data file " + file + " has " + size + " bytes; the tensor needs "
                        + expectedBytes + " from offset " + offset);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) expectedBytes);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) throw new IOException(where + ": " + file + " ended early");
            }
            return UnsafeByteOperations.unsafeWrap(buf.array()); // the array is ours alone
        }
    }

    private static long number(String value, String key, String where) throws IOException {
        try {
            long v = Long.parseLong(value.trim());
            if (v < 0) throw new NumberFormatException("negative");
            return v;
        } catch (NumberFormatException e) {
            throw new IOException(where + ": external data " + key + " '" + value + "' is not a byte count");
        }
    }
}
