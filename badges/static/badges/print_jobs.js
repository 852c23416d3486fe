// Bulk badge printing: follow the progress of print files still rendering, by polling their
// small JSON status, and show the download link when a file is ready.
(function () {
  "use strict";
  var INTERVAL = 1500;

  function follow(row) {
    var url = row.getAttribute("data-print-job");
    var progress = row.querySelector("[data-progress]");
    var label = row.querySelector("[data-label]");
    var download = row.querySelector("[data-download]");

    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (job) {
          progress.value = job.percent;
          progress.textContent = job.percent + "%";
          label.textContent = job.label;
          if (job.status === "done") {
            progress.value = 100;
            download.href = job.download_url;
            download.hidden = false;
            row.removeAttribute("data-print-job");
          } else if (job.status === "failed") {
            row.removeAttribute("data-print-job");
          } else {
            window.setTimeout(poll, INTERVAL);
          }
        })
        .catch(function () { window.setTimeout(poll, INTERVAL * 4); });
    }
    poll();
  }

  document.querySelectorAll("[data-print-job]").forEach(follow);
})();
