/* Draws every <canvas data-chart="ID"> from the JSON spec in
 * <script type="application/json" id="ID"> (written by Django's json_script).
 * No inline script: the page stays within a strict Content-Security-Policy.
 * Spec: {type, labels, datasets: [{label, data, role, line}], stacked,
 *        percentAxis (label of a 0-100 % axis for line datasets), horizontal,
 *        partial (one flag per label: a partial point, drawn hatched, its
 *        line dashed; the page names it under the chart)}.
 */
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") { return; }

  // Okabe–Ito based palette: distinguishable with colour blindness, and
  // dark enough on white for the 3:1 contrast of graphical objects.
  var COLOURS = {
    visiting: "#0072B2", joint: "#56B4E9", local: "#009E73", share: "#D55E00",
    experts: "#0072B2", onsite: "#E69F00", mentor: "#009E73", further: "#CC79A7",
    first: "#D55E00", other: "#999999"
  };
  var FALLBACK = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#999999"];

  function colour(role, i) { return COLOURS[role] || FALLBACK[i % FALLBACK.length]; }

  // A partial point's bar: the colour as diagonal stripes on white.
  function hatch(c) {
    var tile = document.createElement("canvas");
    tile.width = 8; tile.height = 8;
    var ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = c; ctx.lineWidth = 2.5;
    ctx.beginPath();
    ctx.moveTo(-2, 10); ctx.lineTo(10, -2);
    ctx.moveTo(-2, 2); ctx.lineTo(2, -2);
    ctx.moveTo(6, 10); ctx.lineTo(10, 6);
    ctx.stroke();
    return ctx.createPattern(tile, "repeat");
  }

  function build(spec) {
    var partial = spec.partial || [];
    var anyPartial = partial.some(function (p) { return p; });
    var horizontal = !!spec.horizontal;
    var valueAxis = horizontal ? "x" : "y";
    var categoryAxis = horizontal ? "y" : "x";
    var datasets = spec.datasets.map(function (d, i) {
      var c = colour(d.role, i);
      var ds = {
        label: d.label, data: d.data, backgroundColor: c, borderColor: c,
        borderWidth: d.line ? 2 : 0, order: d.line ? 0 : 1
      };
      if (anyPartial && !d.line) {
        var striped = hatch(c);
        ds.backgroundColor = spec.labels.map(function (_l, j) { return partial[j] ? striped : c; });
        ds.borderWidth = spec.labels.map(function (_l, j) { return partial[j] ? 1 : 0; });
      }
      if (d.line) {
        ds.type = "line";
        ds.fill = false;
        ds.pointRadius = spec.labels.length > 36 ? 0 : 2;
        ds.spanGaps = true;
        ds.tension = 0.2;
        if (spec.percentAxis) { ds.yAxisID = "percent"; }
        if (anyPartial) {
          // The segment into a partial point dashed, the point hollow.
          ds.segment = { borderDash: function (ctx) { return partial[ctx.p1DataIndex] ? [5, 4] : undefined; } };
          ds.pointBackgroundColor = spec.labels.map(function (_l, j) { return partial[j] ? "#ffffff" : c; });
          ds.pointRadius = spec.labels.map(function (_l, j) {
            return partial[j] ? 4 : (spec.labels.length > 36 ? 0 : 2);
          });
        }
      }
      return ds;
    });
    var scales = {};
    scales[categoryAxis] = { stacked: !!spec.stacked, grid: { display: false },
      ticks: { autoSkip: true, maxRotation: 0 } };
    scales[valueAxis] = { stacked: !!spec.stacked, beginAtZero: true,
      ticks: { precision: 0 } };
    if (spec.valueMax) { scales[valueAxis].max = spec.valueMax; }
    if (spec.percentAxis) {
      scales.percent = { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
        title: { display: true, text: spec.percentAxis } };
    }
    return {
      type: spec.type === "line" ? "line" : "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { display: spec.datasets.length > 1, position: "bottom", labels: { boxWidth: 12 } } },
        scales: scales
      }
    };
  }

  function drawAll() {
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) { return; }
      var spec;
      try { spec = JSON.parse(source.textContent); } catch (e) { return; }
      canvas.parentNode.classList.add("chart__canvas--drawn");
      new window.Chart(canvas, build(spec));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
