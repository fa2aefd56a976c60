// Firm-table import progress: polls the status URL while the import runs, moves the
// <progress> bar, and reloads the page once the import is finished to show the report.
// (A script file, not inline script: the site's CSP allows only scripts from itself.)
(function () {
  "use strict";
  var section = document.getElementById("import-status");
  if (!section || !section.dataset.statusUrl) return;
  var bar = section.querySelector("progress");
  // Counts with thousands separators, as the page renders them ("1,000,000"); the status
  // JSON sends plain numbers.
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    section.querySelectorAll("[data-field]").forEach(function (node) {
      var value = data[node.dataset.field];
      if (value === undefined) return;
      node.textContent = "number" in node.dataset && typeof value === "number" ? numbers.format(value) : value;
    });
  }

  function poll() {
    fetch(section.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data.finished) window.location.reload();
        else window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 500);
})();
