package io.chainrule.cli.live;

import io.chainrule.cli.tensorboard.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The view's server: its few endpoints, their JSON, and the refusals (traversal, other methods, other paths). */
class LiveServerTest {
    @TempDir
    Path tmp;
    private LiveServer server;
    private LiveState state;

    @BeforeEach
    void start() throws IOException {
        state = new LiveState(tmp.resolve("run-a"));
        Files.createDirectories(tmp.resolve("run-a"));
        state.step(new TrainView.Step(1, 1, 1.25, 0.5, 0.01, 1000));
        state.step(new TrainView.Step(2, 1, 0.75, 0.625, 0.01, 1200));
        state.layers(1, List.of(new TrainView.Layer("0.weight", 0.5, 0.001, 2)));
        state.histograms(2, 1, List.of(new TrainView.Histograms("0.weight", Histogram.of(new float[] {1, 2, 3}), null)));
        state.epoch(1, 2, 1.0, 0.5625, Double.NaN, Double.NaN, 0.01, 1100);
        Path saved = tmp.resolve("run-b");
        Files.createDirectories(saved);
        Files.writeString(saved.resolve("metrics.csv"), "epoch,train_loss,train_acc,test_loss,test_acc,lr,seconds,"
                + "examples_per_s,step\n1,0.9,0.6,0.8,0.7,0.001,1.5,200.0,10\n");
        server = LiveServer.start(0, List.of(state, new SavedRun(saved)));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void servesThePageUplotAndTheRuns() throws IOException {
        Response page = get("/");
        assertEquals(200, page.status());
        assertTrue(page.body().contains("<script src=\"/uplot.js\">"), page.body());
        Response uplot = get("/uplot.js");
        assertEquals(200, uplot.status());
        assertTrue(uplot.body().contains("uPlot") && uplot.body().length() > 10_000, "uPlot's script from the WebJar");
        assertEquals(200, get("/uplot.css").status());
        assertEquals(200, get("/app.js").status());
        assertEquals("[{\"id\":0,\"name\":\"run-a\",\"svg\":false},{\"id\":1,\"name\":\"run-b\",\"svg\":false}]",
                get("/api/runs").body());
        String a = get("/api/runs/0").body();
        assertTrue(a.startsWith("{\"name\":\"run-a\",\"live\":true,\"done\":false,\"steps\":{\"step\":[1,2],"
                + "\"epoch\":[1,1],\"loss\":[1.25,0.75],\"accuracy\":[0.5,0.625],\"lr\":[0.01,0.01],"
                + "\"examplesPerSecond\":[1000,1200]},\"epochs\":{\"epoch\":[1],\"step\":[2],\"trainLoss\":[1],"
                + "\"trainAcc\":[0.5625],\"testLoss\":[null],"), a);
        assertTrue(a.contains("\"layers\":{\"names\":[\"0.weight\"],\"step\":[1],\"gradNorm\":[[0.5]],"
                + "\"updateRatio\":[[0.001]]}"), a);
        assertTrue(a.contains("\"weights\":{\"min\":1,\"max\":3,"), a);
        assertTrue(a.contains("\"grads\":null"), a);
        state.finish();
        assertTrue(get("/api/runs/0").body().startsWith("{\"name\":\"run-a\",\"live\":false,\"done\":true,"));
        String b = get("/api/runs/1").body();
        assertTrue(b.contains("\"epochs\":{\"epoch\":[1],\"step\":[10],\"trainLoss\":[0.9],\"trainAcc\":[0.6],"
                + "\"testLoss\":[0.8],\"testAcc\":[0.7],\"lr\":[0.001],\"examplesPerSecond\":[200]}"), b);
        assertEquals(404, get("/api/runs/2").status());
        assertEquals(404, get("/api/runs/0/graph.svg").status()); // no Graphviz picture in this run
        assertEquals(404, get("/index.html").status());
        assertEquals(404, get("/pom.xml").status());
    }

    @Test
    void refusesTraversalAndOtherMethods() throws IOException {
        for (String p : List.of("/../pom.xml", "/api/../app.js", "/%2e%2e/pom.xml", "/%2E%2E%2Fpom.xml", "/.%2e/x",
                "/api/runs/0/..%2f..%2fmetrics.csv", "/..\\pom.xml", "/%5c..%5cpom.xml",
                "/app.js%00")) {
            assertEquals(400, get(p).status(), p);
        }
        // The request line's "//etc" reads as an authority: the path is /passwd, which is no path of ours.
        assertEquals(404, get("//etc/passwd").status());
        Response post = request("POST / HTTP/1.1");
        assertEquals(405, post.status());
    }

    @Test
    void listensOnLoopbackOnly() {
        assertTrue(server.url().startsWith("http://127.0.0.1:"));
        assertFalse(InetAddress.getLoopbackAddress().isAnyLocalAddress());
        assertThrows(IOException.class, () -> LiveServer.start(server.port(), List.of(state)), "the port is taken");
        assertThrows(IllegalArgumentException.class, () -> new SavedRun(tmp));
    }

    @Test
    void stopsWhenClosed() throws IOException {
        server.close();
        assertThrows(IOException.class, () -> get("/"));
    }

    record Response(int status, String body) {}

    private Response get(String rawPath) throws IOException {
        return request("GET " + rawPath + " HTTP/1.1");
    }

    /** Sends the request line as is (no client normalises the path on the way). */
    private Response request(String line) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int sep = text.indexOf("\r\n\r\n");
            return new Response(status, sep < 0 ? "" : text.substring(sep + 4));
        }
    }
}
