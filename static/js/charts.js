/* Draws every chart on the page from its figure JSON (templates/includes/chart.html).
 *
 * The figures travel as <script type="application/json"> data, never as inline script, so the
 * Content-Security-Policy can forbid inline script altogether. The config is the one plotly.py's
 * to_html used to write (responsive, with the default modebar and its PNG camera).
 *
 * For keyboard and screen-reader users (issue 13) the chart's own SVG text is hidden from
 * assistive technology (templates/includes/chart.html names the chart and links its data
 * table instead), and the modebar's buttons are taken out of the Tab order: they added 6-11
 * stops per chart. Mouse users keep the modebar; every chart gets a PNG button of its own,
 * below it and in the Tab order, named after the chart. */
(function () {
  "use strict";

  const CONFIG = { responsive: true };

  function draw(chart) {
    const source = document.getElementById(chart.dataset.figure);
    if (!source || !window.Plotly) return;
    const figure = JSON.parse(source.textContent);
    // A figure with its own height gets a box of that height, so nothing below it is covered.
    // Set through the style object: the CSP blocks style attributes written in the markup.
    chart.style.width = "100%";
    chart.style.height = figure.layout && figure.layout.height ? figure.layout.height + "px" : "100%";
    window.Plotly.newPlot(chart, figure.data, figure.layout, CONFIG).then(function () {
      quiet(chart);
      addPngButton(chart);
      // Plotly redraws its SVG and modebar on resize and relayout: quiet them again each time.
      chart.on("plotly_afterplot", function () { quiet(chart); });
    });
  }

  function quiet(chart) {
    chart.querySelectorAll(".main-svg").forEach(function (svg) {
      svg.setAttribute("aria-hidden", "true");
    });
    chart.querySelectorAll(".modebar a, .modebar button").forEach(function (button) {
      button.setAttribute("tabindex", "-1");
    });
    chart.querySelectorAll(".modebar-container").forEach(function (bar) {
      bar.setAttribute("aria-hidden", "true");
    });
  }

  function addPngButton(chart) {
    const figure = chart.closest("[role=figure]") || chart;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary mt-1 png-download";
    button.textContent = "PNG";
    button.title = "Save this chart as a PNG image";
    // The visible word first (WCAG 2.5.3), then which chart: a page has several PNG buttons.
    button.setAttribute("aria-label", "PNG image of " + (figure.getAttribute("aria-label") || "this chart"));
    button.dataset.chart = chart.id;
    button.addEventListener("click", function () {
      window.Plotly.downloadImage(chart, {
        format: "png",
        filename: "clusterdx-" + chart.id.replace(/^chart-/, ""),
        width: chart.offsetWidth || 700,
        height: chart.offsetHeight || 450,
      });
    });
    // After the chart's sized wrapper, not inside it, so the chart never covers the button.
    figure.insertAdjacentElement("afterend", button);
  }

  function drawAll() {
    document.querySelectorAll(".plotly-graph-div[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
