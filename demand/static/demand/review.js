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
  let lastPaste = [];  // [{row id, field, value before the paste}] for "Undo paste"
  const PAGE = 200;
  const view = { measure: "units", totals: "months", search: "", loading: 0 };
  const undoButton = document.getElementById("undo-paste");

  // Pasted text ("1.234,5" from a German Excel) is read in the page's number locale, exactly as
  // the server will read it; text the server would refuse shows as "?" until fixed or saved.
  const numberFormat = new Intl.NumberFormat(document.body.dataset.numberLocale || "en", { maximumFractionDigits: 2 });
  const number = (v) => {
    if (v === null || v === undefined || v === "") return "";
    const parsed = SIOP.parseNumber(v);
    return Number.isFinite(parsed) ? numberFormat.format(parsed) : "?";
  };
  const money = () => view.measure === "value";
  const currencyFormat = new Intl.NumberFormat(document.body.dataset.numberLocale || "en", {
    style: "currency", currency: el.dataset.currency || "EUR", maximumFractionDigits: 0 });
  const formatter = (cell) => {
    const key = cell.getRow().getData().id + "|" + cell.getField();
    cell.getElement().classList.toggle("unsaved", pending.has(key));
    const v = cell.getValue();
    if (money() && v !== null && v !== undefined && v !== "") return currencyFormat.format(SIOP.parseNumber(v));
    return number(v);
  };
  const textFormatter = (cell) => SIOP.escapeHtml(cell.getValue());

  // Typed cells are text, like pasted ones: a browser number field would read "1.234,5" as
  // 1.234 and send that silently; text goes to the one server parser in NUMBER_LOCALE.
  const plainFormat = new Intl.NumberFormat(document.body.dataset.numberLocale || "en",
    { maximumFractionDigits: 20, useGrouping: false });
  function textEditor(cell, onRendered, success, cancel) {
    const input = document.createElement("input");
    const value = cell.getValue();
    input.type = "text";
    input.inputMode = "decimal";
    input.style.cssText = "padding:4px;width:100%;box-sizing:border-box;height:100%";
    input.value = typeof value === "number" ? plainFormat.format(value) : (value ?? "");
    let done = false;
    const finish = () => { if (!done) { done = true; success(input.value.trim()); } };
    input.addEventListener("blur", finish);
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") finish();
      if (e.key === "Escape") { done = true; cancel(); }
    });
    onRendered(() => { input.focus(); input.select(); });
    return input;
  }

  function say(text, isError) {
    status.textContent = text;
    status.className = isError ? "error" : "ok";
  }

  function refreshPending() {
    if (!saveButton) return;
    saveButton.disabled = pending.size === 0;
    pendingLabel.textContent = pending.size ? pending.size + " unsaved change(s)" : "No unsaved changes";
    if (undoButton) undoButton.disabled = lastPaste.length === 0;
  }

  // The value a cell shows now (an unsaved edit, else what was loaded): what undo puts back.
  function shown(id, field) {
    const edit = pending.get(id + "|" + field);
    return edit ? edit.consensus_units : (original[id] || {})[field];
  }

  function monthOf(field) {
    return field.slice(1, 5) + "-" + field.slice(6, 8);
  }

  function remember(rowData, field, value) {
    const before = original[rowData.id];
    if (!rowData.editable || !before || !(("v" + field.slice(1)) in before)) return false;
    const key = rowData.id + "|" + field;
    if (String(value) === String(before[field]) || SIOP.parseNumber(value) === SIOP.parseNumber(before[field])) {
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
    const undo = [];
    rows.forEach((row) => {
      const data = row.getData();
      const before = original[data.id];
      const fixes = {};
      new Set([...Object.keys(before), ...Object.keys(data)]).forEach((field) => {
        const was = field in before ? before[field] : null;
        if (!/^m\d{4}_\d{2}$/.test(field)) {
          if (String(data[field] ?? "") !== String(was ?? "")) fixes[field] = was;
          return;
        }
        const previous = shown(data.id, field);
        if (String(data[field] ?? "") === String(previous ?? "")) return;
        if (remember(data, field, data[field])) {
          undo.push({ id: data.id, field: field, value: previous });
        } else {
          fixes[field] = was;  // not an editable consensus cell: undo the paste there
        }
      });
      if (Object.keys(fixes).length) row.updateData(fixes);
      (row.getComponent ? row.getComponent() : row).reformat();  // Tabulator passes internal rows
    });
    lastPaste = undo;
    refreshPending();
    say(pending.size + " cell(s) pasted; choose a reason and save.", false);
  }

  function undoPaste() {
    lastPaste.forEach((u) => {
      const row = table.getRow(u.id);
      if (!row) return;
      row.update({ [u.field]: u.value });
      remember(row.getData(), u.field, u.value);
      row.reformat();
    });
    say("Undid the last paste (" + lastPaste.length + " cell(s)).", false);
    lastPaste = [];
    refreshPending();
  }

  // Quarter or year columns add up the row's months (family rows are server totals already).
  function periodColumns(meta, key) {
    const groups = new Map();
    meta.forEach((c) => {
      const name = c[key] + (c.history ? " (actual)" : "");
      if (!groups.has(name)) groups.set(name, []);
      groups.get(name).push(c.field);
    });
    return Array.from(groups, ([title, fields]) => ({
      title: title, field: "t_" + title.replace(/\W/g, "_"), hozAlign: "right", headerSort: false,
      width: 110, cssClass: "period-total",
      formatter: (cell) => {
        const d = cell.getRow().getData();
        const present = fields.filter((f) => d[f] !== undefined && d[f] !== null && d[f] !== "");
        if (!present.length) return "";
        const sum = present.reduce((t, f) => t + (SIOP.parseNumber(d[f]) || 0), 0);
        return money() ? currencyFormat.format(sum) : numberFormat.format(sum);
      },
    }));
  }

  function columns(meta) {
    const cols = [
      // On a phone only the product stays frozen, narrower, so months fit beside it.
      { title: "Product", field: "product", frozen: true, width: narrow ? 120 : 220, headerSort: false,
        formatter: textFormatter },
      { title: "Measure", field: "measure_label", frozen: !narrow, width: narrow ? 110 : 170, headerSort: false,
        tooltip: true, formatter: textFormatter },
    ];
    if (view.totals !== "months") return cols.concat(periodColumns(meta, view.totals));
    meta.forEach((c) => cols.push({
      title: c.title, field: c.field, hozAlign: "right", headerSort: false, width: 86,
      formatter: formatter, cssClass: c.history ? "hist" : "",
      editor: c.history ? false : textEditor,
      // No typing while later pages are still being added (a re-render would drop the editor).
      editable: (cell) => !c.history && !view.busy && cell.getRow().getData().editable,
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

  const narrow = window.matchMedia("(max-width: 600px)").matches;

  function gridUrl(params) {
    const url = new URL(el.dataset.gridUrl, window.location.href);
    Object.entries(params).forEach(([k, v]) => url.searchParams.set(k, v));
    if (view.measure === "value") url.searchParams.set("measure", "value");
    if (view.search) url.searchParams.set("q", view.search);
    return url.toString();
  }

  async function fetchJson(url) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error((await response.json()).error || response.statusText);
    return response.json();
  }

  function keep(rows) {
    rows.forEach((r) => { original[r.id] = Object.assign({}, r); });
  }

  // First paint: the family rows (server totals); product rows follow page by page.
  async function load() {
    const ticket = ++view.loading;
    view.busy = false;
    // The family rows and the first page together, so a small family paints in one go.
    const [head, first] = await Promise.all([
      fetchJson(gridUrl({ part: "family" })), fetchJson(gridUrl({ offset: 0, limit: PAGE })),
    ]);
    if (ticket !== view.loading) return;  // a newer load (search, switch, save) took over
    original = {};
    keep(head.rows);
    keep(first.rows);
    pending.clear();
    lastPaste = [];
    refreshPending();
    if (table) table.destroy();
    // Set before the table paints, so the toolbar does not move under the planner's pointer.
    const count = document.getElementById("grid-count");
    if (count) count.textContent = Math.min(PAGE, head.product_count) + " of " + head.product_count + " product(s)";
    meta = head.columns;
    table = new Tabulator(el, {
      data: head.rows.concat(first.rows), index: "id", columns: columns(meta), layout: "fitDataFill",
      maxHeight: "70vh", groupBy: "family", rowFormatter: rowFormatter, renderVertical: "virtual",
      // Tabulator inserts group headers as HTML: the family name is user text.
      groupHeader: (value, count) => SIOP.escapeHtml(value) + " <span>(" + count + " rows)</span>",
      selectableRange: 1, selectableRangeColumns: true, selectableRangeRows: true,
      clipboard: true, clipboardCopyStyled: false, clipboardPasteParser: "range",
      clipboardPasteAction: "range", clipboardCopyConfig: { columnHeaders: false, rowGroups: false, columnCalcs: false },
      clipboardCopyRowRange: "range", editTriggerEvent: "dblclick",
    });
    table.on("cellEdited", (cell) => {
      remember(cell.getRow().getData(), cell.getField(), cell.getValue());
      cell.getRow().reformat();
      refreshPending();
    });
    table.on("clipboardPasted", onPasted);
    table.on("rowClick", (e, row) => {
      const d = row.getData();
      if (d.company) return;
      // a family row is titled with the family (code and name), as the page first shows it
      chart(d.is_family ? { family: d.family_id } : { product: d.product_id }, d.is_family ? d.family : d.product);
    });
    await new Promise((resolve) => table.on("tableBuilt", resolve));
    const matched = document.getElementById("grid-count");
    for (let offset = PAGE; offset < head.product_count; offset += PAGE) {
      view.busy = true;
      if (ticket !== view.loading) return;  // a newer load (search, switch) took over
      const page = await fetchJson(gridUrl({ offset: offset, limit: PAGE }));
      if (ticket !== view.loading) return;
      keep(page.rows);
      await table.addData(page.rows);
      if (matched) matched.textContent = Math.min(offset + PAGE, page.product_count) + " of " + page.product_count + " product(s)";
    }
    await showCompany();
    view.busy = false;
    el.dataset.loaded = String(Date.now());
  }
  let meta = [];

  // Company total rows (every family the planner sees), on top and read-only, when asked for.
  const companyBox = document.getElementById("grid-company");
  async function showCompany() {
    table.getRows().filter((r) => r.getData().company).forEach((r) => r.delete());
    if (!companyBox || !companyBox.checked) return;
    const answer = await fetchJson(gridUrl({ part: "company" }));
    await table.addData(answer.rows, true);
  }
  if (companyBox) companyBox.addEventListener("change", () => showCompany().catch((e) => say(e.message, true)));

  function unsavedOk() {
    return pending.size === 0 || window.confirm(
      "You have " + pending.size + " unsaved change(s) in the grid. Leave them and continue?");
  }

  function reloadView() {
    if (!unsavedOk()) return false;
    load().catch((e) => say(e.message, true));
    return true;
  }

  // Switching family with unsaved edits asks first; "Cancel" keeps the grid and the choice.
  const familySelect = document.querySelector("select[name=family][data-autosubmit]");
  if (familySelect) {
    const chosen = familySelect.value;
    familySelect.addEventListener("change", (event) => {
      if (unsavedOk()) { pending.clear(); return; }
      event.stopImmediatePropagation();
      familySelect.value = chosen;
    }, true);
  }
  window.addEventListener("beforeunload", (event) => {
    if (pending.size === 0) return;
    event.preventDefault();
    event.returnValue = "";  // the browser shows its own "leave site?" text
  });

  document.querySelectorAll("[data-grid-measure]").forEach((input) => input.addEventListener("change", () => {
    const was = view.measure;
    view.measure = input.value;
    if (!reloadView()) { view.measure = was; document.querySelector(`[data-grid-measure][value=${was}]`).checked = true; }
  }));
  const totalsSelect = document.getElementById("grid-totals");
  if (totalsSelect) totalsSelect.addEventListener("change", () => {
    view.totals = totalsSelect.value;
    table.setColumns(columns(meta));
  });
  const searchForm = document.getElementById("grid-search");
  if (searchForm) searchForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const was = view.search;
    view.search = searchForm.elements.q.value.trim();
    if (!reloadView()) view.search = was;
  });
  if (undoButton) undoButton.addEventListener("click", undoPaste);

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
      const edited = new Set(Array.from(pending.keys(), (key) => key.split("|")[0]));
      pending.clear();
      lastPaste = [];
      applyCells(answer.cells || [], edited);
      refreshPending();
      say("Saved " + answer.saved + " cell(s).", false);
      chart(currentChart.params, currentChart.title);
    } else {
      say(answer.error || "The save failed.", true);
      refreshPending();
    }
  }

  // A save answers with the cells it changed (values, lock versions, flags of the saved months,
  // family totals included): patch them in place instead of reloading the grid.
  function applyCells(cells, edited) {
    cells.forEach((patch) => {
      if (original[patch.id]) Object.assign(original[patch.id], patch);
      edited.add(patch.id);
      const row = table && table.getRow(patch.id);
      if (row) row.update(patch);
    });
    edited.forEach((id) => {
      const row = table && table.getRow(id);
      if (row) row.reformat();  // drops the "unsaved" marks, shows the new overridden cells
    });
    el.dataset.patched = String(Date.now());
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
      if (unsavedOk()) load();
      chart(currentChart.params, currentChart.title);
    }
    if (progress && progress.dataset.status === "failed" && !document.querySelector("form[action$='/retry/']")) {
      window.location.reload();  // shows the error and the retry button
    }
  });
  if (saveButton) saveButton.addEventListener("click", save);
  load().catch((e) => say(e.message, true));
  chart(currentChart.params, "");
})();
