// The chooser at /choose: the answers' filters (rendered by the server from lossd.pages.chooser) ask
// GET /v1/losses for the losses that fit; "Try on my data" runs POST /v1/compare on the task's losses and
// draws each one's largest share as an SVG bar chart and a table. Nothing is fetched from elsewhere.
(function () {
  "use strict";
  var form = document.getElementById("questions");
  var root = form.getAttribute("data-root");
  var SVG = "http://www.w3.org/2000/svg";
  var state = { task: null, fitting: [], recommended: [], ask: 0 };

  var $ = window.lossdDom.$;
  var el = window.lossdDom.el;

  function svg(tag, attrs, text) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function asks(node, task) {
    var tasks = node.getAttribute("data-tasks");
    return tasks === null || tasks.split(" ").indexOf(task) >= 0;
  }

  function checked(name) {
    return form.querySelector("input[name='" + name + "']:checked");
  }

  // The filters of every answered question that the chosen task asks, and the options it offers.
  function filters(task) {
    var out = {};
    form.querySelectorAll("fieldset.question").forEach(function (q) {
      var shown = asks(q, task);
      q.hidden = !shown;
      q.querySelectorAll("label.option").forEach(function (label) {
        label.hidden = !asks(label, task);
        if (label.hidden && label.querySelector("input").checked) label.querySelector("input").checked = false;
      });
      if (!shown) return;
      var name = q.getAttribute("data-question");
      var answer = checked(name);
      if (!answer && name !== "task") {
        answer = q.querySelector("input[value='unsure']");
        answer.checked = true;
      }
      var f = JSON.parse(answer.getAttribute("data-filters"));
      Object.keys(f).forEach(function (k) { out[k] = f[k]; });
    });
    return out;
  }

  function getJSON(url) {
    return fetch(url, { headers: { accept: "application/json" } }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error(body.detail || r.statusText);
        return body;
      });
    });
  }

  function query(f) {
    var keys = Object.keys(f).sort();
    return keys.map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(f[k]); }).join("&");
  }

  function update() {
    var task = checked("task");
    if (!task) return;
    task = task.value;
    var f = filters(task);
    var url = root + "/v1/losses?" + query(f);
    var ask = ++state.ask;
    var taskChanged = task !== state.task;
    state.task = task;
    var jobs = [getJSON(url)];
    if (taskChanged) jobs.push(getJSON(root + "/v1/losses?task=" + encodeURIComponent(task)));
    Promise.all(jobs).then(function (answers) {
      if (ask !== state.ask) return; // a later answer is on its way
      state.recommended = answers[0].losses.map(function (d) { return d.name; });
      if (answers[1]) {
        state.fitting = answers[1].losses.filter(function (d) {
          return d.inputs.map(function (i) { return i.name; }).sort().join() === "input,target";
        }).map(function (d) { return d.name; });
        $("result").hidden = true;
      }
      recommend(answers[0].losses, url);
      $("try").hidden = state.fitting.length === 0;
    }).catch(function (e) { $("recommendations").textContent = "Could not read the catalogue: " + e.message; });
  }

  function recommend(losses, url) {
    var list = $("recommendations");
    list.textContent = "";
    $("recommended").hidden = false;
    var link = $("query");
    link.href = url;
    link.querySelector("code").textContent = "GET " + url;
    if (!losses.length) {
      list.appendChild(el("li", {}, "No loss fits every answer: answer one question \"Not sure\"."));
      return;
    }
    losses.forEach(function (d) {
      var li = el("li", { "data-loss": d.name });
      var h = el("h3");
      h.appendChild(el("a", { href: root + "/#loss-" + d.name }, d.name));
      if (d.torch) h.appendChild(el("span", { class: "torch" }, " " + d.torch));
      li.appendChild(h);
      li.appendChild(el("p", { class: "reason" }, d.use_when));
      var more = el("p", { class: "io" });
      more.appendChild(el("a", { href: root + "/v1/losses/" + d.name }, "descriptor"));
      more.appendChild(document.createTextNode(" · input " + d.traits.input_kind +
        (d.traits.robust_to_outliers ? " · robust to outliers" : "") +
        (d.traits.handles_imbalance ? " · handles imbalance" : "")));
      li.appendChild(more);
      list.appendChild(li);
    });
  }

  // A JSON list, or numbers in rows (commas, semicolons, tabs or spaces between them); a header row is skipped.
  function parse(text, what) {
    text = text.trim();
    if (!text) return null;
    if (text.charAt(0) === "[") {
      try { return JSON.parse(text); } catch (e) { throw new Error(what + ": not valid JSON (" + e.message + ")"); }
    }
    var rows = text.split(/\r?\n/).map(function (line) {
      return line.split(/[,;\t ]+/).filter(function (s) { return s !== ""; });
    }).filter(function (row) { return row.length; });
    if (rows.length > 1 && rows[0].some(function (s) { return isNaN(Number(s)); })) rows.shift();
    rows = rows.map(function (row) {
      return row.map(function (s) {
        var n = Number(s);
        if (s === "" || isNaN(n)) throw new Error(what + ": " + JSON.stringify(s) + " is not a number");
        return n;
      });
    });
    if (rows.length === 1) return rows[0];
    var width = rows[0].length;
    if (rows.some(function (row) { return row.length !== width; })) throw new Error(what + ": rows of different lengths");
    return width === 1 ? rows.map(function (row) { return row[0]; }) : rows;
  }

  function inputs() {
    var p = parse($("predictions").value, "predictions");
    var t = parse($("targets").value, "targets");
    if (p === null) throw new Error("paste the predictions");
    if (t === null) {
      if (Array.isArray(p) && p.length && Array.isArray(p[0]) && p[0].length === 2) {
        return { input: p.map(function (r) { return r[0]; }), target: p.map(function (r) { return r[1]; }) };
      }
      throw new Error("paste the targets, or two columns (predictions, targets) in the predictions box");
    }
    return { input: p, target: t };
  }

  function run() {
    var status = $("status");
    var body;
    try {
      body = { inputs: inputs(), losses: state.fitting, top: 1 };
    } catch (e) {
      status.textContent = e.message;
      return;
    }
    status.textContent = "Comparing…";
    fetch(root + "/v1/compare", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (r) {
      return r.json().then(function (answer) {
        if (!r.ok) {
          var errors = (answer.errors || []).map(function (e) { return e.loc.join(".") + ": " + e.msg; });
          throw new Error(answer.title + (errors.length ? ": " + errors.join("; ") : answer.detail ? ": " + answer.detail : ""));
        }
        return answer;
      });
    }).then(function (answer) {
      status.textContent = "";
      show(answer);
    }).catch(function (e) { status.textContent = e.message; $("result").hidden = true; });
  }

  function share(r) {
    var top = r.top_contributors;
    if (!top || !top.length) return null;
    return typeof top[0].share === "number" ? top[0].share : NaN;
  }

  function number(v) {
    if (typeof v !== "number") return String(v);
    return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(4) : String(+v.toPrecision(6));
  }

  function percent(s) {
    return s === null ? "—" : isNaN(s) ? "NaN" : (100 * s).toFixed(1) + "%";
  }

  function show(answer) {
    $("result").hidden = false;
    var results = answer.results;
    var most = Math.max.apply(null, results.map(function (r) { var s = share(r); return s === null || isNaN(s) ? -1 : s; }));
    chart(results);
    var body = $("table").querySelector("tbody");
    body.textContent = "";
    results.forEach(function (r) {
      var s = share(r);
      var tr = el("tr", { "data-loss": r.loss, "data-share": s === null ? "" : String(s) });
      if (state.recommended.indexOf(r.loss) >= 0) tr.className = "recommended";
      tr.appendChild(el("td", {}, r.loss));
      tr.appendChild(el("td", { class: "num" }, number(r.value)));
      var top = r.top_contributors && r.top_contributors[0];
      tr.appendChild(el("td", { class: "num" }, top ? "[" + top.index.join(", ") + "]" : "—"));
      var cell = el("td", { class: "num share" + (s !== null && s === most ? " most" : "") }, percent(s));
      if (s !== null && !isNaN(s)) cell.style.background = "rgba(180, 83, 9, " + (0.08 + 0.5 * s).toFixed(3) + ")";
      tr.appendChild(cell);
      body.appendChild(tr);
    });
    var skipped = $("skipped");
    skipped.textContent = "";
    answer.skipped.forEach(function (s) { skipped.appendChild(el("li", { "data-loss": s.loss }, s.reason)); });
  }

  function chart(results) {
    var box = $("chart");
    box.textContent = "";
    var row = 30, label = 150, width = 420, pad = 8;
    var height = results.length * row + 2 * pad + 18;
    var g = svg("svg", {
      viewBox: "0 0 " + (label + width + 90) + " " + height, width: label + width + 90, height: height,
      role: "img", "aria-label": "Share of each loss carried by its largest entry",
    });
    [0, 0.5, 1].forEach(function (t) {
      var x = label + t * width;
      g.appendChild(svg("line", { x1: x, x2: x, y1: pad, y2: height - 18, class: "grid" }));
      g.appendChild(svg("text", { x: x, y: height - 4, "text-anchor": "middle", class: "tick" }, 100 * t + "%"));
    });
    results.forEach(function (r, i) {
      var s = share(r);
      var y = pad + i * row;
      g.appendChild(svg("text", { x: label - 8, y: y + row / 2 + 5, "text-anchor": "end", class: "name" }, r.loss));
      if (s === null || isNaN(s)) {
        g.appendChild(svg("text", { x: label + 6, y: y + row / 2 + 5, class: "note" },
          s === null ? "no unreduced form" : "NaN"));
        return;
      }
      var bar = svg("rect", {
        x: label, y: y + 5, width: Math.max(1, s * width), height: row - 10, rx: 3, "data-loss": r.loss,
        "data-share": String(s), class: state.recommended.indexOf(r.loss) >= 0 ? "bar recommended" : "bar",
      });
      bar.appendChild(svg("title", {}, r.loss + ": " + percent(s) + " of the loss from one entry"));
      g.appendChild(bar);
      g.appendChild(svg("text", { x: label + s * width + 6, y: y + row / 2 + 5, class: "value" }, percent(s)));
    });
    box.appendChild(g);
  }

  form.addEventListener("change", update);
  $("run").addEventListener("click", run);
  update();
})();
