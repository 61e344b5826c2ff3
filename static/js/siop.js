/* Shared page behaviour, loaded on every page (the Content-Security-Policy allows no inline
 * scripts, so what used to be onchange="..." attributes lives here).
 *
 * SIOP.escapeHtml: every user text placed into HTML by script (Tabulator formatters and group
 *   headers, which Tabulator inserts as HTML) goes through it.
 * SIOP.plotText: every user text used in a Plotly title, legend or axis label (Plotly reads a
 *   small HTML subset in those strings, including links).
 * SIOP.parseNumber: pasted/typed text in the page's number locale (data-number-group and
 *   data-number-decimal on <body>), the same strict rule as the server's siop/numbers.py:
 *   groups must be well formed, otherwise NaN (the server then names the problem). */
(function () {
  "use strict";
  const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  const escapeHtml = (value) =>
    value === null || value === undefined ? "" : String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]);

  function symbols() {
    const body = document.body || { dataset: {} };
    return { group: body.dataset.numberGroup || ",", decimal: body.dataset.numberDecimal || "." };
  }

  function parseNumber(value) {
    if (typeof value === "number") return value;
    if (value === null || value === undefined) return NaN;
    const { group, decimal } = symbols();
    let text = String(value).trim().replace(/\u2212/g, "-");
    if (/^\s*$/.test(text) || text.includes("_")) return NaN;
    if ([" ", "\u00a0", "\u202f"].includes(group)) text = text.replace(/[ \u00a0\u202f]/g, group);
    const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const grouped = new RegExp("^[+-]?\\d{1,3}(" + esc(group) + "\\d{3})+(" + esc(decimal) + "\\d+)?$");
    const plain = new RegExp("^[+-]?\\d+(" + esc(decimal) + "\\d+)?$");
    if (!grouped.test(text) && !plain.test(text)) return NaN;
    return Number(text.split(group).join("").replace(decimal, "."));
  }

  window.SIOP = { escapeHtml: escapeHtml, plotText: escapeHtml, parseNumber: parseNumber };

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (target instanceof HTMLElement && target.matches("[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target instanceof HTMLElement && target.matches("[data-history-back]")) {
      event.preventDefault();
      window.history.back();
    }
  });
})();
