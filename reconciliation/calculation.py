"""Execute one scenario run: database inputs -> engine -> stored facts, with progress.

* The baseline scenario is the cycle's consensus plan: its facts are the roll-up of the plan's
  own rows (`cycles.plan_models.PlanRow` / `PlanResourceRow`), no re-planning.
* Any other scenario runs the same pipeline as the plan: the supply review's inputs
  (`supply.inputs.cycle_inputs`, whose safety stock is the inventory review's targets) with the
  consensus plan's demand, its levers applied (`engine.levers`), the supply engine (which gives
  the projected inventory), then the financial roll-up.
* Prices and costs come from the cycle's `PriceSnapshot` (taken once per cycle).

Idempotent by run id (`cycles.run_tasks.execute_run`): facts are replaced in one transaction
with the switch to succeeded. A cancelled run (marked failed by `services.scenario_run_cancel`)
stops at its next progress tick.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import pandas as pd
from django.db import transaction

from cycles.plan_models import ConsensusPlan, PlanResourceRow, PlanRow
from cycles.run_tasks import execute_run
from cycles.runs import RunStatus
from masterdata.models import Product, Resource, SupplyTermMode
from reconciliation.engine import (
    BUCKETS,
    LeverError,
    ScenarioBase,
    plan_frame_from_rows,
    roll_up,
    split_by_channel,
    summarise,
)
from reconciliation.engine.scenario import (
    SupplyConfig,
    SupplyInputError,
    SupplySolveError,
    run_scenario,
)
from reconciliation.levers_io import lever_from_params
from reconciliation.models import ScenarioFact, ScenarioRun
from reconciliation.snapshot import price_frame
from supply.selectors import cycle_supply_inputs

logger = logging.getLogger(__name__)
NO_PLAN_RECORD = ("No consensus plan record yet: the baseline is planned from the supply "
                  "review's inputs.")  # fmt: skip
STEPS = 5
CONFIG = SupplyConfig(mip_relative_gap=0.005, time_limit_seconds=60.0)


class ScenarioCancelled(Exception):
    """The run was cancelled while it was calculating."""


def _tick(run: ScenarioRun) -> Any:
    def tick(done: int, message: str) -> None:
        status = ScenarioRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
        if status != RunStatus.RUNNING:
            raise ScenarioCancelled("the run was cancelled")
        run.mark_progress(done, message)

    return tick


def _plan(run: ScenarioRun) -> ConsensusPlan | None:
    """The cycle's consensus plan, if the plan pipeline has built its rows."""
    plan = ConsensusPlan.objects.filter(cycle=run.cycle).first()
    if plan is None or not PlanRow.objects.filter(plan=plan).exists():
        return None
    return plan


def _plan_rows(plan: ConsensusPlan) -> pd.DataFrame:
    columns = ["product__sku", "site__code", "product__family__code", "month",
               "consensus_demand_units", "backlog_units", "served_units", "lost_sales_units",
               "production_units", "purchase_units", "purchase_units_by_mode",
               "opening_inventory_units", "projected_inventory_units"]  # fmt: skip
    rows = PlanRow.objects.filter(plan=plan).values_list(*columns)
    frame = pd.DataFrame.from_records(list(rows), columns=columns).rename(columns={
        "product__sku": "product", "site__code": "site", "product__family__code": "family"})  # fmt: skip
    frame["period"] = pd.PeriodIndex(pd.to_datetime(frame.pop("month")), freq="M")
    return frame


def _transport_costs() -> pd.DataFrame:
    rows = SupplyTermMode.objects.values_list(
        "supply_term__product__sku", "supply_term__site__code", "mode", "cost_per_unit"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["product", "site", "mode",
                                                           "transport_cost_per_unit"])  # fmt: skip
    frame["transport_cost_per_unit"] = frame["transport_cost_per_unit"].astype(float)
    return frame.groupby(["product", "site", "mode"], as_index=False).mean()


def _resource_rows(plan: ConsensusPlan) -> pd.DataFrame:
    rates = dict(Resource.objects.values_list("code", "overtime_cost_per_hour"))
    rows = PlanResourceRow.objects.filter(plan=plan).values_list(
        "resource__code", "month", "load_hours", "capacity_hours", "overtime_hours"
    )
    frame = pd.DataFrame.from_records(list(rows), columns=["resource", "month", "load_hours",
                                                           "capacity_hours", "overtime_hours"])  # fmt: skip
    frame["period"] = pd.PeriodIndex(pd.to_datetime(frame.pop("month")), freq="M")
    rate = frame["resource"].map(lambda code: float(rates.get(code) or 0))
    frame["overtime_cost_eur"] = frame["overtime_hours"].astype(float) * rate
    return frame


