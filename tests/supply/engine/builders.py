"""Tiny hand-checkable supply networks for the engine tests (one product unless said)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from supply.engine import SupplyInputs


def horizon(months: int) -> pd.PeriodIndex:
    return pd.period_range("2027-01", periods=months, freq="M")


def products(unit_cost: float = 10.0, unit_price: float = 30.0, **extra: Any) -> pd.DataFrame:
    row = {"product": "P", "family": "F", "unit_cost": unit_cost, "unit_price": unit_price}
    return pd.DataFrame([{**row, **extra}])


def channels(*priorities: int) -> pd.DataFrame:
    priorities = priorities or (1,)
    names = ["RETAIL", "WEB", "EXPORT"][: len(priorities)]
    return pd.DataFrame({"channel": names, "service_priority": list(priorities)})


def resource(capacity: float = 100.0, overtime: float = 0.0, rate: float = 0.0) -> pd.DataFrame:
    return pd.DataFrame([{"resource": "R", "site": "S", "capacity_hours_per_month": capacity,
                          "overtime_hours_per_month": overtime,
                          "overtime_cost_per_hour": rate}])  # fmt: skip


def make_term(hours: float = 1.0, lead: int = 0) -> pd.DataFrame:
    return pd.DataFrame([{"product": "P", "site": "S", "resource": "R", "hours_per_unit": hours,
                          "lead_time_months": lead}])  # fmt: skip


def demand(units: list[float], channel: str = "RETAIL", months: int | None = None) -> pd.DataFrame:
    periods = horizon(months or len(units))
    return pd.DataFrame({"product": "P", "site": "S", "channel": channel,
                         "period": periods[: len(units)], "demand_units": units})  # fmt: skip


def made(units: list[float], **kwargs: Any) -> SupplyInputs:
    """One made product P at site S on resource R (cost 10, price 30), demand on RETAIL."""
    fields: dict[str, Any] = {
        "horizon": horizon(len(units)), "products": products(), "channels": channels(),
        "resources": resource(), "demand": demand(units), "make_terms": make_term(),
    }  # fmt: skip
    fields.update(kwargs)
    return SupplyInputs(**fields)


def no_resources() -> pd.DataFrame:
    return resource().iloc[0:0]


def bought(units: list[float], buy_terms: pd.DataFrame, **kwargs: Any) -> SupplyInputs:
    """One bought product P at site S (cost 10, price 30), demand on RETAIL."""
    suppliers = pd.DataFrame({"supplier": sorted(set(buy_terms["supplier"]))})
    fields: dict[str, Any] = {
        "horizon": horizon(len(units)), "products": products(), "channels": channels(),
        "resources": no_resources(), "demand": demand(units), "buy_terms": buy_terms,
        "suppliers": suppliers,
    }  # fmt: skip
    fields.update(kwargs)
    return SupplyInputs(**fields)


def buy_term(supplier: str = "V", **extra: Any) -> dict[str, Any]:
    return {"product": "P", "site": "S", "supplier": supplier, **extra}


def two_products_one_supplier() -> SupplyInputs:
    """Issue 13's MOQ case: A and B (60 a month each, MOQ 150, price 50) on one supplier of 200
    units a month, 3 months (exact optimum 6,360)."""
    horizon_ = horizon(3)
    products = pd.DataFrame({"product": ["A", "B"], "family": "F", "unit_cost": 10.0,
                             "unit_price": 50.0})  # fmt: skip
    demand = pd.DataFrame({"product": ["A"] * 3 + ["B"] * 3, "site": "S", "channel": "RETAIL",
                           "period": list(horizon_) * 2, "demand_units": 60.0})  # fmt: skip
    terms = pd.DataFrame({"product": ["A", "B"], "site": "S", "supplier": "V",
                          "lead_time_months": 0, "min_order_qty_units": 150.0})  # fmt: skip
    return SupplyInputs(
        horizon=horizon_, products=products, channels=channels(), resources=no_resources(),
        demand=demand, buy_terms=terms,
        suppliers=pd.DataFrame({"supplier": ["V"], "capacity_units_per_month": [200.0]}),
    )  # fmt: skip
