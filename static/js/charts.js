/* Draws every chart on the page from its figure JSON (templates/includes/chart.html).
 *
 * The figures travel as <script type="application/json"> data, never as inline script, so the
 * Content-Security-Policy can forbid inline script altogether.
 *
 * Two things the Python side cannot know are settled here, where the drawn size is known:
 * - A figure may carry `layout.meta.narrow`: layout changes (Plotly.relayout keys) for a
 *   phone-width box, e.g. a taller map or fewer ticks. They apply below NARROW px and are undone
 *   above it, each time the width changes.
 * - The outer names of a two-level axis get the left margin they need (Plotly measures only
 *   the inner level).
 * - Map labels (annotations named "node-label", see cases/charts.py) are measured once drawn and
 *   each moved to the free spot among eight around its node, nearer spots first, so no label
 *   covers another, a node, the title or the legend, or runs off the chart. */
(function () {
  "use strict";

  const CONFIG = { responsive: false }; // resizing is done below, then labels are re-placed
  const NARROW = 576; // Bootstrap's "sm" breakpoint
  const NODE_LABEL = "node-label";
  const GAP = 3; // pixels between a label and what it must not touch
  const NODE_RADIUS = 8;

  function narrowChanges(figure) {
    return (figure.layout && figure.layout.meta && figure.layout.meta.narrow) || null;
  }

  function valueAt(layout, path) {
    return path.split(".").reduce((part, key) => (part == null ? undefined : part[key]), layout);
  }

  function heightFor(chart) {
    return chart._clusterdxLayout.height;
  }

  // The layout for the box's current width: the figure's own, with its narrow changes below NARROW.
  function widthChanges(chart) {
    const narrow = chart.clientWidth < NARROW;
    const changes = chart._clusterdxNarrow;
    const update = { width: chart.clientWidth };
    if (changes) {
      Object.keys(changes).forEach((key) => {
        update[key] = narrow ? changes[key] : chart._clusterdxWide[key];
      });
    }
    const height = narrow && changes && changes.height ? changes.height : heightFor(chart);
    if (height) {
      update.height = height;
      chart.style.height = height + "px";
    }
    return update;
  }

  function overlap(a, b) {
    const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return w > 0 && h > 0 ? w * h : 0;
  }

  function grown(box, by) {
    return { left: box.left - by, right: box.right + by, top: box.top - by, bottom: box.bottom + by };
  }

  function relative(box, origin) {
    return {
      left: box.left - origin.left,
      right: box.right - origin.left,
      top: box.top - origin.top,
      bottom: box.bottom - origin.top,
    };
  }

  // Pixel boxes of what labels must keep off: every node, the title and the legend.
  function obstacles(chart, origin, nodes) {
    const boxes = nodes.map((node) => grown(
      { left: node.x, right: node.x, top: node.y, bottom: node.y }, NODE_RADIUS));
    chart.querySelectorAll(".legend, .gtitle").forEach((element) => {
      const box = element.getBoundingClientRect();
      if (box.width && box.height) boxes.push(grown(relative(box, origin), GAP));
    });
    return boxes;
  }

  function placeLabels(chart) {
    const layout = chart._fullLayout;
    if (!layout || !layout.annotations) return Promise.resolve();
    const labelled = layout.annotations
      .map((annotation, index) => ({ annotation, index }))
      .filter((item) => item.annotation.name === NODE_LABEL);
    if (!labelled.length) return Promise.resolve();
    const origin = chart.getBoundingClientRect();
    const size = layout._size;
    const frame = { left: 0, top: 0, right: layout.width, bottom: layout.height };
    const nodes = labelled.map(({ annotation }) => ({
      x: size.l + layout.xaxis.l2p(annotation.x),
      y: size.t + layout.yaxis.l2p(annotation.y),
    }));
    const taken = obstacles(chart, origin, nodes);
    const update = {};
    labelled.forEach(({ index }, position) => {
      const drawn = chart.querySelector(`.annotation[data-index="${index}"] .annotation-text-g`);
      if (!drawn) return;
      const box = drawn.getBoundingClientRect();
      const w = box.width;
      const h = box.height;
      const node = nodes[position];
      let best = null;
      // Eight spots around the node (right, left, above, below, then the corners), and the same
      // eight further out, as label centres.
      [0, 14, 30, 50, 75].forEach((extra) => {
        const dx = NODE_RADIUS + GAP + extra + w / 2;
        const dy = NODE_RADIUS + GAP + extra + h / 2;
        [[dx, 0], [-dx, 0], [0, -dy], [0, dy], [dx, -dy], [-dx, -dy], [dx, dy], [-dx, dy]]
          .forEach(([ox, oy], order) => {
            const centre = { x: node.x + ox, y: node.y + oy };
            const spot = {
              left: centre.x - w / 2, right: centre.x + w / 2,
              top: centre.y - h / 2, bottom: centre.y + h / 2,
            };
            const outside = w * h - overlap(spot, frame);
            let cost = outside * 1000;
            taken.forEach((other, which) => {
              // A label may sit beside its own node, never on another.
              if (which !== position) cost += overlap(grown(spot, GAP), other) * 10;
            });
            cost += extra * 2 + order * 0.1; // prefer near and plain spots
            if (!best || cost < best.cost) best = { cost, spot, ox, oy };
          });
      });
      taken.push(best.spot);
      const key = `annotations[${index}]`;
      update[`${key}.xanchor`] = "center";
      update[`${key}.yanchor`] = "middle";
      update[`${key}.xshift`] = best.ox;
      update[`${key}.yshift`] = -best.oy; // Plotly's yshift points up, pixels point down
    });
    return window.Plotly.relayout(chart, update);
  }

  // Plotly's automargin measures only the inner level of a two-level axis (institution kinds),
  // not the outer one (the subjects beside them), so on a narrow screen a subject's name can
  // run off the chart's left edge: the left margin grows by what the drawn names overhang.
  function roomForOuterNames(chart) {
    const origin = chart.getBoundingClientRect();
    let overhang = 0;
    chart.querySelectorAll(".ytick2 text").forEach((text) => {
      const box = text.getBoundingClientRect();
      if (box.width) overhang = Math.max(overhang, GAP - (box.left - origin.left));
    });
    if (overhang <= 0) return Promise.resolve();
    const left = chart._fullLayout._size.l + Math.ceil(overhang);
    return window.Plotly.relayout(chart, { "margin.l": left });
  }

  function draw(chart) {
    const source = document.getElementById(chart.dataset.figure);
    if (!source || !window.Plotly) return;
    const figure = JSON.parse(source.textContent);
    const layout = figure.layout || {};
    const changes = narrowChanges(figure);
    chart._clusterdxLayout = { height: layout.height };
    chart._clusterdxNarrow = changes;
    chart._clusterdxWide = {};
    if (changes) {
      Object.keys(changes).forEach((key) => {
        chart._clusterdxWide[key] = valueAt(layout, key) === undefined ? null : valueAt(layout, key);
      });
    }
    // A figure with its own height gets a box of that height, so nothing below it is covered.
    // Set through the style object: the CSP blocks style attributes written in the markup.
    chart.style.width = "100%";
    chart.style.height = layout.height ? layout.height + "px" : "450px";
    window.Plotly.newPlot(chart, figure.data, layout, CONFIG).then(() => fit(chart));
  }

  function fit(chart) {
    chart._clusterdxWidth = chart.clientWidth;
    return window.Plotly.relayout(chart, widthChanges(chart))
      .then(() => roomForOuterNames(chart))
      .then(() => placeLabels(chart))
      .then(() => {
        chart.dataset.drawnWidth = String(chart.clientWidth); // read by the browser tests
      });
  }

  function drawAll() {
    document.querySelectorAll(".plotly-graph-div[data-figure]").forEach(draw);
  }

  let pending = null;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      document.querySelectorAll(".plotly-graph-div[data-figure]").forEach((chart) => {
        if (chart._fullLayout && chart.clientWidth !== chart._clusterdxWidth) fit(chart);
      });
    }, 100);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
