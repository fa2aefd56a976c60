/* Draws every chart on the page from its figure JSON (templates/includes/chart.html).
 *
 * The figures travel as <script type="application/json"> data, never as inline script, so the
 * Content-Security-Policy can forbid inline script altogether. The config is the one plotly.py's
 * to_html used to write (responsive, with the default modebar and its PNG camera).
 *
 * For keyboard and screen-reader users (issue 13) the chart's own SVG text is hidden from
 * assistive technology (templates/includes/chart.html names the chart and links its data
 * table instead), and the modebar's buttons are taken out of the Tab order: they added 6-11
 * stops per chart. Mouse users keep the modebar; the compare page adds a PNG button. */
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

  function drawAll() {
    document.querySelectorAll(".plotly-graph-div[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
