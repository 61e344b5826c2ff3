/* Inventory review: projected inventory value and units chart. */
(function () {
  "use strict";
  const source = document.getElementById("inventory-chart-data");
  if (!source) return;
  const data = JSON.parse(source.textContent);
  Plotly.newPlot("inventory-chart", [
    { type: "bar", name: "Projected inventory value €", x: data.months, y: data.closing_value_eur },
    { type: "scatter", mode: "lines", name: "Safety stock value €", x: data.months, y: data.safety_stock_value_eur },
    { type: "scatter", mode: "lines+markers", name: "Projected units", x: data.months, y: data.closing_units, yaxis: "y2" },
  ], {
    margin: { t: 20, r: 60, l: 70, b: 40 }, legend: { orientation: "h" },
    yaxis: { title: { text: "€" } }, yaxis2: { title: { text: "units" }, overlaying: "y", side: "right" },
  }, { displayModeBar: false, responsive: true });
})();
