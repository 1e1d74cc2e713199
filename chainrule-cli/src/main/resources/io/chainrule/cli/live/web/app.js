// The browser view of chainrule runs: polls /api/runs/N every second while a run is live, draws the curves with
// uPlot, the histograms on canvases, and the graph of one step (Graphviz's SVG when the run has one, and a list).
"use strict";
(function () {
  const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f",
    "#bcbd22"];
  const state = { runs: [], data: {}, charts: {}, shown: {}, selected: null, graphRun: null };
  window.chainrule = state; // for the browser test and for poking around in the console

  const $ = (id) => document.getElementById(id);
  const finite = (v) => (v === null || v === undefined || !isFinite(v) ? null : v);
  const positive = (v) => (v === null || !(v > 0) ? null : v);

  async function getJson(url) {
    const r = await fetch(url, { cache: "no-store" });
    if (!r.ok) throw new Error(url + ": " + r.status);
    return r.json();
  }

  async function start() {
    state.runs = await getJson("/api/runs");
    $("runs").textContent = state.runs.map((r) => r.name).join(" · ");
    await poll();
  }

  async function poll() {
    let live = false;
    try {
      for (const run of state.runs) {
        const old = state.data[run.id];
        if (old && !old.live) continue; // finished: its data no longer changes
        state.data[run.id] = await getJson("/api/runs/" + run.id);
        live = live || state.data[run.id].live;
      }
      render();
      $("status").textContent = statusText();
    } catch (e) {
      $("status").textContent = "server stopped (" + e.message + ")";
      return; // the run ended and its server with it: keep what is drawn
    }
    if (live) setTimeout(poll, 1000);
  }

  function statusText() {
    return state.runs.map((r) => {
      const d = state.data[r.id];
      const s = d.steps.step.length ? d.steps.step[d.steps.step.length - 1] : d.epochs.step[d.epochs.step.length - 1];
      return r.name + ": " + (d.live ? "training" : "finished") + (s === undefined ? "" : ", step " + s);
    }).join(" · ");
  }

  // ------------------------------------------------------------------------------------------------ curves

  /** series: [{label, x, y}] with their own x values; joined on one x axis. */
  function drawLines(key, xLabel, series, log) {
    const el = $("chart-" + key);
    const usable = series.filter((s) => s.x.length > 0);
    const labels = usable.map((s) => s.label).join("|");
    const data = usable.length
      ? uPlot.join(usable.map((s) => [s.x, s.y.map(log ? (v) => positive(finite(v)) : finite)]))
      : [[]];
    let chart = state.charts[key];
    if (chart && state.shown[key] === labels) {
      chart.setData(data);
      return;
    }
    if (chart) chart.destroy();
    const opts = {
      width: 520, height: 240,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [{ label: xLabel }, { size: 64, values: (u, vals) => vals.map((v) => (v === null ? "" : fmt(v))) }],
      series: [{ label: xLabel }].concat(usable.map((s, i) => ({
        label: s.label, stroke: s.color || PALETTE[i % PALETTE.length], width: s.width || 1.5, spanGaps: true,
        points: { show: s.points === true }, dash: s.dash,
      }))),
    };
    state.charts[key] = new uPlot(opts, data, el);
    state.shown[key] = labels;
  }

  function render() {
    const runs = state.runs.map((r) => ({ name: r.name, id: r.id, d: state.data[r.id] }));
    const many = runs.length > 1;
    const name = (r, what) => (many ? r.name + " " : "") + what;
    const loss = [], acc = [], lr = [], speed = [];
    runs.forEach((r, i) => {
      const c = PALETTE[i % PALETTE.length];
      const s = r.d.steps, e = r.d.epochs;
      loss.push({ label: name(r, "batch"), x: s.step, y: s.loss, color: c + "80", width: 1 });
      loss.push({ label: name(r, "train (epoch)"), x: e.step, y: e.trainLoss, color: c, width: 2, points: true });
      acc.push({ label: name(r, "batch"), x: s.step, y: s.accuracy.map((v) => v * 100), color: c + "80", width: 1 });
      acc.push({ label: name(r, "train (epoch)"), x: e.step, y: e.trainAcc.map((v) => v * 100), color: c, width: 2,
        points: true });
      if (e.testLoss.some((v) => v !== null)) {
        loss.push({ label: name(r, "test"), x: e.step, y: e.testLoss, color: c, width: 2, points: true, dash: [6, 4] });
        acc.push({ label: name(r, "test"), x: e.step, y: e.testAcc.map((v) => (v === null ? null : v * 100)),
          color: c, width: 2, points: true, dash: [6, 4] });
      }
      const hasSteps = s.step.length > 0;
      lr.push({ label: name(r, "lr"), x: hasSteps ? s.step : e.step, y: hasSteps ? s.lr : e.lr, color: c });
      speed.push({ label: name(r, "examples/s"), x: hasSteps ? s.step : e.step,
        y: hasSteps ? s.examplesPerSecond : e.examplesPerSecond, color: c });
    });
    drawLines("loss", "step", loss, false);
    drawLines("accuracy", "step", acc, false);
    drawLines("lr", "step", lr, false);
    drawLines("speed", "step", speed, false);

    // Gradient flow, histograms and graph: of the first run that has them.
    const flow = runs.find((r) => r.d.layers.names.length > 0);
    $("flow-run").textContent = flow ? "(" + flow.name + ")" : "(no run with per-layer data: train with --ui)";
    if (flow) {
      const L = flow.d.layers;
      drawLines("gradnorm", "step", L.names.map((n, i) => ({ label: n, x: L.step, y: L.gradNorm[i] })), true);
      drawLines("ratio", "step", L.names.map((n, i) => ({ label: n, x: L.step, y: L.updateRatio[i] })), true);
      renderHistograms(flow.d.histograms);
    }
    const withGraph = runs.find((r) => r.d.graph);
    if (withGraph && state.graphRun !== withGraph.id + ":" + withGraph.d.graph.nodes.length) {
      state.graphRun = withGraph.id + ":" + withGraph.d.graph.nodes.length;
      renderGraph(withGraph);
    }
  }

  // ------------------------------------------------------------------------------------------------ histograms

  function renderHistograms(snapshots) {
    if (!snapshots.length) return;
    const select = $("hist-layer"), slider = $("hist-snapshot");
    const names = snapshots[0].layers.map((l) => l.name);
    if (select.options.length !== names.length) {
      select.innerHTML = "";
      for (const n of names) select.add(new Option(n, n));
      select.onchange = () => drawHistogram(snapshots);
      slider.oninput = () => drawHistogram(state.histograms);
    }
    const atEnd = +slider.value >= +slider.max;
    slider.max = snapshots.length - 1;
    if (atEnd) slider.value = slider.max; // follow the newest snapshot unless the user went back
    state.histograms = snapshots;
    drawHistogram(snapshots);
  }

  function drawHistogram(snapshots) {
    const snap = snapshots[Math.min(+$("hist-snapshot").value, snapshots.length - 1)];
    const layer = snap.layers.find((l) => l.name === $("hist-layer").value) || snap.layers[0];
    $("hist-label").textContent = "step " + snap.step + (snap.epoch ? ", epoch " + snap.epoch : " (start)");
    bars($("hist-weights"), layer.weights, "#1f77b4");
    bars($("hist-grads"), layer.grads, "#d62728");
  }

  function bars(canvas, h, color) {
    const g = canvas.getContext("2d"), W = canvas.width, H = canvas.height, pad = 24;
    g.clearRect(0, 0, W, H);
    g.font = "11px sans-serif";
    g.fillStyle = "#555";
    if (!h) {
      g.fillText("no gradient yet", pad, H / 2);
      return;
    }
    const top = Math.max(1, ...h.counts), n = h.counts.length, w = (W - 2 * pad) / n;
    g.fillStyle = color;
    h.counts.forEach((c, i) => {
      const bh = (H - 2 * pad) * c / top;
      g.fillRect(pad + i * w, H - pad - bh, Math.max(1, w - 1), bh);
    });
    g.fillStyle = "#555";
    g.fillText(fmt(h.min), pad, H - 6);
    const mx = fmt(h.max);
    g.fillText(mx, W - pad - g.measureText(mx).width, H - 6);
    g.fillText("max count " + top, pad, 12);
  }

  /** Four significant digits, trailing zeros dropped; exponent form for the very small and the large. */
  function fmt(v) {
    if (v === null) return "—";
    if (v === 0) return "0";
    const a = Math.abs(v);
    return a >= 1e-3 && a < 1e5 ? String(+v.toPrecision(4)) : v.toExponential(1);
  }

  // ------------------------------------------------------------------------------------------------ graph

  async function renderGraph(run) {
    const g = run.d.graph;
    const list = $("graph-nodes");
    list.innerHTML = "";
    for (const n of g.nodes) {
      const li = document.createElement("li");
      li.dataset.node = n.id;
      li.textContent = (n.name ? n.name + " — " : "") + n.op + " " + n.shape;
      li.onclick = () => select(g, n.id);
      list.appendChild(li);
    }
    const info = state.runs.find((r) => r.id === run.id);
    if (!info.svg) {
      $("graph-svg").textContent = "graph.svg is absent (Graphviz was not installed when the run started).";
      return;
    }
    const text = await (await fetch("/api/runs/" + run.id + "/graph.svg")).text();
    const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    svg.querySelectorAll("script").forEach((s) => s.remove()); // a picture, never code
    const holder = $("graph-svg");
    holder.innerHTML = "";
    holder.appendChild(document.importNode(svg, true));
    holder.querySelectorAll("g.node").forEach((el) => {
      const title = el.querySelector("title");
      const m = title && /^n\d+/.exec(title.textContent.trim());
      if (!m) return;
      el.dataset.node = m[0];
      el.addEventListener("click", () => select(g, m[0]));
    });
  }

  function select(g, id) {
    const n = g.nodes.find((x) => x.id === id);
    if (!n) return;
    state.selected = id;
    document.querySelectorAll("[data-node]").forEach((el) => el.classList.toggle("selected", el.dataset.node === id));
    const d = $("node-detail");
    d.innerHTML = "";
    d.dataset.node = id;
    const row = (k, v, pre) => {
      if (v === null || v === undefined) return;
      const b = document.createElement("div");
      const label = document.createElement("strong");
      label.textContent = k;
      b.appendChild(label);
      const val = document.createElement(pre ? "pre" : "span");
      val.className = "v-" + k;
      val.textContent = (pre ? "" : " ") + v;
      b.appendChild(val);
      d.appendChild(b);
    };
    row("name", n.name);
    row("op", n.op);
    row("shape", n.shape);
    row("rule", n.rule);
    row("value", n.value, true);
    row("gradient", n.grad, true);
  }

  start().catch((e) => { $("status").textContent = "error: " + e.message; });
})();
