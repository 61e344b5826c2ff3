/* Executive review charts (Plotly basic, vendored). Data comes from json_script islands; every
   label is escaped before Plotly sees it (Plotly renders a subset of HTML in labels). */
(function () {
  "use strict";

  function escapeLabel(value) {
    return String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
  }

  function readData(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function euro(value) {
    return "€" + Math.round(value).toLocaleString("en");
  }

  /* A waterfall drawn with stacked bars (plotly-basic has no waterfall trace): an invisible
     base bar and a visible delta bar per driver; the first and last bars are totals. */
  function drawWaterfall() {
    var data = readData("waterfall-data");
    var target = document.getElementById("waterfall");
    if (!data || !target || !window.Plotly || !data.bars.length) { return; }
    var names = [], base = [], delta = [], colours = [], texts = [], running = 0;
    data.bars.forEach(function (bar, index) {
      var last = index === data.bars.length - 1;
      names.push(escapeLabel(bar.driver));
      texts.push(euro(bar.value_eur));
      if (index === 0 || last) {
        base.push(0); delta.push(bar.value_eur); colours.push("#1f5fbf");
        running = bar.value_eur;
        return;
      }
      var next = running + bar.value_eur;
      base.push(Math.min(running, next));
      delta.push(Math.abs(bar.value_eur));
      colours.push(bar.value_eur >= 0 ? "#1c7c46" : "#b42318");
      running = next;
    });
    window.Plotly.newPlot(target, [
      { type: "bar", x: names, y: base, marker: { color: "rgba(0,0,0,0)" }, hoverinfo: "skip" },
      { type: "bar", x: names, y: delta, marker: { color: colours }, text: texts,
        hoverinfo: "x+text", textposition: "none" }
    ], { barmode: "stack", showlegend: false, margin: { t: 10, r: 10, b: 40, l: 70 },
         height: 280, yaxis: { tickprefix: "€" } }, { displayModeBar: false, responsive: true });
  }

  function drawPerformance() {
    var data = readData("performance-data");
    var target = document.getElementById("performance-chart");
    if (!data || !target || !window.Plotly) { return; }
    var traces = [];
    Object.keys(data.families).forEach(function (family) {
      var series = data.families[family];
      var label = escapeLabel(family);
      traces.push({ type: "bar", name: label + " plan", x: series.months, y: series.plan,
                    opacity: 0.55 });
      traces.push({ type: "scatter", mode: "lines+markers", name: label + " actual",
                    x: series.months, y: series.actual });
    });
    window.Plotly.newPlot(target, traces, { height: 340, margin: { t: 10, r: 10, b: 40, l: 60 },
      barmode: "group", yaxis: { title: "units" } }, { displayModeBar: false, responsive: true });
  }

  function drawHealth() {
    var data = readData("health-data");
    var target = document.getElementById("health-chart");
    if (!data || !target || !window.Plotly) { return; }
    window.Plotly.newPlot(target, [
      { type: "bar", name: "Days late", x: data.months, y: data.days_late },
      { type: "scatter", mode: "lines+markers", name: "Reopenings", x: data.months,
        y: data.reopenings },
      { type: "scatter", mode: "lines+markers", name: "Decisions past due", x: data.months,
        y: data.decisions_past_due }
    ], { height: 280, margin: { t: 10, r: 10, b: 40, l: 40 } },
    { displayModeBar: false, responsive: true });
  }

  function wirePrint() {
    var button = document.getElementById("print-pack");
    if (button) { button.addEventListener("click", function () { window.print(); }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawWaterfall(); drawPerformance(); drawHealth(); wirePrint();
  });
})();
