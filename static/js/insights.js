// Insights page: draws the charts from the figures the server put in #insights-data
// (json_script). No inline script or style: the strict CSP holds. Without
// JavaScript, each chart's figures are in the table under it.
(function () {
  "use strict";

  var COLOURS = ["#2f6f62", "#c7892b", "#4f7fb8", "#a3362b", "#7b2fa8"];
  var SOFT = ["#9cc7bb", "#ecc98f", "#a9c1e0", "#e0a199", "#caa6dd"];

  function draw(id, spec) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) {
      return;
    }
    var styles = getComputedStyle(document.body);
    var font = styles.fontFamily;
    var ink = styles.color;
    if (spec.horizontal) {
      // One row per label, so long field names and many fields stay readable.
      var perRow = spec.stacked ? 30 : spec.series.length * 9 + 20;
      canvas.parentNode.style.height = Math.max(160, spec.labels.length * perRow + 90) + "px";
    }
    var stackedSeries = spec.stacked && spec.series.length === 2;
    var datasets = spec.series.map(function (series, i) {
      return {
        label: series.label,
        data: series.data,
        backgroundColor: stackedSeries && i === 1 ? SOFT[3] : COLOURS[i % COLOURS.length],
        borderRadius: 3,
        maxBarThickness: 28
      };
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        font: { family: font },
        color: ink,
        plugins: {
          legend: { position: "bottom", labels: { color: ink, font: { family: font, size: 13 } } },
          tooltip: { titleFont: { family: font }, bodyFont: { family: font } }
        },
        scales: {
          x: {
            stacked: spec.stacked,
            beginAtZero: true,
            ticks: { color: ink, font: { family: font, size: 12 }, precision: 0, autoSkip: false, maxRotation: 50 }
          },
          y: {
            stacked: spec.stacked,
            beginAtZero: true,
            ticks: { color: ink, font: { family: font, size: 12 }, precision: 0, autoSkip: false }
          }
        }
      }
    });
    canvas.setAttribute("data-drawn", "true");
  }

  function start() {
    var source = document.getElementById("insights-data");
    if (!source) {
      return;
    }
    var charts = JSON.parse(source.textContent);
    Object.keys(charts).forEach(function (id) {
      draw(id, charts[id]);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
