// Bayline's small progressive enhancements. Pages work without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");

  // Collapsible main navigation on small screens.
  document.querySelectorAll("[data-nav-toggle]").forEach(function (button) {
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    if (!nav) return;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("is-open", !open);
    });
  });

  // A wide table scrolls sideways in its .table-wrap: the scroll area must take the focus to
  // be scrolled from the keyboard, and be named to be found (its caption, else the heading
  // of its section or page). Templates may set these themselves.
  document.querySelectorAll(".table-wrap:not([tabindex])").forEach(function (wrap) {
    var section = wrap.closest("section, .card");
    var named = wrap.querySelector("caption") ||
      (section && section.querySelector("h1, h2, h3")) || document.querySelector("h1");
    wrap.tabIndex = 0;
    wrap.setAttribute("role", "region");
    if (named) wrap.setAttribute("aria-label", named.textContent.trim());
  });

  // Forms marked data-autosubmit submit when one of their controls changes (filters).
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
  });

  // Elements with data-confirm ask before going on (cancel, reject, delete).
  document.querySelectorAll("[data-confirm]").forEach(function (element) {
    element.addEventListener("click", function (event) {
      if (!window.confirm(element.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // A pressed submit button disables itself, against double submission. (The server is
  // idempotent anyway; this is for the guest's peace of mind.)
  document.querySelectorAll("form[method=post]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]:not([name]), input[type=submit]").forEach(function (b) {
          b.disabled = true;
        });
      }, 0);
    });
  });
})();
