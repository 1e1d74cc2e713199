package io.chainrule.cli.live;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The browser view's server, on the JDK's built-in {@link HttpServer}, bound to the loopback address. It serves a
 * fixed set of paths and nothing else: the page ({@code /}, {@code /app.js}, {@code /app.css}, from this
 * package's {@code web/} resources), uPlot from its WebJar ({@code /uplot.js}, {@code /uplot.css}), and the runs'
 * data ({@code /api/runs}, {@code /api/runs/N}, {@code /api/runs/N/graph.svg}). No path maps to a file by name, so
 * there is nothing to traverse to; a path with {@code ..}, a backslash or an encoded dot, slash or backslash is
 * refused with 400 all the same, and any other path is 404.
 */
public final class LiveServer implements Closeable {
    private static final String WEB = "/io/chainrule/cli/live/web/";
    private static final String UPLOT_POM = "/META-INF/maven/org.webjars.npm/uplot/pom.properties";
    private static final Map<String, String[]> STATIC = Map.of(
            "/", new String[] {WEB + "index.html", "text/html; charset=utf-8"},
            "/app.js", new String[] {WEB + "app.js", "text/javascript; charset=utf-8"},
            "/app.css", new String[] {WEB + "app.css", "text/css; charset=utf-8"},
            "/uplot.js", new String[] {"uPlot.iife.min.js", "text/javascript; charset=utf-8"},
            "/uplot.css", new String[] {"uPlot.min.css", "text/css; charset=utf-8"});

    private final HttpServer server;
    private final ExecutorService pool;
    private final List<RunSource> runs;
    private final String uplotDir;

    private LiveServer(HttpServer server, ExecutorService pool, List<RunSource> runs, String uplotDir) {
        this.server = server;
        this.pool = pool;
        this.runs = runs;
        this.uplotDir = uplotDir;
    }

    /**
     * Starts serving {@code runs} on 127.0.0.1:{@code port} (0: any free port).
     *
     * @throws IOException naming the port when it is taken
     */
    public static LiveServer start(int port, List<RunSource> runs) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs to show");
        HttpServer s;
        try {
            s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        } catch (java.net.BindException e) {
            throw new IOException("cannot serve on 127.0.0.1:" + port + " (" + e.getMessage() + "); choose another "
                    + "port, or 0 for any free one", e);
        }
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "chainrule-ui");
            t.setDaemon(true); // never keeps the JVM alive after the run
            return t;
        });
        LiveServer ls = new LiveServer(s, pool, List.copyOf(runs), uplotDir());
        s.createContext("/", ls::handle);
        s.setExecutor(pool);
        s.start();
        return ls;
    }

    /** The page's address, {@code http://127.0.0.1:PORT/}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops at once: requests in progress are cut off. */
    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String raw = ex.getRequestURI().getRawPath();
            if (raw == null || refused(raw)) {
                send(ex, 400, "text/plain; charset=utf-8", "bad path\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                send(ex, 405, "text/plain; charset=utf-8", "GET only\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String[] file = STATIC.get(raw);
            if (file != null) {
                String resource = file[0].startsWith("/") ? file[0] : uplotDir + file[0];
                try (InputStream in = LiveServer.class.getResourceAsStream(resource)) {
                    if (in == null) throw new IOException("resource " + resource + " is missing from the jar");
                    send(ex, 200, file[1], in.readAllBytes());
                }
                return;
            }
            if (raw.equals("/api/runs")) {
                Json j = new Json().openArray();
                for (int i = 0; i < runs.size(); i++) {
                    j.open().field("id", i).field("name", runs.get(i).name()).key("svg").bool(runs.get(i).svg() != null)
                            .close();
                }
                send(ex, 200, "application/json", j.closeArray().toString().getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (raw.startsWith("/api/runs/")) {
                String[] parts = raw.substring("/api/runs/".length()).split("/", -1);
                int i = runIndex(parts[0]);
                if (i >= 0 && parts.length == 1) {
                    send(ex, 200, "application/json", runs.get(i).json().getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (i >= 0 && parts.length == 2 && parts[1].equals("graph.svg") && runs.get(i).svg() != null) {
                    send(ex, 200, "image/svg+xml", Files.readAllBytes(runs.get(i).svg()));
                    return;
                }
            }
            send(ex, 404, "text/plain; charset=utf-8", "not found\n".getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            // The browser gets a 500 when the headers are not sent yet; the run itself goes on.
            try {
                send(ex, 500, "text/plain; charset=utf-8", (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException | RuntimeException ignored) {
                // the connection is gone
            }
        }
    }

    /** Dot segments, backslashes and the encoded forms of dot, slash and backslash. */
    static boolean refused(String rawPath) {
        String p = rawPath.toLowerCase(Locale.ROOT);
        return p.contains("..") || p.contains("\\") || p.contains("%2e") || p.contains("%2f") || p.contains("%5c")
                || p.contains("%00") || p.contains("//") || !p.startsWith("/");
    }

    private int runIndex(String s) {
        if (!s.matches("[0-9]{1,6}")) return -1;
        int i = Integer.parseInt(s);
        return i < runs.size() ? i : -1;
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    /** The WebJar's folder of uPlot's built files, from the version its pom.properties names. */
    private static String uplotDir() throws IOException {
        Properties p = new Properties();
        try (InputStream in = LiveServer.class.getResourceAsStream(UPLOT_POM)) {
            if (in == null) throw new IOException("the uPlot WebJar is missing from the class path (" + UPLOT_POM + ")");
            p.load(in);
        }
        return "/META-INF/resources/webjars/uplot/" + p.getProperty("version") + "/dist/";
    }
}
