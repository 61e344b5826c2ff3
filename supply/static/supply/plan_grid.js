// Supply plan grid (Tabulator): the family rows and the company totals (summed on the server)
// paint first; a family's product rows load when the planner opens it, 200 products a page
// ("Show more" asks for the next page by its keyset cursor). Answers carry an ETag, so reopening
// a family revalidates with a 304. The first columns stay frozen so a phone scrolls the months
// sideways. Every user text goes through SIOP.escapeHtml (Tabulator inserts formatter output as HTML).
(function () {
  "use strict";
  const element = document.getElementById("plan-grid");
  if (!element) return;
  const PAGE = 200;
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 0,
  });
  const status = document.getElementById("plan-grid-status");
  const opened = new Map(); // family id -> {rows: [row ids], cursor: next cursor or null}
  let table = null;
  let totals = {};

  function url(params) {
    const address = new URL(element.dataset.url, window.location.href);
    Object.entries(params).forEach(function ([key, value]) { address.searchParams.set(key, value); });
    return address.toString();
  }

  async function fetchJson(address) {
    const response = await fetch(address, { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(response.status + " " + response.statusText);
    return response.json();
  }

  const text = function (cell) { return SIOP.escapeHtml(cell.getValue()); };

  function familyCell(cell) {
    const row = cell.getRow().getData();
    if (row.more) return "<span class=\"grid-more\">Show the next " + PAGE + " products</span>";
    if (!row.is_family) return "";
    const mark = opened.has(row.family_id) ? "▾ " : "▸ ";
    return mark + SIOP.escapeHtml(row.family) + " <span class=\"muted\">(" + row.product_count + ")</span>";
  }

  function columns(months) {
    const keys = [
      { title: "Family", field: "family", frozen: true, formatter: familyCell, headerSort: false },
      { title: "SKU", field: "sku", formatter: text, headerSort: false },
      { title: "Product", field: "name", formatter: text, width: 180, headerSort: false },
      { title: "Site", field: "site", formatter: text, headerSort: false },
    ];
    const values = months.map(function (month) {
      return {
        title: month,
        field: month,
        hozAlign: "right",
        headerSort: false,
        formatter: function (cell) {
          return cell.getRow().getData().more ? "" : number.format(cell.getValue() || 0);
        },
        // The company total comes from the server: summing loaded rows would count a family twice.
        bottomCalc: function () { return totals[month] || 0; },
        bottomCalcFormatter: function (cell) { return number.format(cell.getValue() || 0); },
      };
    });
    return keys.concat(values);
  }

  async function loadPage(familyId, cursor, after) {
    const state = opened.get(familyId);
    // One load per family at a time: a second click on "Show more" (or on the family) before
    // the page arrived would append the same page twice.
    if (!state || state.loading) return;
    state.loading = true;
    try {
      const params = { family: familyId, limit: PAGE };
      if (cursor) params.cursor = cursor;
      const page = await fetchJson(url(params));
      page.rows.forEach(function (row) { state.rows.push(row.id); });
      // A copy: Tabulator reverses the array it is given when it inserts below a row.
      await table.addData(page.rows.slice(), false, after);
      state.cursor = page.next_cursor;
      element.dataset.pages = String(Number(element.dataset.pages || 0) + 1);  // for tests
      const moreId = "more-f" + familyId;
      const more = table.getRow(moreId);
      if (more) await more.delete();
      if (page.next_cursor) {
        const last = state.rows[state.rows.length - 1];
        await table.addData([{ id: moreId, more: true, family_id: familyId }], false, last);
      }
    } finally {
      state.loading = false;
    }
  }

  async function toggle(row) {
    const data = row.getData();
    if (data.more) {
      const state = opened.get(data.family_id);
      await loadPage(data.family_id, state.cursor, state.rows[state.rows.length - 1]);
      return;
    }
    if (!data.is_family) return;
    const state = opened.get(data.family_id);
    if (state) {
      if (state.loading) return;  // closed once its page has arrived, never half-way
      opened.delete(data.family_id);
      state.rows.concat(["more-f" + data.family_id]).forEach(function (id) {
        const child = table.getRow(id);
        if (child) child.delete();
      });
      row.reformat();
      return;
    }
    opened.set(data.family_id, { rows: [], cursor: null, loading: false });
    row.reformat();
    await loadPage(data.family_id, null, data.id);
  }

  async function start() {
    const head = await fetchJson(url({ part: "family" }));
    if (!head.rows.length) {
      document.getElementById("plan-grid-empty").hidden = false;
      return;
    }
    totals = head.totals;
    if (status) {
      status.textContent = head.rows.length + " families, " + head.product_count +
        " products: open a family to see its products.";
    }
    table = new Tabulator(element, {
      data: head.rows,
      index: "id",
      columns: columns(head.months),
      layout: "fitDataFill",
      height: "70vh",
      renderVertical: "virtual",
      rowFormatter: function (row) {
        row.getElement().classList.toggle("family-row", !!row.getData().is_family);
      },
    });
    table.on("rowClick", function (event, row) {
      toggle(row).catch(function (error) { if (status) status.textContent = error.message; });
    });
    await new Promise(function (resolve) { table.on("tableBuilt", resolve); });
    element.dataset.loaded = String(Date.now());
  }

  start().catch(function (error) { if (status) status.textContent = error.message; });
})();
