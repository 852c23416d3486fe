// Registers the badge page's service worker, so that the badge opens offline once seen.
(function () {
  "use strict";
  var root = document.querySelector("[data-service-worker]");
  if (!root || !("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register(root.getAttribute("data-service-worker"), {
    scope: root.getAttribute("data-scope"),
  }).then(function () {
    root.setAttribute("data-offline-ready", "pending");
    return navigator.serviceWorker.ready;
  }).then(function () {
    root.setAttribute("data-offline-ready", "yes");
  }).catch(function () {
    root.setAttribute("data-offline-ready", "no");
  });
  if (!navigator.onLine) root.classList.add("phone-badge--offline");
  window.addEventListener("offline", function () { root.classList.add("phone-badge--offline"); });
  window.addEventListener("online", function () { root.classList.remove("phone-badge--offline"); });
})();
