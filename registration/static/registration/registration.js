// Registration pages: small enhancements; everything works without JavaScript.
(function () {
  "use strict";

  // "Dietary details" matters only when "Other" is chosen, or when something is already written.
  var dietary = document.getElementById("id_dietary");
  var details = document.getElementById("field-dietary_notes");
  if (dietary && details) {
    var notes = details.querySelector("input, textarea");
    var update = function () {
      var show = dietary.value === "other" || (notes && notes.value) || details.classList.contains("field--error");
      details.hidden = !show;
    };
    dietary.addEventListener("change", update);
    update();
  }

  // "Select all on this page" in the organisers' guest list.
  document.querySelectorAll("[data-select-all]").forEach(function (box) {
    var name = box.getAttribute("data-select-all");
    box.addEventListener("change", function () {
      var form = box.closest("form");
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    });
  });
})();
