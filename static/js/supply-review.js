/* Supply review: resource load charts and the overtime form's version field. */
(function () {
  "use strict";
  const source = document.getElementById("load-chart-data");
  if (source) {
    JSON.parse(source.textContent).forEach(function (r) {
      Plotly.newPlot("load-chart-" + r.resource, [
        { type: "bar", name: "Planned load h", x: r.months, y: r.load, marker: { color: "#4a78b5" } },
        { type: "scatter", mode: "lines", name: "Capacity h", x: r.months, y: r.capacity, line: { color: "#2e7d32" } },
        { type: "scatter", mode: "lines", name: "Capacity + overtime h", x: r.months, y: r.with_overtime, line: { color: "#2e7d32", dash: "dot" } },
        { type: "scatter", mode: "lines+markers", name: "Requirement h", x: r.months, y: r.required, line: { color: "#c62828" } },
      ], { title: { text: SIOP.plotText(r.resource + " " + r.name) }, margin: { t: 40, r: 20, l: 60, b: 40 }, legend: { orientation: "h" } },
      { displayModeBar: false, responsive: true });
    });
  }
  const select = document.querySelector("#add-overtime select[name=resource]");
  if (select) {
    const sync = function () {
      const marker = Array.from(document.querySelectorAll("#add-overtime input[data-resource-id]"))
        .find((input) => input.dataset.resourceId === select.value);
      document.getElementById("overtime-version").value = marker ? marker.dataset.version : "";
    };
    select.addEventListener("change", sync);
    sync();
  }
})();
