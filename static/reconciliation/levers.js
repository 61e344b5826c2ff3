// Lever form: show only the fields the chosen lever kind uses, with a one-line explanation.
(function () {
  "use strict";
  var form = document.getElementById("lever-form");
  if (!form) { return; }
  var scope = ["family", "channel", "product", "first_month", "last_month"];
  var KINDS = {
    demand_change: [scope.concat(["pct", "units"]), "Demand × (1 + % / 100), or units added per month over the scoped rows."],
    forecast_interval: [["bound", "family", "product", "first_month", "last_month"], "Demand × bound / statistical forecast: lower = 10 % quantile, upper = 90 % quantile (80 % interval)."],
    price_change: [["family", "product", "first_month", "last_month", "pct"], "Standard price × (1 + % / 100) in the roll-up."],
    cost_change: [["family", "product", "first_month", "last_month", "pct"], "Standard cost × (1 + % / 100); over the whole horizon it also changes the supply plan's costs."],
    capacity_change: [["resource", "first_month", "last_month", "pct", "hours"], "A resource's monthly capacity × (1 + % / 100), or ± hours per month."],
    overtime: [["resource", "hours"], "Extra overtime hours allowed per month on a resource (whole horizon)."],
    air_freight: [["allow", "pct"], "Allow: every bought lane may ship by air (same month) at % of unit cost per unit (default 15). Forbid: air only where no other mode exists."],
    service_target: [["family", "product", "pct", "base_pct"], "Safety stock × z(new service level %) / z(current %, default 95)."],
    firm_order: [["product", "site", "source_type", "source", "mode", "first_month", "units"], "A firm order the plan must keep: release month and units."],
    demand_event: [["event", "action", "months"], "Remove (cancel) or move later (delay by months) a demand event's uplift."],
    channel_priority: [["channel", "priority"], "A channel's service priority (1 = served first) when supply is short."]
  };
  var kind = form.querySelector("select[name=kind]");
  var help = document.getElementById("lever-help");
  function update() {
    var entry = KINDS[kind.value] || [[], ""];
    form.querySelectorAll(".lever-field").forEach(function (label) {
      var name = label.getAttribute("data-field");
      label.hidden = entry[0].indexOf(name) < 0 && name !== "reason";
    });
    help.textContent = entry[1];
  }
  kind.addEventListener("change", update);
  form.addEventListener("submit", function () {
    // Fields of other lever kinds are not sent, so a value typed before switching kind is ignored.
    form.querySelectorAll(".lever-field[hidden] input, .lever-field[hidden] select").forEach(
      function (input) { input.disabled = true; });
  });
  update();
})();
