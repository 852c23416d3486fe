// The door scanner: camera or keyboard-wedge input, an answer in colour and sound, and an
// offline mode that verifies signed codes in the browser and uploads its scans later.
// The statuses and their precedence mirror badges/checkin/services.py.
(function () {
  "use strict";
  var root = document.getElementById("door");
  if (!root) return;

  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (format, values, named) {
    return format.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  };
  var STORE = "bayline.checkin.";
  var ONLINE_TIMEOUT_MS = 2500;
  var DUPLICATE_MS = 2500;

  var STATUSES = {
    ok: { label: gettext("Admitted"), icon: "✓", hint: gettext("Let the guest in."),
      tones: [[1320, 0.14, "sine"]] },
    already_checked_in: { label: gettext("Already checked in"), icon: "↺",
      hint: gettext("This badge was already used here. Check the guest's identity."),
      tones: [[660, 0.12, "sine"], [0, 0.07], [660, 0.12, "sine"]] },
    not_enrolled: { label: gettext("Not registered for this forum"), icon: "⊘",
      hint: gettext("Send the guest to the forum they registered for, or to the desk."),
      tones: [[392, 0.45, "triangle"]] },
    not_approved: { label: gettext("Registration not approved"), icon: "⏸",
      hint: gettext("Send the guest to the registration desk."),
      tones: [[349, 0.2, "triangle"], [0, 0.06], [294, 0.3, "triangle"]] },
    cancelled: { label: gettext("Registration cancelled"), icon: "✕",
      hint: gettext("Do not admit. Send the guest to the registration desk."),
      tones: [[220, 0.15, "square"], [0, 0.06], [220, 0.15, "square"], [0, 0.06], [220, 0.15, "square"]] },
    revoked: { label: gettext("Badge replaced or revoked"), icon: "⚠",
      hint: gettext("Do not admit with this badge. Keep it; the desk prints the current one."),
      tones: [[262, 0.15, "square"], [0, 0.06], [196, 0.15, "square"], [0, 0.06], [262, 0.15, "square"]] },
    invalid: { label: gettext("Unknown or forged code"), icon: "✕",
      hint: gettext("Not a badge of this summit. Do not admit; call a supervisor."),
      tones: [[150, 0.6, "sawtooth"]] },
    wrong_day: { label: gettext("Not valid today"), icon: "📅",
      hint: gettext("This checkpoint admits on another day."),
      tones: [[523, 0.12, "triangle"], [0, 0.06], [392, 0.3, "triangle"]] },
    checkpoint_closed: { label: gettext("Checkpoint closed"), icon: "■",
      hint: gettext("This checkpoint is closed. Choose another one."),
      tones: [[300, 0.25, "triangle"]] },
    // Shown offline for a genuine code that is not on this summit's list (uploaded as "invalid").
    not_listed: { label: gettext("Not on the list"), icon: "?",
      hint: gettext("A genuine code, but not on this summit's list. Do not admit; send the guest to the registration desk."),
      tones: [[349, 0.2, "triangle"], [0, 0.06], [349, 0.2, "triangle"], [0, 0.06], [262, 0.3, "triangle"]] },
    room_full: { label: gettext("Room full"), icon: "⊗",
      hint: gettext("Do not admit: the room is at capacity. Staff may override for a good reason."),
      tones: [[440, 0.2, "square"], [0, 0.05], [440, 0.2, "square"]] },
    // Not an answer about a badge: the scanner itself needs attention.
    notice: { label: gettext("Not checked"), icon: "?", hint: "", tones: [[300, 0.25, "triangle"]] }
  };

  var select = document.getElementById("door-checkpoint");
  var form = document.getElementById("door-form");
  var input = document.getElementById("door-code");
  var result = document.getElementById("door-result");
  var queueBadge = document.getElementById("door-queue");
  var offlineInfo = document.getElementById("door-offline-info");
  var refusedBox = document.getElementById("door-refused");
  var refusedList = document.getElementById("door-refused-list");
  var csrf = root.querySelector("[name=csrfmiddlewaretoken]").value;
  var urls = {
    scan: root.dataset.scanUrl, batch: root.dataset.batchUrl,
    offline: root.dataset.offlineUrl, search: root.dataset.searchUrl, jsqr: root.dataset.jsqrUrl
  };

  // --- Storage -----------------------------------------------------------------------------
  function load(name, fallback) {
    try {
      var raw = window.localStorage.getItem(STORE + name);
      return raw ? JSON.parse(raw) : fallback;
    } catch (error) { return fallback; }
  }
  function save(name, value) {
    try { window.localStorage.setItem(STORE + name, JSON.stringify(value)); } catch (error) { /* full */ }
  }
  var queue = load("queue", []);
  // Scans the server refused to record (its reason with each): kept until staff upload
  // them again or dismiss them, never dropped on their own.
  var refused = load("refused", []);
  var data = load("data", null);

  // The phone's own clock may be minutes off. Scans carry the server's time: the clock's
  // offset is learned from the time the server stamps on the offline data (halfway through
  // the request), and kept with it for scans made after a reload without a network.
  var offset = load("offset", 0);
  function serverNow() { return Date.now() + offset; }
  function learnServerTime(serverTime, sentAt, receivedAt) {
    var moment = Date.parse(serverTime);
    if (isNaN(moment)) return;
    offset = Math.round(moment - (sentAt + receivedAt) / 2);
    save("offset", offset);
  }

  function newScanId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40; bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  // --- Checkpoint choice -----------------------------------------------------------------
  var remembered = root.dataset.chosen || load("checkpoint", "");
  if (remembered && select.querySelector("option[value='" + remembered + "']")) select.value = remembered;
  select.addEventListener("change", function () {
    save("checkpoint", select.value);
    // Ready for the scanner at once: its keystrokes must not land in the list of checkpoints.
    input.focus({ preventScroll: true });
  });

  // --- Network state ---------------------------------------------------------------------
  function setOnline(online) {
    root.querySelector("[data-net=online]").hidden = !online;
    root.querySelector("[data-net=offline]").hidden = online;
    root.classList.toggle("door--offline", !online);
  }
  function showQueue() {
    queueBadge.hidden = queue.length === 0;
    queueBadge.textContent = interpolate(gettext("%(count)s to upload"), { count: queue.length }, true);
  }
  window.addEventListener("online", function () { setOnline(true); syncQueue(); refreshData(); });
  window.addEventListener("offline", function () { setOnline(false); });
  setOnline(navigator.onLine);
  showQueue();

  function request(url, options, timeout) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, timeout) : null;
    options = options || {};
    options.credentials = "same-origin";
    if (controller) options.signal = controller.signal;
    return window.fetch(url, options).finally(function () { if (timer) window.clearTimeout(timer); });
  }
  function postJson(url, body, timeout) {
    return request(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }, timeout);
  }

  // --- Offline data ----------------------------------------------------------------------
  function describeData() {
    if (!data) { offlineInfo.textContent = gettext("Offline list not downloaded yet."); return; }
    offlineInfo.textContent = interpolate(gettext("Offline list: %(count)s badges, updated %(time)s."), {
      count: Object.keys(data.roster).length,
      time: clock(data.generated_at)
    }, true);
  }
  function refreshData() {
    if (!navigator.onLine) return Promise.resolve();
    var sentAt = Date.now(), receivedAt = sentAt;
    return request(urls.offline, { headers: { "Accept": "application/json" } }, 20000)
      .then(function (response) { receivedAt = Date.now(); return response.ok ? response.json() : null; })
      .then(function (fresh) {
        if (!fresh) return;
        learnServerTime(fresh.generated_at, sentAt, receivedAt);
        // Keep what this device admitted offline and has not uploaded yet.
        queue.forEach(function (scan) { noteEntry(fresh, scan); });
        data = fresh; keys = {}; save("data", data); describeData(); showRefused();
      })
      .catch(function () { /* stay with the copy we have */ });
  }
  function noteEntry(target, scan) {
    if (scan.offline_result !== "ok" || !scan.badge_id || scan.direction === "exit") return;
    var entry = target.roster[String(scan.badge_id)];
    if (entry && !entry.entered[scan.checkpoint]) entry.entered[scan.checkpoint] = scan.scanned_at;
  }
  describeData();
  refreshData();
  window.setInterval(refreshData, 5 * 60 * 1000);

  // --- Signed codes, verified in the browser (badges/signing.py) -------------------------
  var ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  function base32(text) {
    var bits = 0, value = 0, out = [];
    for (var i = 0; i < text.length; i++) {
      var index = ALPHABET.indexOf(text[i]);
      if (index < 0) return null;
      value = (value << 5) | index; bits += 5;
      if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    }
    return new Uint8Array(out);
  }
  function fromBase64(text) {
    var raw = window.atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }
  var CONTEXT = new TextEncoder().encode("bayline-badge");
  var keys = {};
  var webCrypto = !!(window.crypto && window.crypto.subtle);
  function verify(keyId, message, signature) {
    var entry = (data.keys || []).filter(function (key) { return key.id === keyId; })[0];
    if (!entry) return Promise.resolve(false);
    var raw = fromBase64(entry.public_key);
    function withNacl() {
      return window.nacl ? window.nacl.sign.detached.verify(message, signature, raw) : false;
    }
    if (!webCrypto) return Promise.resolve(withNacl());
    if (!keys[keyId]) keys[keyId] = window.crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    return keys[keyId]
      .then(function (key) { return window.crypto.subtle.verify({ name: "Ed25519" }, key, signature, message); })
      .catch(function () { webCrypto = false; return withNacl(); });
  }
  function clock(iso) {
    var zone = (data && data.summit && data.summit.time_zone) || "Asia/Shanghai";
    return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone });
  }
  function localDate(moment, zone) {
    // en-CA formats dates as YYYY-MM-DD.
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(moment);
  }
  function decideOffline(code, slug, moment, direction) {
    var answer = { status: "invalid", guest: null, first_entry: null, re_entry: false, badge_id: null };
    var raw = code.length === 116 ? base32(code) : null;
    if (!data || !raw || raw.length !== 72 || raw[0] !== 1) return Promise.resolve(answer);
    var header = raw.slice(0, 8);
    var message = new Uint8Array(CONTEXT.length + 8);
    message.set(CONTEXT); message.set(header, CONTEXT.length);
    return verify(raw[1], message, raw.slice(8)).then(function (valid) {
      if (!valid) return answer;
      var badgeId = ((raw[2] << 24) >>> 0) + (raw[3] << 16) + (raw[4] << 8) + raw[5];
      var serial = (raw[6] << 8) + raw[7];
      var checkpoint = data.checkpoints.filter(function (item) { return item.slug === slug; })[0];
      var entry = data.roster[String(badgeId)];
      var revoked = data.revoked.some(function (pair) { return pair[0] === badgeId && pair[1] === serial; });
      answer.badge_id = badgeId;
      if (revoked) { answer.status = "revoked"; return answer; }
      if (!entry && badgeId > data.newest_badge_id) {
        // Signed by us and issued after the list was downloaded (badge ids grow): admit, and say so.
        answer.status = checkpoint && !checkpoint.is_active ? "checkpoint_closed" : "ok";
        answer.unlisted = true;
        return answer;
      }
      if (!entry) {
        // Signed by us, but older than the list and not on it: another summit's badge (one key
        // signs them all) or a deleted registration's. The server answers "invalid"; the page
        // says what it knows: genuine, not on this summit's list.
        answer.shown = "not_listed";
        return answer;
      }
      if (entry.serial !== serial) return answer;
      answer.guest = {
        name: entry.name, name_latin: entry.name_latin, organisation: entry.organisation,
        category: entry.category, category_label: data.categories[entry.category] || entry.category
      };
      var first = entry.entered[slug];
      // An exit lets anyone we know out; room capacity is counted on this device (occupancy/door.js).
      if (direction === "exit") { answer.status = "ok"; answer.direction = "exit"; return answer; }
      if (entry.status === "cancelled") answer.status = "cancelled";
      else if (entry.status !== "confirmed") answer.status = "not_approved";
      else if (!checkpoint || !checkpoint.is_active) answer.status = "checkpoint_closed";
      else if (checkpoint.day && localDate(moment, data.summit.time_zone) !== checkpoint.day) answer.status = "wrong_day";
      else if (checkpoint.forum_id && !checkpoint.forum_is_plenary && entry.forums.indexOf(checkpoint.forum_id) < 0) answer.status = "not_enrolled";
      else if (first && checkpoint.policy === "single") answer.status = "already_checked_in";
      else answer.status = "ok";
      if (first && (answer.status === "ok" || answer.status === "already_checked_in")) {
        answer.first_entry = { at: first, checkpoint_name: checkpoint.name, door: "" };
        answer.re_entry = answer.status === "ok";
      }
      return answer;
    });
  }

  // --- Scanning ----------------------------------------------------------------------------
  var last = { code: "", at: 0 };
  function scan(rawCode, fromCamera) {
    var code = (rawCode || "").trim().toUpperCase();
    if (!code) return;
    var now = Date.now();
    // The camera sees a badge for as long as it is held up: read it once. A scanner's
    // trigger (keyboard wedge) is pulled on purpose, so a repeat is a real second scan.
    if (fromCamera && code === last.code && now - last.at < DUPLICATE_MS) return;
    if (fromCamera) last = { code: code, at: now };
    if (!select.value) {
      show({ status: "notice", guest: null, notice: gettext("Choose a checkpoint first.") });
      select.focus();
      return;
    }
    var item = { code: code, checkpoint: select.value, scan_id: newScanId(), scanned_at: new Date(serverNow()).toISOString(),
      direction: root.dataset.direction || "" };
    send(item);
  }
  // Staff override of a "room full" answer (occupancy/door.js): the same badge again, logged.
  var lastItem = null;
  root.addEventListener("door:override", function () {
    if (!lastItem) return;
    send({ code: lastItem.code, checkpoint: lastItem.checkpoint, scan_id: newScanId(),
      scanned_at: new Date(serverNow()).toISOString(), direction: lastItem.direction, override: "true" });
  });
  function send(item) {
    lastItem = item;
    if (!navigator.onLine) { scanOffline(item); return; }
    postJson(urls.scan, item, ONLINE_TIMEOUT_MS)
      .then(function (response) {
        if (response.status === 200) {
          return response.json().then(function (answer) { show(answer); remember(answer); syncQueue(); });
        }
        if (response.status === 401 || response.status === 403) {
          show({ status: "notice", guest: null, notice: gettext("You are logged out. Log in again to scan.") });
          return;
        }
        if (response.status === 404) {
          show({ status: "notice", guest: null, notice: gettext("This checkpoint no longer exists. Choose another one.") });
          return;
        }
        scanOffline(item);
      })
      .catch(function () { scanOffline(item); });
  }
  // An admission answered online is noted in the offline list too, so that a single-entry
  // checkpoint still refuses a second entry if the network drops afterwards.
  function remember(answer) {
    if (!data || !answer.guest || answer.direction === "exit" || (answer.status !== "ok" && answer.status !== "already_checked_in")) return;
    noteEntry(data, { offline_result: "ok", badge_id: answer.guest.badge_id,
      checkpoint: answer.checkpoint.slug, scanned_at: answer.first_entry ? answer.first_entry.at : answer.scanned_at });
    save("data", data);
  }
  function scanOffline(item) {
    setOnline(false);
    delete item.override;
    decideOffline(item.code, item.checkpoint, new Date(item.scanned_at), item.direction).then(function (answer) {
      item.offline_result = answer.status;
      item.badge_id = answer.badge_id;
      queue.push(item);
      save("queue", queue);
      if (data) { noteEntry(data, item); save("data", data); }
      showQueue();
      answer.offline = true;
      show(answer);
    });
  }

  // Every field as text, as the server takes it: a scan damaged in storage (another version's,
  // nested values) is then refused on its own, by a field error the branch below drops,
  // instead of making the whole batch unreadable and holding every scan behind it back.
  function text(value) {
    return value === null || value === undefined || typeof value === "string" ? value : String(value);
  }

  var uploading = false;
  function syncQueue() {
    if (uploading || !queue.length || !navigator.onLine) return;
    uploading = true;
    var batch = queue.slice(0, 200);
    var body = batch.map(function (item) {
      return { code: text(item.code), checkpoint: text(item.checkpoint), scan_id: text(item.scan_id),
        scanned_at: text(item.scanned_at), offline_result: text(item.offline_result),
        direction: text(item.direction || "") };
    });
    postJson(urls.batch, { scans: body }, 30000)
      .then(function (response) {
        if (response.status === 200) return response.json();
        if (response.status === 400) {
          // The server recorded nothing of this batch and said which scans it refuses, and
          // why (an unknown checkpoint, an impossible time). Those are set apart for staff,
          // with the reason; the others go up again with the next upload.
          return response.json().then(function (error) {
            var bad = error.fields && error.fields.scans;
            if (!bad || Array.isArray(bad) || typeof bad !== "object") throw new Error("batch refused");
            var moved = [];
            Object.keys(bad).forEach(function (index) {
              var item = batch[Number(index)];
              if (!item) return;
              item.reason = reasonOf(bad[index]);
              refused.push(item);
              moved.push({ scan_id: item.scan_id });
            });
            save("refused", refused);
            showRefused();
            return { results: moved, conflicts: 0 };
          });
        }
        throw new Error("upload failed");
      })
      .then(function (answer) {
        var done = {};
        answer.results.forEach(function (item) { done[item.scan_id] = true; });
        queue = queue.filter(function (item) { return !done[item.scan_id]; });
        save("queue", queue);
        showQueue();
        setOnline(true);
        if (answer.conflicts) {
          offlineInfo.textContent = interpolate(gettext("Uploaded. %(count)s offline scans conflict; organisers have been told."), { count: answer.conflicts }, true);
        }
      })
      .catch(function () { /* try again later */ })
      .finally(function () { uploading = false; if (queue.length && navigator.onLine) window.setTimeout(syncQueue, 1000); });
  }
  window.setInterval(syncQueue, 10000);
  syncQueue();

  // --- Scans the server refused ----------------------------------------------------------
  function reasonOf(fields) {
    var messages = [];
    Object.keys(fields || {}).forEach(function (name) {
      [].concat(fields[name]).forEach(function (message) { messages.push(String(message)); });
    });
    return messages.join(" ") || gettext("Refused by the server.");
  }
  function describeScan(item) {
    var entry = data && item.badge_id ? data.roster[String(item.badge_id)] : null;
    var checkpoint = data ? data.checkpoints.filter(function (each) { return each.slug === item.checkpoint; })[0] : null;
    var answer = STATUSES[item.offline_result] || STATUSES.invalid;
    return {
      who: entry ? [entry.name, entry.name_latin].filter(Boolean).join(" / ") : gettext("Unknown badge"),
      what: [clock(item.scanned_at), checkpoint ? checkpoint.name : item.checkpoint, answer.label].join(" · ")
    };
  }
  function showRefused() {
    refusedBox.hidden = refused.length === 0;
    refusedList.textContent = "";
    refused.forEach(function (item) {
      var described = describeScan(item);
      var li = document.createElement("li");
      li.className = "door__refused-item";
      li.dataset.scanId = item.scan_id;
      var who = document.createElement("strong");
      who.textContent = described.who;
      var what = document.createElement("span");
      what.className = "muted small";
      what.textContent = described.what;
      var reason = document.createElement("span");
      reason.className = "door__refused-reason";
      reason.dataset.field = "reason";
      reason.textContent = item.reason;
      var again = document.createElement("button");
      again.type = "button"; again.className = "button button--small"; again.dataset.action = "retry";
      again.textContent = gettext("Upload again");
      var dismiss = document.createElement("button");
      dismiss.type = "button"; dismiss.className = "button button--small button--secondary"; dismiss.dataset.action = "dismiss";
      dismiss.textContent = gettext("Dismiss");
      [who, document.createElement("br"), what, document.createElement("br"), reason, again, dismiss].forEach(function (node) { li.appendChild(node); });
      refusedList.appendChild(li);
    });
  }
  refusedList.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-action]");
    if (!button) return;
    var id = button.closest("li").dataset.scanId;
    var item = refused.filter(function (each) { return each.scan_id === id; })[0];
    if (!item) return;
    refused = refused.filter(function (each) { return each !== item; });
    if (button.dataset.action === "retry") {
      delete item.reason;
      queue.push(item);
      save("queue", queue);
    }
    save("refused", refused);
    showRefused();
    showQueue();
    if (button.dataset.action === "retry") syncQueue();
  });
  showRefused();

  // --- The answer ----------------------------------------------------------------------------
  var hideTimer = null;
  function field(name) { return result.querySelector("[data-field=" + name + "]"); }
  function show(answer) {
    var status = STATUSES[answer.shown || answer.status] ? answer.shown || answer.status : "invalid";
    var meta = STATUSES[status];
    var guest = answer.guest;
    Object.keys(STATUSES).forEach(function (key) { result.classList.remove("door-result--" + key); });
    result.classList.add("door-result--" + status);
    result.dataset.status = status;
    field("icon").textContent = meta.icon;
    field("status").textContent = meta.label;
    field("name").textContent = guest ? (guest.name || guest.name_latin) : "";
    field("latin").textContent = guest && guest.name && guest.name_latin && guest.name !== guest.name_latin ? guest.name_latin : "";
    field("organisation").textContent = guest ? guest.organisation : "";
    field("category").textContent = guest ? guest.category_label : "";
    field("category").hidden = !guest;
    var detail = answer.notice || meta.hint;
    if (answer.first_entry) {
      var time = clock(answer.first_entry.at);
      detail = answer.first_entry.door
        ? interpolate(gettext("First entered at %(time)s, %(place)s (%(door)s)."), { time: time, place: answer.first_entry.checkpoint_name, door: answer.first_entry.door }, true)
        : interpolate(gettext("First entered at %(time)s, %(place)s."), { time: time, place: answer.first_entry.checkpoint_name }, true);
      if (status === "already_checked_in") detail += " " + meta.hint;
    }
    if (answer.unlisted) detail = gettext("Genuine badge, not in the offline list yet. Check the guest's identity.");
    field("detail").textContent = detail;
    field("checkpoint").textContent = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : "";
    field("offline").textContent = answer.offline ? gettext("Checked offline: will be uploaded.") : "";
    field("offline").hidden = !answer.offline;
    result.hidden = false;
    result.scrollTop = 0;
    beep(meta.tones);
    if (navigator.vibrate) navigator.vibrate(status === "ok" ? 60 : [120, 60, 120]);
    root.dispatchEvent(new CustomEvent("door:answer", { detail: answer }));
    window.clearTimeout(hideTimer);
    hideTimer = window.setTimeout(hide, status === "ok" ? 2500 : 6000);
    focusInput();
  }
  // Every way of dismissing the answer (a tap on it, Escape, Enter in the empty scan field,
  // the timer) leaves the scan field focused, so that the next USB-scanner code lands there.
  function hide() { window.clearTimeout(hideTimer); result.hidden = true; focusInput(); }
  result.addEventListener("click", hide);

  // --- Sound (Web Audio, no files) ---------------------------------------------------------
  var audio = null;
  function unlockAudio() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume();
  }
  document.addEventListener("pointerdown", unlockAudio);
  document.addEventListener("keydown", unlockAudio);
  function beep(tones) {
    if (!audio) return;
    var at = audio.currentTime + 0.01;
    tones.forEach(function (tone) {
      if (tone[0]) {
        var oscillator = audio.createOscillator(), gain = audio.createGain();
        oscillator.type = tone[2] || "sine";
        oscillator.frequency.value = tone[0];
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.01);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + tone[1]);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + tone[1] + 0.02);
      }
      at += tone[1];
    });
  }

  // --- Keyboard-wedge scanners: they type the code and press Enter -----------------------
  // Only a field the staff member is typing or choosing in keeps the focus (the checkpoint
  // list, the name search); anywhere else (the page, <main> after a tap, a button) the scan
  // field takes it, so that no scanned code is typed into nowhere.
  function typingElsewhere(element) {
    if (!element || element === input) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    return tag === "SELECT" || tag === "TEXTAREA" ||
      (tag === "INPUT" && ["button", "submit", "reset", "checkbox", "radio"].indexOf(element.type) < 0);
  }
  function focusInput() {
    if (typingElsewhere(document.activeElement)) return;
    input.focus({ preventScroll: true });
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value;
    input.value = "";
    if (!code.trim() && !result.hidden) { hide(); return; }
    scan(code);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !result.hidden) { hide(); return; }
    var active = document.activeElement;
    if (active === input || typingElsewhere(active)) return;
    if (event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      input.focus({ preventScroll: true });
    }
  });
  focusInput();

  // --- Camera ------------------------------------------------------------------------------
  var toggle = document.getElementById("door-camera-toggle");
  var video = document.getElementById("door-video");
  var cameraError = document.getElementById("door-camera-error");
  var stream = null, detector = null, canvas = document.createElement("canvas");
  var context2d = canvas.getContext("2d", { willReadFrequently: true });
  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = urls.jsqr; script.onload = resolve; script.onerror = reject;
      document.head.appendChild(script);
    });
  }
  function setCamera(on) {
    toggle.setAttribute("aria-pressed", String(on));
    toggle.querySelector("[data-camera=on]").hidden = !on;
    toggle.querySelector("[data-camera=off]").hidden = on;
    video.hidden = !on;
  }
  function stopCamera() {
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null; setCamera(false);
  }
  function startCamera() {
    cameraError.hidden = true;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraError.textContent = gettext("This browser cannot use the camera here (it needs HTTPS).");
      cameraError.hidden = false;
      return;
    }
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (error) { detector = null; }
    }
    Promise.all([
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }),
      detector ? Promise.resolve() : loadJsQR()
    ]).then(function (values) {
      stream = values[0];
      video.srcObject = stream;
      setCamera(true);
      return video.play();
    }).then(frame).catch(function () {
      cameraError.textContent = gettext("The camera could not be started. Allow camera access, or use a USB scanner.");
      cameraError.hidden = false;
      stopCamera();
    });
  }
  function frame() {
    if (!stream) return;
    var next = function () { window.setTimeout(frame, 120); };
    if (video.readyState < 2) { next(); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) scan(codes[0].rawValue, true);
      }).catch(function () { detector = null; }).finally(next);
      return;
    }
    var width = Math.min(640, video.videoWidth), height = Math.round(video.videoHeight * width / video.videoWidth);
    canvas.width = width; canvas.height = height;
    context2d.drawImage(video, 0, 0, width, height);
    var found = window.jsQR ? window.jsQR(context2d.getImageData(0, 0, width, height).data, width, height, { inversionAttempts: "dontInvert" }) : null;
    if (found && found.data) scan(found.data, true);
    next();
  }
  toggle.addEventListener("click", function () { if (stream) stopCamera(); else startCamera(); });

  // --- Search for guests without a badge --------------------------------------------------
  var searchForm = document.getElementById("door-search-form");
  var searchInput = document.getElementById("door-search");
  var searchResults = document.getElementById("door-search-results");
  function searchOffline(query) {
    if (!data) return [];
    var needle = query.toLowerCase();
    return Object.keys(data.roster).map(function (id) { return data.roster[id]; }).filter(function (entry) {
      return [entry.name, entry.name_latin, entry.organisation].some(function (text) {
        return (text || "").toLowerCase().indexOf(needle) >= 0;
      });
    }).slice(0, 20).map(function (entry) {
      return { name: entry.name, name_latin: entry.name_latin, organisation: entry.organisation,
        category_label: data.categories[entry.category], status_label: "", reprint_url: null };
    });
  }
  function renderResults(rows) {
    searchResults.textContent = "";
    if (!rows.length) {
      var none = document.createElement("li");
      none.textContent = gettext("Nobody found.");
      searchResults.appendChild(none);
      return;
    }
    rows.forEach(function (row) {
      var li = document.createElement("li");
      li.className = "door__result";
      var name = document.createElement("strong");
      name.textContent = [row.name, row.name_latin].filter(Boolean).join(" / ");
      var meta = document.createElement("span");
      meta.className = "muted small";
      meta.textContent = [row.organisation, row.category_label, row.status_label].filter(Boolean).join(" · ");
      li.appendChild(name); li.appendChild(document.createElement("br")); li.appendChild(meta);
      if (row.reprint_url) {
        var link = document.createElement("a");
        link.className = "button button--small";
        link.href = row.reprint_url;
        link.textContent = gettext("Reprint badge");
        li.appendChild(link);
      }
      searchResults.appendChild(li);
    });
  }
  searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = searchInput.value.trim();
    if (query.length < 2) return;
    request(urls.search + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" } }, 5000)
      .then(function (response) { if (!response.ok) throw new Error(); return response.json(); })
      .then(function (answer) { renderResults(answer.results); })
      .catch(function () { renderResults(searchOffline(query)); });
  });
})();
