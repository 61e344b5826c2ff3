// Supply plan grid: product x month, first columns frozen so a phone scrolls the months sideways.
// Text cells go through Tabulator's "plaintext" formatter, which escapes HTML.
(function () {
  "use strict";
  const element = document.getElementById("plan-grid");
  if (!element) return;
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 0,
  });

  function columns(months) {
    const keys = [
      { title: "SKU", field: "sku", frozen: true, formatter: "plaintext", headerFilter: "input" },
      { title: "Product", field: "name", formatter: "plaintext", width: 180 },
      { title: "Family", field: "family", formatter: "plaintext", headerFilter: "input" },
      { title: "Site", field: "site", formatter: "plaintext" },
    ];
    const values = months.map(function (month) {
      return {
        title: month,
        field: month,
        hozAlign: "right",
        bottomCalc: "sum",
        formatter: function (cell) { return number.format(cell.getValue() || 0); },
        bottomCalcFormatter: function (cell) { return number.format(cell.getValue() || 0); },
      };
    });
    return keys.concat(values);
  }

  fetch(element.dataset.url, { headers: { Accept: "application/json" } })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      if (!data.rows.length) {
        document.getElementById("plan-grid-empty").hidden = false;
        return;
      }
      new Tabulator(element, {
        data: data.rows,
        columns: columns(data.months),
        layout: "fitDataFill",
        height: "70vh",
        pagination: true,
        paginationSize: 100,
      });
    });
})();
