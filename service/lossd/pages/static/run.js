// One run's chart at /runs/{id}, drawn with plotly.js (served by lossd from the plotly wheel). Every
// `data-poll-ms` it asks GET /v1/runs/{id} for the series' counts, fetches again only the series that
// changed (GET /v1/runs/{id}/series/{name}, reduced on the server to about the chart's width, smoothed
// there as TensorBoard smooths), and the diagnosis, and redraws; the user's zoom survives the redraws.
(function () {
  "use strict";
  var main = document.getElementById("run-page");
  var root = main.getAttribute("data-root");
  var runId = main.getAttribute("data-run");
  var pollMs = Number(main.getAttribute("data-poll-ms"));
  var api = root + "/v1/runs/" + encodeURIComponent(runId);
  var chart = document.getElementById("chart");
  var slider = document.getElementById("smoothing");
  var logY = document.getElementById("log-y");
  var follow = document.getElementById("follow");
  // matplotlib's default colours, so that the page and plot.png agree
  var COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf"];
  var WIRE = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };
  var state = { names: [], hidden: {}, reads: {}, keys: {}, diagnosis: null, busy: false, again: false,
    timer: null, gone: false, listening: false };

  var $ = window.lossdDom.$;
  var el = window.lossdDom.el;

  function num(v) { return typeof v === "string" ? WIRE[v] : v; }
  function drawn(values) { return values.map(function (v) { v = num(v); return isFinite(v) ? v : null; }); }
  function fmt(v) { v = num(v); return isFinite(v) ? String(Number(v.toPrecision(4))) : String(v); }
  function seriesPath(name) { return name.split("/").map(encodeURIComponent).join("/"); }
  function smoothing() { return Number(slider.value); }
  // about one point per pixel: more could not be seen
  function maxPoints() { return Math.max(200, Math.min(4000, Math.round(chart.clientWidth || 1000))); }

  function getJSON(url) {
    return fetch(url, { headers: { accept: "application/json" } }).then(function (r) {
      return r.json().then(function (out) {
        if (!r.ok) { var e = new Error(out.detail || out.title); e.status = r.status; throw e; }
        return out;
      });
    });
  }

  function showRun(run) {
    $("name").textContent = run.name;
    document.title = "lossd · " + run.name;
    var tags = Object.keys(run.tags).map(function (k) { return k + "=" + run.tags[k]; });
    $("tags").textContent = (tags.length ? tags.join(", ") + " · " : "") + "created " + run.created_at;
  }

  function showSeries(names) {
    var box = $("series");
    names.forEach(function (name, i) {
      if (box.querySelector("input[data-series='" + CSS.escape(name) + "']")) return;
      var input = el("input", { type: "checkbox", "data-series": name });
      input.checked = !state.hidden[name];
      input.addEventListener("change", function () { state.hidden[name] = !input.checked; draw(); });
      var label = el("label", { class: "toggle", style: "--colour: " + COLOURS[i % COLOURS.length] });
      label.appendChild(input);
      label.appendChild(document.createTextNode(" " + name));
      box.appendChild(label);
    });
  }

  function showDiagnosis(d) {
    var status = $("status");
    status.textContent = d.status.replace("_", " ");
    status.setAttribute("data-status", d.status);
    var facts = $("facts");
    facts.textContent = "";
    var rows = [
      ["monitor", d.monitor === null ? "—" : d.monitor + (d.train ? " (train: " + d.train + ")" : "")],
      ["best", d.best ? fmt(d.best.value) + " at step " + d.best.step : "—"],
      ["stop at", d.stop_at === null ? "—" : "step " + d.stop_at],
      ["overfitting since", d.overfitting_since === null ? "—" : "step " + d.overfitting_since],
      ["diverged at", d.diverged_at === null ? "—" : "step " + d.diverged_at],
      ["generalization gap", d.generalization_gap === null ? "—" : fmt(d.generalization_gap)],
    ];
    rows.forEach(function (r) {
      facts.appendChild(el("dt", {}, r[0]));
      facts.appendChild(el("dd", { "data-fact": r[0] }, r[1]));
    });
  }

  function rgba(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function traces() {
    var out = [];
    var smooth = smoothing() > 0;
    state.names.forEach(function (name, i) {
      var read = state.reads[name];
      if (!read) return;
      var colour = COLOURS[i % COLOURS.length];
      var visible = state.hidden[name] ? "legendonly" : true;
      var common = { x: read.steps, legendgroup: name, visible: visible, mode: "lines", type: "scatter" };
      if (read.count > read.steps.length) { // reduced: each bucket's min-max band behind its mean
        out.push(Object.assign({}, common, { y: drawn(read.max), name: name + " max", showlegend: false,
          line: { width: 0 }, hoverinfo: "skip", meta: "band" }));
        out.push(Object.assign({}, common, { y: drawn(read.min), name: name + " min", showlegend: false,
          line: { width: 0 }, fill: "tonexty", fillcolor: rgba(colour, 0.15), hoverinfo: "skip", meta: "band" }));
      }
      out.push(Object.assign({}, common, { y: drawn(read.values), name: smooth ? name + " (raw)" : name,
        showlegend: !smooth, opacity: smooth ? 0.35 : 1, line: { color: colour, width: smooth ? 1 : 2 },
        meta: "values" }));
      if (smooth) {
        out.push(Object.assign({}, common, { y: drawn(read.smoothed), name: name,
          line: { color: colour, width: 2 }, meta: "smoothed" }));
      }
    });
    var d = state.diagnosis;
    if (d && d.best && state.names.indexOf(d.monitor) >= 0 && !state.hidden[d.monitor]) {
      out.push({ x: [d.best.step], y: [d.best.value], mode: "markers", type: "scatter", meta: "best",
        name: "best: step " + d.best.step + " (" + fmt(d.best.value) + ")",
        marker: { symbol: "star", size: 16, color: "goldenrod", line: { color: "black", width: 1 } } });
    }
    return out;
  }

  function marks() {
    var d = state.diagnosis;
    var shapes = [];
    var notes = [];
    if (!d || state.names.indexOf(d.monitor) < 0) return { shapes: shapes, annotations: notes };
    [["overfitting_since", "overfitting since step ", "crimson", "dash"],
      ["diverged_at", "diverged at step ", "black", "dot"]].forEach(function (m) {
      var step = d[m[0]];
      if (step === null) return;
      shapes.push({ type: "line", xref: "x", yref: "paper", x0: step, x1: step, y0: 0, y1: 1,
        line: { color: m[2], dash: m[3], width: 1.5 } });
      notes.push({ xref: "x", yref: "paper", x: step, y: 1, yanchor: "bottom", showarrow: false,
        text: m[1] + step, font: { color: m[2], size: 12 } });
    });
    return { shapes: shapes, annotations: notes };
  }

  function draw() {
    var m = marks();
    var layout = {
      uirevision: runId, // the user's zoom and pan survive every redraw
      margin: { t: 40, r: 20, b: 50, l: 70 },
      hovermode: "x unified",
      xaxis: { title: { text: "step" }, zeroline: false },
      yaxis: { title: { text: logY.checked ? "loss (log scale)" : "loss" }, type: logY.checked ? "log" : "linear",
        uirevision: logY.checked }, // a zoom in one scale means nothing in the other
      legend: { orientation: "h", y: -0.18 },
      shapes: m.shapes,
      annotations: m.annotations,
    };
    window.Plotly.react(chart, traces(), layout, {
      displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] });
    if (!state.listening) listen();
    var counts = {};
    state.names.forEach(function (name) { if (state.reads[name]) counts[name] = state.reads[name].count; });
    chart.setAttribute("data-counts", JSON.stringify(counts));
    chart.setAttribute("data-revision", String(Number(chart.getAttribute("data-revision")) + 1));
    links();
  }

  // A legend click hides or shows the whole series (raw, smoothed and band), as its box does. (Plotly's
  // events exist once it has drawn.)
  function listen() {
    state.listening = true;
    chart.on("plotly_legendclick", function (ev) {
      var name = ev.data[ev.curveNumber].legendgroup;
      if (!name) return true;
      state.hidden[name] = !state.hidden[name];
      var box = $("series").querySelector("input[data-series='" + CSS.escape(name) + "']");
      if (box) box.checked = !state.hidden[name];
      draw();
      return false;
    });
    chart.on("plotly_legenddoubleclick", function () { return false; });
  }

  function links() {
    var shown = state.names.filter(function (n) { return !state.hidden[n]; });
    var params = new URLSearchParams();
    if (shown.length && shown.length < state.names.length) params.set("series", shown.join(","));
    if (smoothing() > 0) params.set("smoothing", String(smoothing()));
    if (logY.checked) params.set("log_y", "true");
    var query = params.toString() ? "?" + params.toString() : "";
    $("png").href = api + "/plot.png" + query;
    $("svg").href = api + "/plot.svg" + query;
    $("csv").href = api + "/export.csv";
  }

  // One refresh at a time; a request for another while one runs is served right after it.
  function refresh() {
    if (state.busy) { state.again = true; return Promise.resolve(); }
    state.busy = true;
    var w = smoothing();
    var width = maxPoints();
    var changed = false;
    return getJSON(api).then(function (run) {
      showRun(run);
      var names = Object.keys(run.series).sort();
      changed = names.join("\n") !== state.names.join("\n");
      state.names = names;
      showSeries(names);
      return Promise.all(names.map(function (name) {
        var s = run.series[name];
        var key = [s.count, s.last_step, s.last_value, s.best_step, w, width].join("|");
        if (state.keys[name] === key) return null;
        var url = api + "/series/" + seriesPath(name) + "?max_points=" + width + "&smoothing=" + w;
        return getJSON(url).then(function (read) { state.reads[name] = read; state.keys[name] = key; changed = true; });
      }));
    }).then(function () {
      return getJSON(api + "/diagnosis");
    }).then(function (d) {
      if (JSON.stringify(d) !== JSON.stringify(state.diagnosis)) {
        state.diagnosis = d;
        showDiagnosis(d);
        changed = true;
      }
      if (changed || !chart.data) draw();
      main.setAttribute("data-error", "");
    }).catch(function (e) {
      main.setAttribute("data-error", e.message);
      if (e.status === 404) { state.gone = true; $("status").textContent = "deleted"; stop(); }
    }).then(function () {
      state.busy = false;
      if (state.again) { state.again = false; refresh(); }
    });
  }

  function start() { if (!state.timer && !state.gone) state.timer = setInterval(refresh, pollMs); }
  function stop() { clearInterval(state.timer); state.timer = null; }

  var debounce = null;
  slider.addEventListener("input", function () {
    $("smoothing-value").textContent = smoothing().toFixed(2);
    clearTimeout(debounce);
    debounce = setTimeout(refresh, 150);
  });
  logY.addEventListener("change", draw);
  follow.addEventListener("change", function () { if (follow.checked) { refresh(); start(); } else stop(); });
  refresh();
  start();
})();
