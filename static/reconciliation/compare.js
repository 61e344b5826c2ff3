// Compare page: the "show only differences" switch, the horizon charts and the PVM waterfalls.
// Data comes from the json_script element; names are set as text by Plotly (never as HTML).
(function () {
  "use strict";
  var toggle = document.getElementById("only-differences");
  if (toggle) {
    toggle.addEventListener("change", function () {
      document.querySelectorAll("#compare-table tr[data-same='1']").forEach(function (row) {
        row.hidden = toggle.checked;
      });
    });
  }
  var source = document.getElementById("compare-data");
  if (!source || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var layout = function (title) {
    return { title: { text: title }, height: 300, margin: { t: 40, r: 10, b: 40, l: 70 },
             legend: { orientation: "h" } };
  };
  var config = { displaylogo: false, responsive: true };
  document.querySelectorAll(".compare-chart").forEach(function (div) {
    var key = div.getAttribute("data-metric");
    var traces = data.series.map(function (s) {
      return { x: s.months, y: s[key], name: s.name, type: "scatter", mode: "lines+markers",
               hovertemplate: "%{x}: %{y:,.0f}<extra>%{fullData.name}</extra>" };
    });
    Plotly.newPlot(div, traces, layout(div.getAttribute("data-label")), config);
  });
  // A waterfall drawn as stacked bars: an invisible base and the visible step.
  document.querySelectorAll(".bridge-chart").forEach(function (div) {
    var b = data.bridges[Number(div.getAttribute("data-index"))];
    var labels = ["Budget", "Price", "Volume", "Mix", "Scenario"];
    var steps = [b.price, b.volume, b.mix];
    var base = [0], visible = [b.budget], colors = ["#8a94a6"], level = b.budget;
    steps.forEach(function (step) {
      base.push(step >= 0 ? level : level + step);
      visible.push(Math.abs(step));
      colors.push(step >= 0 ? "#1c7c46" : "#b42318");
      level += step;
    });
    base.push(0); visible.push(b.scenario); colors.push("#1f5fbf");
    var text = [b.budget, b.price, b.volume, b.mix, b.scenario].map(function (v) {
      return v.toLocaleString(undefined, { maximumFractionDigits: 0 });
    });
    Plotly.newPlot(div, [
      { x: labels, y: base, type: "bar", marker: { color: "rgba(0,0,0,0)" }, hoverinfo: "skip",
        showlegend: false },
      { x: labels, y: visible, type: "bar", marker: { color: colors }, text: text,
        textposition: "outside", hovertemplate: "%{x}: %{text}<extra></extra>", showlegend: false }
    ], Object.assign(layout(b.name), { barmode: "stack" }), config);
  });
})();
