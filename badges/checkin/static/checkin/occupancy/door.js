// Room occupancy at the door: the direction this door counts (one tap to switch), the room's
// occupancy against its capacity at all times, its warnings, the staff override of a full
// room, and while offline a count of this device's own scans, labelled as such.
// Works with checkin/door.js through the #door element: its data-direction, and the
// "door:answer" / "door:override" events.
(function () {
  "use strict";
  var root = document.getElementById("door");
  var panel = document.getElementById("door-occupancy");
  if (!root || !panel) return;
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  };
  var STORE = "bayline.checkin.";
  var REFRESH_MS = 5000;
  var select = document.getElementById("door-checkpoint");
  var toggle = document.getElementById("door-direction");
  var fixed = document.getElementById("door-direction-fixed");
  var figure = document.getElementById("door-occupancy-figure");
  var result = document.getElementById("door-result");
  var overrideButton = document.getElementById("door-override");

  // The last figure the server gave, and what this device counted since (offline).
  var live = null;
  var local = { entries: 0, exits: 0 };

  function option() { return select.options[select.selectedIndex]; }
  function field(name) { return figure.querySelector("[data-field=" + name + "]"); }
  function load(name, fallback) {
    try { var raw = window.localStorage.getItem(STORE + name); return raw ? JSON.parse(raw) : fallback; }
    catch (error) { return fallback; }
  }
  function save(name, value) {
    try { window.localStorage.setItem(STORE + name, JSON.stringify(value)); } catch (error) { /* full */ }
  }

  // --- Direction ---------------------------------------------------------------------------
  function setDirection(direction) {
    root.dataset.direction = direction;
    root.classList.toggle("door--exit", direction === "exit");
    toggle.querySelectorAll("[data-direction]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.direction === direction));
    });
  }
  function chooseCheckpoint() {
    var chosen = option();
    var counts = chosen && chosen.value ? chosen.dataset.direction : "";
    toggle.hidden = counts !== "both";
    fixed.hidden = !counts || counts === "both";
    if (counts === "exits") { setDirection("exit"); fixed.textContent = "← " + gettext("This door counts exits"); }
    else if (counts === "entries") { setDirection("entry"); fixed.textContent = "→ " + gettext("This door counts entries"); }
    else if (counts === "both") setDirection(load("direction." + chosen.value, "entry"));
    else setDirection("");
    live = null; local = { entries: 0, exits: 0 };
    figure.hidden = true;
    refresh();
  }
  toggle.addEventListener("click", function (event) {
    var button = event.target.closest("[data-direction]");
    if (!button) return;
    setDirection(button.dataset.direction);
    save("direction." + select.value, button.dataset.direction);
    document.getElementById("door-code").focus({ preventScroll: true });
  });
  select.addEventListener("change", chooseCheckpoint);

  // --- The figure --------------------------------------------------------------------------
  function levelOf(inside, capacity, warnAt) {
    if (inside >= capacity) return "full";
    return inside * 100 >= warnAt * capacity ? "warn" : "ok";
  }
  function draw() {
    if (!live) { figure.hidden = true; return; }
    var offline = !navigator.onLine || local.entries || local.exits;
    var inside = Math.max(0, live.inside + local.entries - local.exits);
    var level = levelOf(inside, live.capacity, live.warn_at_percent);
    figure.hidden = false;
    figure.dataset.level = level;
    figure.dataset.source = offline ? "local" : "live";
    field("room").textContent = live.room;
    field("inside").textContent = String(inside);
    field("capacity").textContent = String(live.capacity);
    field("bar").style.width = Math.min(100, Math.round(100 * inside / Math.max(live.capacity, 1))) + "%";
    field("state").textContent = level === "full" ? gettext("Full") : level === "warn" ? gettext("Nearly full") : "";
    field("source").textContent = offline
      ? interpolate(gettext("Offline: this device's own count (%(entries)s in, %(exits)s out since the last live figure), not the room's."), local, true)
      : gettext("Live: every door of this room.");
  }
  function take(occupancy) {
    live = occupancy;
    local = { entries: 0, exits: 0 };
    draw();
  }
  function refresh() {
    var chosen = option();
    if (!chosen || !chosen.value || !chosen.dataset.room || !navigator.onLine) { draw(); return; }
    var slug = chosen.value;
    window.fetch(panel.dataset.url + "?checkpoint=" + encodeURIComponent(slug), { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(function (body) { if (select.value === slug && body.occupancy) take(body.occupancy); })
      .catch(function () { draw(); });
  }
  window.setInterval(refresh, REFRESH_MS);
  window.addEventListener("online", refresh);
  window.addEventListener("offline", draw);

  // --- Each answer -------------------------------------------------------------------------
  var answerOccupancy = result.querySelector("[data-field=occupancy]");
  root.addEventListener("door:answer", function (event) {
    var answer = event.detail;
    overrideButton.hidden = answer.status !== "room_full";
    if (answer.offline && live && answer.status === "ok") {
      if ((answer.direction || root.dataset.direction) === "exit") local.exits += 1; else local.entries += 1;
      draw();
    } else if (answer.occupancy) {
      take(answer.occupancy);
    }
    var shown = answer.occupancy || (answer.offline && live ? { room: live.room, capacity: live.capacity,
      inside: Math.max(0, live.inside + local.entries - local.exits), warn_at_percent: live.warn_at_percent } : null);
    answerOccupancy.hidden = !shown;
    result.classList.remove("door-result--exit");
    if ((answer.direction || "") === "exit" && answer.status === "ok") {
      result.classList.add("door-result--exit");
      result.querySelector("[data-field=status]").textContent = gettext("Left");
    }
    if (!shown) return;
    var level = answer.occupancy ? answer.occupancy.level : levelOf(shown.inside, shown.capacity, shown.warn_at_percent);
    answerOccupancy.dataset.level = level;
    var text = interpolate(gettext("%(room)s: %(inside)s of %(capacity)s inside"), shown, true);
    if (level === "warn") text += " · " + gettext("Nearly full");
    if (level === "full") text += " · " + gettext("Full");
    if (answer.override) text += " · " + gettext("Admitted by staff override (logged)");
    if (answer.offline) text += " · " + gettext("this device's count");
    answerOccupancy.textContent = text;
  });
  overrideButton.addEventListener("click", function (event) {
    event.stopPropagation();
    overrideButton.hidden = true;
    root.dispatchEvent(new CustomEvent("door:override"));
  });

  chooseCheckpoint();
})();
