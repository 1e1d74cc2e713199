package io.chainrule.cli.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The terminal bar's last drawing stays on screen after a stop; the ETA's format. */
class ProgressBarTest {
    @Test
    void aKeptBarStaysWithTheBatchesDone() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        TransientBar bar = new TransientBar(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        bar.accept("epoch 1/2  40% 120/300");
        bar.clear();
        String wiped = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(wiped.endsWith("\r") && wiped.lastIndexOf("120/300") < wiped.lastIndexOf("    "), wiped);
        bytes.reset();
        bar.accept("epoch 1/2  40% 120/300");
        bar.keep();
        bar.clear();
        assertEquals("\repoch 1/2  40% 120/300\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void durations() {
        assertEquals("0:00", TrainRun.duration(0.2));
        assertEquals("1:05", TrainRun.duration(65));
        assertEquals("2:03:04", TrainRun.duration(7384));
    }
}
