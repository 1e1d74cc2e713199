package io.chainrule.cli.live;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The page in a real headless Chromium (Debian's {@code chromium}), driven over the DevTools protocol with the JDK's
 * own WebSocket client: after a short training run the loss chart holds exactly the run's points, and a mouse click
 * on a graph node shows that node's gradient. Saves a screenshot to {@code target/ui-screenshot.png}. Skipped
 * without Chromium, except in CI ({@code CI} set), where a missing browser fails the test.
 */
class BrowserTest {
    private static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
    private static final Pattern STRING_VALUE = Pattern.compile("\"result\":\\{\"type\":\"string\",\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    @Test
    void curvesShowTheRunAndAClickShowsAGradient(@TempDir Path tmp) throws Exception {
        requireChromium();
        Path run = tmp.resolve("run");
        // 300 spiral points in batches of 100 for 4 epochs: 12 steps; --ui 0 saves live.json as the run ends.
        var cmd = io.chainrule.cli.Main.commandLine();
        cmd.setOut(new java.io.PrintWriter(java.io.Writer.nullWriter()));
        cmd.setErr(new java.io.PrintWriter(java.io.Writer.nullWriter()));
        assertEquals(0, cmd.execute("train", "--out", run.toString(), "--epochs", "4", "--batch-size", "100", "--ui", "0"));
        String json = Files.readString(run.resolve("live.json"));

        try (LiveServer server = LiveServer.start(0, List.of(new SavedRun(run)));
             Browser browser = Browser.launch(tmp.resolve("profile"))) {
            browser.call("Page.enable", "{}");
            browser.call("Page.navigate", "{\"url\":\"" + server.url() + "\"}");
            String ready = "window.chainrule && window.chainrule.charts.loss && document.querySelector('#graph-nodes li')"
                    + " ? 'yes' : 'no'";
            browser.waitFor(ready, "yes");

            // The loss chart: series 1 the 12 batch losses, series 2 the 4 epoch losses, the run's own numbers.
            List<Double> batch = numbers(browser.eval("window.chainrule.charts.loss.data[1].filter(v => v != null).join(',')"));
            List<Double> epochs = numbers(browser.eval("window.chainrule.charts.loss.data[2].filter(v => v != null).join(',')"));
            assertEquals(numbers(array(json, "\"steps\":\\{\"step\":[^}]*?\"loss\"")), batch);
            assertEquals(numbers(array(json, "\"epochs\":\\{[^}]*?\"trainLoss\"")), epochs);
            assertEquals(12, batch.size());
            assertEquals(4, epochs.size());
            assertEquals(String.valueOf(12.0), browser.eval("String(window.chainrule.charts.loss.data[0].slice(-1)[0].toFixed(1))"));

            // A click on node "4.bias" (the picture's box when Graphviz drew one, else its line in the list).
            Matcher node = Pattern.compile("\\{\"id\":\"(n[0-9]+)\",\"op\":\"leaf\",\"name\":\"4\\.bias\",[^}]*\"grad\":\"([^\"]+)\"")
                    .matcher(json);
            assertTrue(node.find(), json);
            String id = node.group(1), grad = node.group(2);
            String where = browser.eval("(() => { const el = document.querySelector('#graph-svg g.node[data-node=\"" + id
                    + "\"]') || document.querySelector('#graph-nodes li[data-node=\"" + id + "\"]');"
                    + " el.scrollIntoView({block: 'center'}); const r = el.getBoundingClientRect();"
                    + " return Math.round(r.x + r.width / 2) + ',' + Math.round(r.y + r.height / 2); })()");
            String[] xy = where.split(",");
            for (String type : new String[] {"mousePressed", "mouseReleased"}) {
                browser.call("Input.dispatchMouseEvent", "{\"type\":\"" + type + "\",\"x\":" + xy[0] + ",\"y\":" + xy[1]
                        + ",\"button\":\"left\",\"clickCount\":1}");
            }
            browser.waitFor("(document.querySelector('#node-detail .v-gradient') || {}).textContent || ''", grad);
            assertEquals("4.bias", browser.eval("document.querySelector('#node-detail .v-name').textContent.trim()"));
            assertEquals("[3]", browser.eval("document.querySelector('#node-detail .v-shape').textContent.trim()"));

            browser.eval("window.scrollTo(0, 0), ''");
            String png = browser.call("Page.captureScreenshot", "{\"format\":\"png\"}");
            Matcher data = Pattern.compile("\"data\":\"([^\"]+)\"").matcher(png);
            assertTrue(data.find(), png);
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "ui-screenshot.png"), Base64.getDecoder().decode(data.group(1)));
        }
    }

    @Test
    void pageFollowsALiveRun(@TempDir Path tmp) throws Exception {
        requireChromium();
        Files.createDirectories(tmp.resolve("live-run"));
        LiveState state = new LiveState(tmp.resolve("live-run"));
        for (int s = 1; s <= 3; s++) state.step(new TrainView.Step(s, 1, 1.0 / s, 0.5, 0.01, 100));
        String points = "window.chainrule && window.chainrule.charts.loss"
                + " ? String(window.chainrule.charts.loss.data[1].filter(v => v != null).length) : ''";
        try (LiveServer server = LiveServer.start(0, List.of(state));
             Browser browser = Browser.launch(tmp.resolve("profile"))) {
            browser.call("Page.enable", "{}");
            browser.call("Page.navigate", "{\"url\":\"" + server.url() + "\"}");
            browser.waitFor(points, "3");
            assertEquals("live-run: training, step 3", browser.eval("document.getElementById('status').textContent"));
            // Four more steps and an epoch while the page is open: it polls them in.
            for (int s = 4; s <= 7; s++) state.step(new TrainView.Step(s, 1, 1.0 / s, 0.5, 0.01, 100));
            state.epoch(1, 7, 0.4, 0.5, Double.NaN, Double.NaN, 0.01, 100);
            browser.waitFor(points, "7");
            assertEquals("0.4", browser.eval("String(window.chainrule.charts.loss.data[2].filter(v => v != null))"));
            state.finish();
            browser.waitFor("document.getElementById('status').textContent", "live-run: finished, step 7");
        }
    }

    private static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM)) {
            String why = CHROMIUM + " is not installed (apt-get install chromium)";
            if (System.getenv("CI") != null) fail(why);
            assumeTrue(false, why);
        }
    }

    /** The JSON array that follows {@code prefix} (a regex ending at the key) in {@code json}. */
    private static String array(String json, String prefix) {
        Matcher m = Pattern.compile(prefix + ":\\[([^\\]]*)\\]").matcher(json);
        assertTrue(m.find(), prefix);
        return m.group(1);
    }

    private static List<Double> numbers(String csv) {
        List<Double> out = new ArrayList<>();
        if (csv.isEmpty()) return out;
        for (String s : csv.split(",", -1)) out.add(Double.parseDouble(s.trim())); // a blank (a gap) fails here
        return out;
    }

    /** A headless Chromium with one page, and a DevTools connection to that page. */
    private static final class Browser implements AutoCloseable {
        private final Process process;
        private final WebSocket socket;
        private final BlockingQueue<String> messages;
        private int nextId = 1;

        private Browser(Process process, WebSocket socket, BlockingQueue<String> messages) {
            this.process = process;
            this.socket = socket;
            this.messages = messages;
        }

        static Browser launch(Path profile) throws Exception {
            Files.createDirectories(profile);
            Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
                    "--window-size=1300,1500", "about:blank").redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                String port = devToolsPort(p);
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                String list = "";
                String pageSocket = null;
                Pattern page = Pattern.compile("\"type\": ?\"page\"[^}]*?\"webSocketDebuggerUrl\": ?\"([^\"]+)\"");
                for (int i = 0; i < 50 && pageSocket == null; i++) { // the page target appears shortly
                    list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                    Matcher m = page.matcher(list);
                    if (m.find()) pageSocket = m.group(1);
                    else Thread.sleep(100);
                }
                if (pageSocket == null) throw new IOException("no page target in " + list);
                BlockingQueue<String> messages = new LinkedBlockingQueue<>();
                WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
                    private final StringBuilder part = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        part.append(data);
                        if (last) {
                            messages.add(part.toString());
                            part.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
                return new Browser(p, socket, messages);
            } catch (Exception | Error e) {
                stop(p);
                throw e;
            }
        }

        /** Reads Chromium's "DevTools listening on ws://127.0.0.1:PORT/..." line from its stderr. */
        private static String devToolsPort(Process p) throws IOException {
            BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
            Pattern listening = Pattern.compile("DevTools listening on ws://[^:]+:([0-9]+)/");
            StringBuilder seen = new StringBuilder();
            for (String line; (line = err.readLine()) != null; ) {
                Matcher m = listening.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> {
                        try {
                            err.transferTo(java.io.Writer.nullWriter());
                        } catch (IOException ignored) {
                            // the browser is gone
                        }
                    }, "chromium-stderr");
                    drain.setDaemon(true);
                    drain.start();
                    return m.group(1);
                }
                seen.append(line).append('\n');
            }
            throw new IOException("chromium exited before its DevTools port was known:\n" + seen);
        }

        /** Sends a DevTools command and returns its response message. */
        String call(String method, String params) throws Exception {
            int id = nextId++;
            socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true)
                    .get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                String m = messages.poll(200, TimeUnit.MILLISECONDS);
                if (m != null && m.startsWith("{\"id\":" + id + ",")) {
                    if (m.contains("\"error\":")) throw new AssertionError(method + ": " + m);
                    return m;
                }
            }
            throw new AssertionError("no answer to " + method + " within 20 s");
        }

        /** The value of a JavaScript expression that gives a string. */
        String eval(String expression) throws Exception {
            String m = call("Runtime.evaluate", "{\"expression\":" + quote(expression) + ",\"returnByValue\":true}");
            Matcher v = STRING_VALUE.matcher(m);
            if (!v.find()) throw new AssertionError("not a string: " + expression + " -> " + m);
            return v.group(1).replace("\\\"", "\"").replace("\\\\", "\\");
        }

        /** Polls {@code expression} until it gives {@code expected} (10 s at most). */
        void waitFor(String expression, String expected) throws Exception {
            String last = null;
            for (int i = 0; i < 100; i++) {
                last = eval(expression);
                if (last.equals(expected)) return;
                Thread.sleep(100);
            }
            throw new AssertionError(expression + ": expected " + expected + ", still " + last);
        }

        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }

        @Override
        public void close() {
            socket.abort();
            stop(process);
        }

        private static void stop(Process p) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