def baseline_facts(run: ScenarioRun, tick: Any) -> tuple[pd.DataFrame, str]:
    plan = _plan(run)
    if plan is None:  # until the plan pipeline has built the record: the stages' inputs as planned
        facts, method = lever_facts(run, tick)
        run.warnings = [NO_PLAN_RECORD, *run.warnings]
        return facts, method
    tick(1, "Reading the consensus plan")
    prices = price_frame(run.cycle)
    rows = plan_frame_from_rows(_plan_rows(plan), prices, _transport_costs(),
                                CONFIG.holding_rate_per_month)  # fmt: skip
    tick(3, "Financial roll-up of the consensus plan")
    monthly = prices.merge(pd.DataFrame({"period": rows["period"].unique()}), how="cross")
    return roll_up(rows, monthly, _resource_rows(plan)), "consensus plan"


def scenario_base(run: ScenarioRun, plan: ConsensusPlan | None) -> ScenarioBase:
    """The baseline's engine inputs: supply inputs with the plan's demand (when the plan has
    rows), the price snapshot and the forecast's intervals."""
    from demand.selectors import event_units_by_event, statistical_frame

    inputs = cycle_supply_inputs(run.cycle)
    if plan is not None:
        rows = _plan_rows(plan)
        # consensus_demand_units is all demand, backlog included (cycles.plan_models.PlanDemandRow).
        demand = rows.assign(demand_units=rows["consensus_demand_units"].astype(float))
        channels = inputs.channels["channel"].tolist()
        inputs = replace(inputs, demand=split_by_channel(
            demand[["product", "site", "period", "demand_units"]], inputs.demand, channels))  # fmt: skip
    stat = statistical_frame(run.cycle)
    skus = dict(Product.objects.values_list("pk", "sku"))
    intervals = pd.DataFrame({
        "product": stat["product_id"].map(skus),
        "period": pd.PeriodIndex(pd.to_datetime(stat["month"]), freq="M"),
        "statistical_units": stat["statistical_units"], "lower_units": stat["lower_units"],
        "upper_units": stat["upper_units"],
    })  # fmt: skip
    uplift = event_units_by_event(run.cycle, stat)
    events = pd.DataFrame({
        "event": uplift["event_id"], "product": uplift["product_id"].map(skus),
        "period": pd.PeriodIndex(pd.to_datetime(uplift["month"]), freq="M"),
        "units": uplift["event_units"],
    })  # fmt: skip
    return ScenarioBase(supply=inputs, prices=price_frame(run.cycle), intervals=intervals,
                        events=events)  # fmt: skip


def lever_facts(run: ScenarioRun, tick: Any) -> tuple[pd.DataFrame, str]:
    plan = _plan(run)
    tick(1, "Reading the consensus plan, supply inputs and forecast intervals")
    base = scenario_base(run, plan)
    levers = [lever_from_params(item["kind"], item["params"]) for item in run.levers]
    result = run_scenario(base, levers, CONFIG, progress=lambda done, text: tick(done + 1, text))
    run.warnings = list(result.plan.summary.warnings)[:50]
    return result.facts, f"supply engine ({result.plan.summary.method})"


def summaries(facts: pd.DataFrame) -> dict[str, dict[str, list[Any]]]:
    """Month / quarter / year / horizon figures of the facts, JSON-ready (columns and rows;
    NaN -> None), so the pages read them instead of summarising on every request."""
    out = {}
    for bucket in BUCKETS:
        frame = summarise(facts, bucket)
        frame["first_period"] = frame["first_period"].astype(str)
        frame = frame.astype(object).where(frame.notna(), None)
        out[bucket] = {"columns": list(frame.columns), "data": frame.to_numpy().tolist()}
    return out


def _store(run: ScenarioRun, facts: pd.DataFrame, method: str) -> None:
    with transaction.atomic():
        ScenarioFact.objects.filter(run=run).delete()
        ScenarioFact.objects.bulk_create(
            ScenarioFact(run=run, family_code=str(row.pop("family")),
                         month=row.pop("period").to_timestamp().date(),
                         **{k: float(v) for k, v in row.items()})
            for row in facts.to_dict("records")
        )  # fmt: skip
        run.method, run.summary = method, summaries(facts)
        run.message = (
            f"{facts['family'].nunique() - 1} families x {facts['period'].nunique()} months"
        )
        run.save(update_fields=["method", "message", "warnings", "summary"])
        run.mark_finished()


def _work(run: ScenarioRun) -> None:
    tick = _tick(run)
    tick(0, "Starting")
    if run.scenario.is_baseline:
        facts, method = baseline_facts(run, tick)
    else:
        facts, method = lever_facts(run, tick)
    tick(STEPS - 1, "Saving the results")
    _store(run, facts, method)


EXPECTED_ERRORS = [
    (ScenarioCancelled, "Cancelled: "),
    (LeverError, "A lever cannot be applied: "),
    (SupplyInputError, "The plan's inputs need fixing: "),
    (SupplySolveError, "The solver found no plan: "),
]


def scenario_run_execute(run_id: int) -> str:
    """Run (or re-run) the scenario of ``run_id``; returns the final status."""
    return execute_run(ScenarioRun, run_id, _work, steps=STEPS, expected=EXPECTED_ERRORS,
                       logger=logger, name="scenario run")  # fmt: skip
