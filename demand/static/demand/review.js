/* Demand review grid (Tabulator 6) and charts (Plotly basic).
 * Consensus cells are the only editable ones; edits and Excel range pastes are collected as
 * pending changes and saved in one batch with a reason code. The server answers 409 when a cell
 * changed since the grid was loaded; nothing is overwritten silently. */
(function () {
  "use strict";
  const el = document.getElementById("demand-grid");
  if (!el) return;
  const csrf = document.querySelector("[name=csrfmiddlewaretoken]").value;
  const status = document.getElementById("grid-status");
  const saveButton = document.getElementById("save-overrides");
  const pendingLabel = document.getElementById("pending-count");
  const pending = new Map();
  let original = {};
  let table = null;

  // Pasted text ("1.234,5" from a German Excel) is read in the page's number locale, exactly as
  // the server will read it; text the server would refuse shows as "?" until fixed or saved.
  const numberFormat = new Intl.NumberFormat(document.body.dataset.numberLocale || "en", { maximumFractionDigits: 2 });
  const number = (v) => {
    if (v === null || v === undefined || v === "") return "";
    const parsed = SIOP.parseNumber(v);
    return Number.isFinite(parsed) ? numberFormat.format(parsed) : "?";
  };
  const formatter = (cell) => number(cell.getValue());
  const textFormatter = (cell) => SIOP.escapeHtml(cell.getValue());

  // Family total under each group: products' actual sales in history months, consensus after.
  function familyTotal(values, data, params) {
    const measure = params && params.history ? "actual" : "consensus";
    let total = 0;
    data.forEach((row, i) => {
      if (row.measure === measure && !row.is_family) total += SIOP.parseNumber(values[i]) || 0;
    });
    return total;
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "ok";
  }

  function refreshPending() {
    if (!saveButton) return;
    saveButton.disabled = pending.size === 0;
    pendingLabel.textContent = pending.size ? pending.size + " unsaved change(s)" : "No unsaved changes";
  }

  function monthOf(field) {
    return field.slice(1, 5) + "-" + field.slice(6, 8);
  }

  function remember(rowData, field, value) {
    const before = original[rowData.id];
    if (!rowData.editable || !before || !(("v" + field.slice(1)) in before)) return false;
    const key = rowData.id + "|" + field;
    if (String(value) === String(before[field])) {
      pending.delete(key);
    } else {
      pending.set(key, {
        product_id: rowData.product_id, family_id: rowData.is_family ? rowData.family_id : null,
        month: monthOf(field), consensus_units: value, version: before["v" + field.slice(1)],
      });
    }
    return true;
  }

  function onPasted(clipboard, rowData, rows) {
    rows.forEach((row) => {
      const data = row.getData();
      const before = original[data.id];
      const fixes = {};
      new Set([...Object.keys(before), ...Object.keys(data)]).forEach((field) => {
        const was = field in before ? before[field] : null;
        if (String(data[field] ?? "") === String(was ?? "")) return;
        if (!/^m\d{4}_\d{2}$/.test(field) || !remember(data, field, data[field])) {
          fixes[field] = was;  // not an editable consensus cell: undo the paste there
        }
      });
      if (Object.keys(fixes).length) row.updateData(fixes);
    });
    refreshPending();
    say(pending.size + " cell(s) pasted; choose a reason and save.", false);
  }

  function columns(meta) {
    const cols = [
      { title: "Product", field: "product", frozen: true, width: 220, headerSort: false,
        formatter: textFormatter, bottomCalc: () => "Family total", },
      { title: "Measure", field: "measure_label", frozen: true, width: 170, headerSort: false, tooltip: true,
        formatter: textFormatter },
    ];
    meta.forEach((c) => cols.push({
      title: c.title, field: c.field, hozAlign: "right", headerSort: false, width: 86,
      formatter: formatter, cssClass: c.history ? "hist" : "",
      editor: c.history ? false : "number",
      editable: (cell) => !c.history && cell.getRow().getData().editable,
      bottomCalc: familyTotal, bottomCalcParams: { history: c.history }, bottomCalcFormatter: formatter,
    }));
    return cols;
  }

  function rowFormatter(row) {
    const d = row.getData();
    const e = row.getElement();
    e.classList.toggle("family-row", !!d.is_family);
    e.classList.toggle("consensus-row", d.measure === "consensus");
    e.classList.toggle("backlog-row", d.measure === "backlog");
    (d.overridden || []).forEach((field) => {
      const cell = row.getCell(field);
      if (cell) cell.getElement().classList.add("overridden");
    });
    (d.carried || []).forEach((field) => {
      const cell = row.getCell(field);
      if (!cell) return;
      cell.getElement().classList.add("carried");
      cell.getElement().title = "Carried over from the previous cycle";
    });
    Object.entries(d.statistical_changed || {}).forEach(([field, value]) => {
      const cell = row.getCell(field);
      if (!cell) return;
      cell.getElement().classList.add("statistical-changed");
      // title is plain text: the browser never parses it as HTML.
      cell.getElement().title = "Statistical forecast changed since this override: now " + value;
    });
  }

  async function load() {
    const response = await fetch(el.dataset.gridUrl, { headers: { Accept: "application/json" } });
    const data = await response.json();
    original = {};
    data.rows.forEach((r) => { original[r.id] = Object.assign({}, r); });
    pending.clear();
    refreshPending();
    if (table) table.destroy();
    table = new Tabulator(el, {
      data: data.rows, index: "id", columns: columns(data.columns), layout: "fitDataFill",
      maxHeight: "70vh", groupBy: "family", columnCalcs: "group", rowFormatter: rowFormatter,
      // Tabulator inserts group headers as HTML: the family name is user text.
      groupHeader: (value, count) => SIOP.escapeHtml(value) + " <span>(" + count + " rows)</span>",
      selectableRange: 1, selectableRangeColumns: true, selectableRangeRows: true,
      clipboard: true, clipboardCopyStyled: false, clipboardPasteParser: "range",
      clipboardPasteAction: "range", clipboardCopyConfig: { columnHeaders: false, rowGroups: false, columnCalcs: false },
      clipboardCopyRowRange: "range", editTriggerEvent: "dblclick",
    });
    table.on("cellEdited", (cell) => {
      remember(cell.getRow().getData(), cell.getField(), cell.getValue());
      refreshPending();
    });
    table.on("clipboardPasted", onPasted);
    table.on("rowClick", (e, row) => {
      const d = row.getData();
      chart(d.is_family ? { family: d.family_id } : { product: d.product_id }, d.product);
    });
    el.dataset.loaded = String(Date.now());
  }

  async function save() {
    const reason = document.getElementById("override-reason").value;
    if (!reason) { say("Choose a reason code for your changes.", true); return; }
    const body = {
      reason: reason, comment: document.getElementById("override-comment").value,
      edits: Array.from(pending.values()),
    };
    saveButton.disabled = true;
    const response = await fetch(el.dataset.saveUrl, {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
    });
    const answer = await response.json();
    if (response.ok) {
      await load();
      say("Saved " + answer.saved + " cell(s).", false);
      chart(currentChart.params, currentChart.title);
    } else {
      say(answer.error || "The save failed.", true);
      refreshPending();
    }
  }

  const currentChart = { params: { family: document.getElementById("demand-chart").dataset.family }, title: "" };

  async function chart(params, title) {
    currentChart.params = params;
    currentChart.title = title;
    const url = el.dataset.chartUrl + "?" + new URLSearchParams(params).toString();
    const data = await (await fetch(url)).json();
    if (title) document.getElementById("chart-title").textContent = "Chart · " + title;
    const traces = [
      { x: data.history.x, y: data.history.y, name: "History", mode: "lines", line: { color: "#333" } },
      { x: data.statistical.x, y: data.statistical.upper, name: "80% upper", mode: "lines", line: { width: 0 }, showlegend: false },
      { x: data.statistical.x, y: data.statistical.lower, name: "80% interval", mode: "lines", line: { width: 0 }, fill: "tonexty", fillcolor: "rgba(31,119,180,0.15)" },
      { x: data.statistical.x, y: data.statistical.y, name: "Statistical", mode: "lines", line: { color: "#1f77b4", dash: "dot" } },
      { x: data.consensus.x, y: data.consensus.y, name: "Consensus", mode: "lines+markers", line: { color: "#d62728" } },
      { x: data.previous.x, y: data.previous.y, name: "Last cycle's consensus", mode: "lines", line: { color: "#999", dash: "dash" } },
    ];
    Plotly.react("demand-chart", traces, { margin: { t: 10, r: 10, b: 40, l: 60 }, legend: { orientation: "h" } }, { displaylogo: false, responsive: true });
  }

  document.body.addEventListener("htmx:afterSwap", () => {
    const progress = document.querySelector("#run-slot .run-progress");
    if (progress && progress.dataset.status === "succeeded" && !progress.dataset.reloaded) {
      progress.dataset.reloaded = "1";
      load();
      chart(currentChart.params, currentChart.title);
    }
    if (progress && progress.dataset.status === "failed" && !document.querySelector("form[action$='/retry/']")) {
      window.location.reload();  // shows the error and the retry button
    }
  });
  if (saveButton) saveButton.addEventListener("click", save);
  load();
  chart(currentChart.params, "");
})();
