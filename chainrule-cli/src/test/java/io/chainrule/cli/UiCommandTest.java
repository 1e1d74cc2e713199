package io.chainrule.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code train --ui} outside a terminal (serves during the run, stops with it) and {@code ui}'s argument checks. */
class UiCommandTest {
    @Test
    void trainWithUiServesThenStopsAndSavesLiveJson(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("run");
        Cli.Run r = Cli.run("train", "--out", out.toString(), "--epochs", "2", "--batch-size", "100", "--ui", "0");
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().matches("(?s).*live view http://127\\.0\\.0\\.1:[0-9]+/\\R.*"), r.out());
        String port = r.out().replaceAll("(?s).*live view http://127\\.0\\.0\\.1:([0-9]+)/.*", "$1");
        String json = Files.readString(out.resolve("live.json"));
        // 300 spiral points in batches of 100: 3 steps per epoch, 6 in all.
        assertTrue(json.startsWith("{\"name\":\"run\",\"live\":false,\"done\":true,\"steps\":{\"step\":[1,2,3,4,5,6],"), json);
        assertTrue(json.contains("\"epochs\":{\"epoch\":[1,2],\"step\":[3,6],"), json);
        assertTrue(json.contains("\"graph\":{\"nodes\":[{\"id\":\"n0\","), json);
        // The run is over, and so is its server.
        try (var s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), Integer.parseInt(port)), 2000);
            throw new AssertionError("the server still listens on " + port);
        } catch (java.net.ConnectException expected) {
            // refused: stopped
        }
        Cli.Run ui = Cli.run("ui", out.toString(), "--port", "0", "--serve-seconds", "0.2");
        assertEquals(0, ui.exit(), ui::toString);
        assertTrue(ui.out().startsWith("serving 1 run on http://127.0.0.1:"), ui.out());
    }

    @Test
    void uiRefusesAFolderThatIsNoRun(@TempDir Path tmp) {
        Cli.Run r = Cli.run("ui", tmp.toString(), "--port", "0");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().contains(tmp + " is not a run folder: it holds neither live.json nor metrics.csv"), r.err());
    }
}
