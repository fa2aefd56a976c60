/* Draws every chart on the page from its figure JSON (templates/includes/chart.html).
 *
 * The figures travel as <script type="application/json"> data, never as inline script, so the
 * Content-Security-Policy can forbid inline script altogether. The config is the one plotly.py's
 * to_html used to write (responsive, with the default modebar and its PNG camera). */
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
    window.Plotly.newPlot(chart, figure.data, figure.layout, CONFIG);
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
