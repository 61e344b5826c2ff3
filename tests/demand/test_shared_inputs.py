"""One source for the inputs every stage shares (issue 10, "Two truths for shared inputs").

Given the demand review's small company, when the supply plan and the inventory projection
assemble their inputs, then both open from the same stock, receive the same overdue receipts,
see a lane as the same length and get every unit of the consensus and backlog, site by site.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from accounts.roles import Role
from datainputs.models import OpenOrder, OpenReceipt, SalesHistory
from demand import grid
from demand.overrides import CellEdit, overrides_apply
from demand.selectors import consensus_frame, cycle_demand_plan
from demand.services import forecast_run_now
from inventory import inputs as inventory_inputs
from inventory.services import inventory_setup
from masterdata.leadtimes import DAYS_PER_MONTH, lead_time_months, lead_time_whole_months
from masterdata.models import Channel, Product, Site, Supplier, SupplyTerm
from supply import inputs as supply_inputs
from tests.demand.conftest import family_products
from tests.factories import InventoryFactory, ProductFactory
from tests.helpers import months_back

pytestmark = pytest.mark.django_db
NOV, DEC = dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def _supply_demand(cycle) -> pd.Series:  # type: ignore[no-untyped-def]
    built = supply_inputs.cycle_inputs(cycle)
    demand = built.inputs.demand.assign(month=lambda d: d["period"].dt.to_timestamp().dt.date)
    demand["product_id"] = demand["product"].map(built.product_ids)
    return demand.groupby(["product_id", "month"])["demand_units"].sum()


def _inventory_inputs(cycle):  # type: ignore[no-untyped-def]
    settings, _ = inventory_setup(cycle)
    return inventory_inputs.cycle_inputs(cycle, settings)


def _inventory_demand(cycle) -> pd.Series:  # type: ignore[no-untyped-def]
    flows = _inventory_inputs(cycle).flows
    flows = flows.assign(
        month=flows["period"].dt.to_timestamp().dt.date, product_id=flows["product"]
    )
    return flows.groupby(["product_id", "month"])["demand_units"].sum()


def test_a_count_dated_after_the_first_opens_supply_and_inventory_alike(forecast_cycle) -> None:
    bike2 = family_products("BIKES")[1]
    dc1 = Site.objects.get(code="DC1")
    InventoryFactory(product=bike2, site=dc1, as_of_date=dt.date(2026, 11, 5), quantity=420)

    supply_stock = supply_inputs.cycle_inputs(forecast_cycle).inputs.opening_inventory
    items = _inventory_inputs(forecast_cycle).items

    in_supply = supply_stock.set_index(["product", "site"])["on_hand_units"]
    assert in_supply[(bike2.sku, "DC1")] == 420.0
    mine = items[(items["product"] == bike2.pk) & (items["site"] == dc1.pk)]
    assert mine["opening_stock_units"].tolist() == [420.0]


def test_overdue_receipts_land_in_the_first_month_of_both_stages(forecast_cycle) -> None:
    helm = family_products("HELMETS")[0]
    dc2 = Site.objects.get(code="DC2")
    OpenReceipt.objects.create(order_number="PO-1", receipt_type="purchase", product=helm,
                               site=dc2, due_date=dt.date(2026, 10, 20), quantity=75)  # fmt: skip

    receipts = supply_inputs.cycle_inputs(forecast_cycle).inputs.scheduled_receipts
    flows = _inventory_inputs(forecast_cycle).flows

    assert receipts[["product", "site", "receipt_units"]].values.tolist() == [["HELM-1", "DC2", 75]]
    assert receipts["period"].tolist() == [pd.Period("2026-11", freq="M")]
    landed = flows[(flows["product"] == helm.pk) & (flows["receipts_units"] > 0)]
    assert landed[["period", "receipts_units"]].values.tolist() == [[pd.Period(NOV, "M"), 75.0]]


def test_a_45_day_lane_is_one_conversion_in_supply_and_inventory(forecast_cycle) -> None:
    bike1 = family_products("BIKES")[0]
    supplier = Supplier.objects.create(code="SUP-EU", name="Supplier")
    SupplyTerm.objects.create(product=bike1, site=Site.objects.get(code="DC1"), source_type="buy",
                              supplier=supplier, lead_time_days=45)  # fmt: skip

    buy = supply_inputs.cycle_inputs(forecast_cycle).inputs.buy_terms
    items = _inventory_inputs(forecast_cycle).items
    in_inventory = items.loc[items["product"] == bike1.pk, "lead_time_months"].iloc[0]

    assert buy.loc[buy["product"] == "BIKE-1", "lead_time_months"].tolist() == [1]
    assert in_inventory == pytest.approx(45 / DAYS_PER_MONTH) == pytest.approx(1.4784, abs=1e-4)
    # The supply plan's whole months are the inventory review's months rounded, for any lane.
    days = pd.Series(range(0, 400))
    assert (lead_time_whole_months(days) == (lead_time_months(days) + 0.5) // 1).all()


def test_consensus_in_equals_demand_reaching_supply_and_inventory(review_cycle, users) -> None:
    bikes = family_products("BIKES")
    dormant: Product = ProductFactory(  # type: ignore[assignment]
        sku="BIKE-OLD", family=bikes[0].family
    )
    SalesHistory.objects.create(product=dormant, site=Site.objects.get(code="DC2"),
                                channel=Channel.objects.get(), month=months_back(14)[0],
                                quantity=Decimal("30"), revenue=Decimal("1"))  # fmt: skip
    forecast_run_now(review_cycle.pk, users[Role.DEMAND_PLANNER])
    edits = [CellEdit(month=DEC, consensus_units=Decimal("50"), version=0, product_id=p.pk)
             for p in (dormant,)]  # fmt: skip
    overrides_apply(review_cycle.pk, edits, users[Role.DEMAND_PLANNER], reason="new_listing")

    consensus = consensus_frame(review_cycle).set_index(["product_id", "month"])["consensus_units"]
    for reached in (_supply_demand(review_cycle), _inventory_demand(review_cycle)):
        joined = pd.concat([consensus.rename("in"), reached.rename("out")], axis=1).fillna(0.0)
        assert joined["out"].to_numpy() == pytest.approx(joined["in"].to_numpy(), abs=1e-6)
        assert reached[(dormant.pk, DEC)] == pytest.approx(50.0)
    assert consensus.sum() == pytest.approx(cycle_demand_plan(review_cycle)["demand_units"].sum())


def test_past_due_orders_are_first_month_demand_in_every_stage(forecast_cycle, users) -> None:
    helm = family_products("HELMETS")[1]
    before_supply = _supply_demand(forecast_cycle)
    before_inventory = _inventory_demand(forecast_cycle)
    OpenOrder.objects.create(order_number="SO-9", product=helm, site=Site.objects.get(code="DC1"),
                             channel=Channel.objects.get(), order_date=dt.date(2026, 9, 20),
                             requested_date=dt.date(2026, 10, 15), quantity=5000)  # fmt: skip
    OpenOrder.objects.create(order_number="SO-10", product=helm, site=Site.objects.get(code="DC1"),
                             channel=Channel.objects.get(), order_date=dt.date(2026, 10, 20),
                             requested_date=dt.date(2026, 11, 15), quantity=300)  # fmt: skip

    plan = cycle_demand_plan(forecast_cycle)
    added_supply = _supply_demand(forecast_cycle) - before_supply
    added_inventory = _inventory_demand(forecast_cycle) - before_inventory

    backlog = plan[plan["backlog_units"] > 0]
    assert backlog[["product_id", "month", "backlog_units"]].values.tolist() == [
        [helm.pk, NOV, 5000.0]
    ]
    for added in (added_supply, added_inventory):
        assert added[(helm.pk, NOV)] == pytest.approx(5000.0)
        assert added.drop(index=[(helm.pk, NOV)]).abs().max() == pytest.approx(0.0, abs=1e-6)
    assert Product.objects.count() == 5
    rows = grid.grid_data(forecast_cycle, helm.family, users[Role.DEMAND_PLANNER]).rows
    shown = {r["id"]: r.get("m2026_11") for r in rows if r["measure"] == "backlog"}
    assert shown[f"p{helm.pk}-backlog"] == 5000.0
    assert shown[f"f{helm.family_id}-backlog"] == 5000.0
