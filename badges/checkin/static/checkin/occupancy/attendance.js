// The attendance page's occupancy panel refreshes itself: the rooms nearest full every few
// seconds, the day's charts every half minute.
(function () {
  "use strict";
  var panel = document.getElementById("occupancy-panel");
  if (!panel) return;
  var gettext = window.gettext || function (text) { return text; };
  var ROOMS_MS = 5000, CHARTS_MS = 30000;
  var lastCharts = Date.now();

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }
  function drawRooms(rooms) {
    var body = panel.querySelector("[data-rows=rooms]");
    if (!rooms.length) return;
    body.replaceChildren.apply(body, rooms.map(function (room) {
      var tr = document.createElement("tr");
      tr.dataset.level = room.level;
      var meter = document.createElement("meter");
      meter.min = 0; meter.max = Math.max(room.capacity, 1); meter.high = room.capacity; meter.value = room.inside;
      var bar = cell("td"); bar.appendChild(meter);
      if (room.level !== "ok") {
        bar.appendChild(document.createTextNode(" "));
        bar.appendChild(cell("strong", room.level === "full" ? gettext("Full") : gettext("Nearly full"),
          "occupancy-level occupancy-level--" + room.level));
      }
      [cell("th", room.room), cell("td", room.inside, "num"), cell("td", room.capacity, "num"),
        cell("td", room.percent, "num"), bar].forEach(function (element) { tr.appendChild(element); });
      return tr;
    }));
  }
  function drawCharts(charts) {
    var rooms = panel.querySelector("[data-charts=rooms]");
    if (charts.rooms.length) {
      rooms.replaceChildren.apply(rooms, charts.rooms.map(function (room) {
        var figure = cell("figure", null, "occupancy-chart");
        var image = document.createElement("img");
        image.src = room.src; image.alt = room.room;
        figure.appendChild(image);
        return figure;
      }));
    }
    var arrivals = panel.querySelector("[data-charts=arrivals] img");
    if (arrivals) arrivals.src = charts.arrivals;
  }
  function refresh() {
    if (document.hidden) return;
    var withCharts = Date.now() - lastCharts >= CHARTS_MS;
    var url = panel.dataset.url + (withCharts ? "&charts=1" : "");
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(function (body) {
        drawRooms(body.rooms);
        if (body.charts) { drawCharts(body.charts); lastCharts = Date.now(); }
      })
      .catch(function () { /* keep the last figures */ });
  }
  window.setInterval(refresh, ROOMS_MS);
})();
