/* The site for keyboard and screen-reader users (issue 13).
 *
 * 1. After an invalid submit, focus the error summary (templates/includes/error_summary.html)
 *    so it is read out and its links to the fields are the next Tab stops. Following a link
 *    focuses its field (a fragment link alone only scrolls) with the field's label in view.
 * 2. "Add a row" on an assessment step's list: clone the formset's empty form (Django's
 *    `formset.empty_form`, kept in a <template>), raise TOTAL_FORMS, focus the new row's first
 *    field. Without JavaScript the button is absent and "Save draft" still adds empty rows;
 *    the server's MAX_NUM limit applies either way.
 * 3. A table wider than the screen scrolls inside its .table-responsive box; a keyboard user
 *    can scroll it only if the box takes focus (WCAG 2.1.1). Only boxes that do scroll get
 *    a Tab stop, named after the table's caption or the heading above it.
 * A static file, not inline script: the Content-Security-Policy forbids inline script. */
(function () {
  "use strict";

  function focusErrorSummary() {
    const summary = document.getElementById("error-summary");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      const link = event.target.closest("a[href^='#']");
      const field = link && document.getElementById(link.hash.slice(1));
      if (!field) return;
      event.preventDefault();
      field.focus({ preventScroll: true });
      const label = document.querySelector("label[for='" + field.id + "']");
      const legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
      (label || legend || field).scrollIntoView({ block: "start" });
    });
  }

  function setUpAddRow(button) {
    const prefix = button.dataset.prefix;
    const template = document.getElementById(prefix + "-empty-row");
    const rows = document.getElementById(prefix + "-rows");
    const total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    const max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    if (!template || !rows || !total) return;
    const status = document.getElementById(prefix + "-row-status");

    function full() {
      return max && Number(total.value) >= Number(max.value);
    }

    button.hidden = false;
    button.disabled = full();
    button.addEventListener("click", function () {
      if (full()) return;
      const index = Number(total.value);
      const html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      const row = rows.lastElementChild;
      const first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) first.focus();
      if (status) status.textContent = "Row " + (index + 1) + " added.";
      button.disabled = full();
      // The unsaved-answers warning listens for input; a new row is a change too.
      row.closest("form").dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  function makeScrollingTablesFocusable() {
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        const caption = box.querySelector("caption");
        let heading = box.previousElementSibling;
        while (heading && !/^H[1-6]$/.test(heading.tagName)) heading = heading.previousElementSibling;
        const name = caption ? caption.textContent : heading ? heading.textContent : "Table";
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", name.trim() + " (scrolls sideways)");
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  function setUp() {
    focusErrorSummary();
    makeScrollingTablesFocusable();
    window.addEventListener("resize", makeScrollingTablesFocusable);
    // A folded data table scrolls only once opened.
    document.addEventListener("toggle", makeScrollingTablesFocusable, true);
    document.querySelectorAll("button[data-add-row]").forEach(setUpAddRow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
