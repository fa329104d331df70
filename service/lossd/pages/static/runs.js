// The run list at /runs: GET /v1/runs a page at a time (optionally ?tag=key:value), each run with its
// series' last and best points and its diagnosis status. Nothing is fetched from elsewhere.
(function () {
  "use strict";
  var main = document.getElementById("runs-page");
  var root = main.getAttribute("data-root");
  var body = document.querySelector("#runs tbody");
  var more = document.getElementById("more");
  var message = document.getElementById("message");
  var tagInput = document.getElementById("tag");
  var next = null;

  var el = window.lossdDom.el;

  function number(v) {
    return typeof v === "number" ? String(Number(v.toPrecision(4))) : String(v);
  }

  function row(run) {
    var tr = el("tr", { "data-run": run.id, "data-status": run.status });
    var name = el("td");
    name.appendChild(el("a", { href: root + "/runs/" + encodeURIComponent(run.id) }, run.name));
    name.appendChild(el("code", { class: "id" }, run.id));
    tr.appendChild(name);
    var status = el("td");
    status.appendChild(el("span", { class: "status", "data-status": run.status }, run.status.replace("_", " ")));
    tr.appendChild(status);
    var series = el("td", { class: "series" });
    Object.keys(run.series).sort().forEach(function (s) {
      var sum = run.series[s];
      var best = sum.best_step === null ? "" : " · best " + number(sum.best_value) + " at " + sum.best_step;
      series.appendChild(el("div", { "data-series": s }, s + ": " + sum.count + " points, last " +
        number(sum.last_value) + " at " + sum.last_step + best));
    });
    tr.appendChild(series);
    tr.appendChild(el("td", { class: "tags" }, Object.keys(run.tags).map(function (k) {
      return k + "=" + run.tags[k];
    }).join(", ")));
    tr.appendChild(el("td", { class: "created" }, run.created_at.replace("T", " ").replace(/\.\d+Z$/, "Z")));
    return tr;
  }

  function load(cursor) {
    var params = new URLSearchParams({ limit: "50" });
    if (tagInput.value.trim()) params.set("tag", tagInput.value.trim());
    if (cursor) params.set("cursor", cursor);
    message.textContent = "loading…";
    return fetch(root + "/v1/runs?" + params.toString()).then(function (r) {
      return r.json().then(function (out) { return { ok: r.ok, out: out }; });
    }).then(function (answer) {
      if (!cursor) body.textContent = "";
      if (!answer.ok) {
        message.textContent = answer.out.detail || answer.out.title;
        return;
      }
      answer.out.runs.forEach(function (run) { body.appendChild(row(run)); });
      next = answer.out.next_cursor;
      more.hidden = !next;
      message.textContent = body.children.length ? "" : "No runs yet.";
      main.setAttribute("data-loaded", "true");
    }).catch(function (e) { message.textContent = "could not reach lossd: " + e.message; });
  }

  var initial = new URLSearchParams(window.location.search).get("tag");
  if (initial) tagInput.value = initial;
  document.getElementById("filter").addEventListener("submit", function (e) {
    e.preventDefault();
    var url = new URL(window.location.href);
    if (tagInput.value.trim()) url.searchParams.set("tag", tagInput.value.trim());
    else url.searchParams.delete("tag");
    window.history.replaceState(null, "", url.toString());
    load(null);
  });
  more.addEventListener("click", function () { load(next); });
  load(null);
})();
