// Live attendance: fetches the figures every few seconds and redraws the tables.
(function () {
  "use strict";
  var root = document.getElementById("attendance");
  if (!root) return;
  var gettext = window.gettext || function (text) { return text; };
  var REFRESH_MS = 5000;

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }
  function meter(value, max) {
    var element = document.createElement("meter");
    element.min = 0; element.max = Math.max(max, 1); element.value = value;
    element.textContent = String(value);
    return element;
  }
  function fill(name, rows, render) {
    var body = root.querySelector("[data-rows=" + name + "]");
    if (!body) return;
    var fresh = rows.map(render);
    if (!fresh.length && body.tagName === "UL") fresh = [cell("li", body.dataset.empty || "—", "muted")];
    body.replaceChildren.apply(body, fresh);
  }
  function row(cells) {
    var tr = document.createElement("tr");
    cells.forEach(function (element) { tr.appendChild(element); });
    return tr;
  }
  function withMeter(element) { var td = cell("td"); td.appendChild(element); return td; }

  function draw(figures) {
    Object.keys(figures.totals).forEach(function (key) {
      var element = root.querySelector("[data-total=" + key + "]");
      // null: not counted yet (no-shows before the summit begins).
      if (element && figures.totals[key] !== null) element.textContent = String(figures.totals[key]);
    });
    fill("checkpoints", figures.checkpoints, function (item) {
      return row([cell("th", item.name), cell("td", item.policy), cell("td", item.inside, "num"), cell("td", item.refused, "num")]);
    });
    fill("forums", figures.forums, function (item) {
      return row([cell("th", item.title), cell("td", item.inside, "num"), cell("td", item.enrolled, "num"), item.enrolled ? withMeter(meter(item.inside, item.enrolled)) : cell("td")]);
    });
    var peak = Math.max.apply(null, figures.arrivals.map(function (bucket) { return bucket.count; }).concat([1]));
    fill("arrivals", figures.arrivals, function (bucket) {
      return row([cell("th", bucket.from), cell("td", bucket.count, "num"), withMeter(meter(bucket.count, peak))]);
    });
    fill("no_shows", figures.no_shows, function (guest) {
      var li = cell("li", guest.name + " ");
      li.appendChild(cell("span", "· " + guest.organisation + " · " + guest.category, "muted small"));
      return li;
    });
    fill("conflicts", figures.conflicts, function (scan) {
      var li = cell("li");
      li.appendChild(cell("strong", scan.guest || "?"));
      li.appendChild(cell("span", " · " + [scan.place, scan.at.slice(11, 16), scan.result].join(" · "), "muted small"));
      return li;
    });
    var updated = document.getElementById("attendance-updated");
    updated.setAttribute("datetime", figures.generated_at);
    updated.textContent = figures.generated_at.slice(11, 19);
  }
  root.querySelectorAll("ul[data-rows]").forEach(function (list) {
    var empty = list.querySelector("li.muted");
    list.dataset.empty = empty ? empty.textContent : gettext("None.");
  });
  function refresh() {
    if (document.hidden) return;
    window.fetch(root.dataset.url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(draw)
      .catch(function () { /* keep the last figures */ });
  }
  window.setInterval(refresh, REFRESH_MS);
})();
