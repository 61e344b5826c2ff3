"""Input contracts of the supply-review engine: what the Django side hands over, as DataFrames.

Time is the calendar month. ``SupplyInputs.horizon`` is the planning horizon, a monthly
``pandas.PeriodIndex`` of consecutive months; every ``period`` column holds monthly
``pandas.Period`` values (``Timestamp`` / ``"2026-01"`` strings are converted). Lead times are
whole months: a lead time of L means something released in month t is available in t + L
(0 = same month). `masterdata.leadtimes.lead_time_whole_months` converts the master data's
days (the one conversion every stage uses).

Frames and columns (``*`` = optional, with its default); text keys must not be empty/NaN and
numbers must be finite and >= 0 unless said otherwise:

products            product, family, unit_cost, unit_price (currency/unit; a price of 0 on a
                    product with demand is refused: its lost sales would cost nothing, so
                    the plan would silently never supply it);
                    *holding_cost_per_unit_month (unit_cost x config.holding_rate_per_month),
                    *lifecycle ("new" | "active" | "phase_out"; "active"), *end_period (last
                    month of sale; empty = none) -- see `lifecycle`.
channels            channel, service_priority (1 = served first); *shortage_weight (derived:
                    max priority + 1 - priority, so with 3 channels 3, 2, 1).
resources           resource, site, capacity_hours_per_month; *overtime_hours_per_month (0),
                    *overtime_cost_per_hour (0).
resource_calendar   resource, period, capacity_hours: a month's capacity overriding the default.
suppliers           supplier; *capacity_units_per_month (NaN = unconstrained), ordered units
                    per order month over all the supplier's products and modes.
make_terms          product, site, resource, hours_per_unit, lead_time_months;
                    *production_cost_per_unit (the product's unit_cost),
                    *min_order_qty_units (0 = none): a production order (lane and month)
                    is 0 or at least the minimum run (see `make_moq`). Monthly production
                    has no order multiple: lot sizes within the month belong to scheduling.
secondary_loads     product, site, resource, hours_per_unit: further hours every unit made at
                    the site takes on another resource (e.g. packing after filling), whichever
                    make term made it; the make term's resource is the primary one.
buy_terms           product, site, supplier; *lead_time_months (needed only when the term has
                    no transport mode), *min_order_qty_units (0 = none), *order_multiple_units
                    (0 = none; 1 = whole units), *purchase_cost_per_unit (unit_cost).
transport_modes     product, site, supplier, mode, lead_time_months, transport_cost_per_unit.
                    The mode's lead time is the whole order-to-receipt time. A buy term without
                    modes gets one mode "standard" with the term's lead time and no transport
                    cost. MOQ and multiple apply to each order, i.e. per mode and order month.
demand              product, site, channel, period, demand_units (consensus demand; duplicate
                    rows add up; months outside the horizon are ignored with a warning).
opening_inventory   product, site, on_hand_units (at the start of the first month).
scheduled_receipts  product, site, period, receipt_units (arrival month; already released).
firm_orders         product, site, source_type ("make" | "buy"), source (resource or supplier),
                    period (release month: production month or order month), quantity_units;
                    *mode (buy only; empty = "standard"). A floor on re-plan (the plan may add to
                    it, never cut it), exempt from MOQ
                    and multiples, and must fit the capacity (incl. overtime) of their month.
safety_stock        product, site, safety_stock_units (target from the inventory review);
                    *penalty_per_unit_month (unit_price x config.safety_stock_penalty_rate),
                    always capped below the cheapest lost sale / (months + 1) so that a
                    target never outweighs a sale (see `network.bounded_safety_penalty`).

Anything invalid raises `SupplyInputError` with one message per problem, naming the frame, the
row's keys and the field (see `validation`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

STANDARD_MODE = "standard"


class SupplyInputError(ValueError):
    """Invalid planning input; ``problems`` lists every issue found, each naming row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "\n  ".join(self.problems[:25])
        more = f"\n  ... and {len(self.problems) - 25} more" if len(self.problems) > 25 else ""
        super().__init__(f"{len(self.problems)} input problem(s):\n  {shown}{more}")


@dataclass(frozen=True)
class FrameContract:
    """Column contract of one input frame (used by validation and to build empty defaults)."""

    name: str
    keys: tuple[str, ...]
    numbers: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    optional_numbers: Mapping[str, float] = field(default_factory=dict)
    optional_texts: Mapping[str, str] = field(default_factory=dict)
    whole_months: tuple[str, ...] = ()
    unique_keys: bool = True

    @property
    def required(self) -> tuple[str, ...]:
        return self.keys + self.texts + self.numbers

    def empty(self) -> pd.DataFrame:
        columns = [*self.required, *self.optional_numbers, *self.optional_texts]
        return pd.DataFrame({column: pd.Series(dtype=object) for column in columns})


NAN = float("nan")
CONTRACTS: dict[str, FrameContract] = {
    contract.name: contract
    for contract in (
        FrameContract(
            "products", ("product",), ("unit_cost", "unit_price"), ("family",),
            {"holding_cost_per_unit_month": NAN}, {"lifecycle": "active", "end_period": ""},
        ),
        FrameContract("channels", ("channel",), ("service_priority",), (), {"shortage_weight": NAN}),
        FrameContract(
            "resources", ("resource",), ("capacity_hours_per_month",), ("site",),
            {"overtime_hours_per_month": 0.0, "overtime_cost_per_hour": 0.0},
        ),
        FrameContract("resource_calendar", ("resource", "period"), ("capacity_hours",)),
        FrameContract("suppliers", ("supplier",), (), (), {"capacity_units_per_month": NAN}),
        FrameContract(
            "make_terms", ("product", "site", "resource"), ("hours_per_unit", "lead_time_months"),
            (), {"production_cost_per_unit": NAN, "min_order_qty_units": 0.0},
            whole_months=("lead_time_months",),
        ),
        FrameContract(
            "secondary_loads", ("product", "site", "resource"), ("hours_per_unit",),
        ),
        FrameContract(
            "buy_terms", ("product", "site", "supplier"), (), (),
            {
                "lead_time_months": NAN, "min_order_qty_units": 0.0,
                "order_multiple_units": 0.0, "purchase_cost_per_unit": NAN,
            },
            whole_months=("lead_time_months",),
        ),
        FrameContract(
            "transport_modes", ("product", "site", "supplier", "mode"),
            ("lead_time_months", "transport_cost_per_unit"), whole_months=("lead_time_months",),
        ),
        FrameContract(
            "demand", ("product", "site", "channel", "period"), ("demand_units",),
            unique_keys=False,
        ),
        FrameContract(
            "opening_inventory", ("product", "site"), ("on_hand_units",), unique_keys=False
        ),
        FrameContract(
            "scheduled_receipts", ("product", "site", "period"), ("receipt_units",),
            unique_keys=False,
        ),
        FrameContract(
            "firm_orders", ("product", "site", "source_type", "source", "period"),
            ("quantity_units",), optional_texts={"mode": ""}, unique_keys=False,
        ),
        FrameContract(
            "safety_stock", ("product", "site"), ("safety_stock_units",), (),
            {"penalty_per_unit_month": NAN},
        ),
    )
}  # fmt: skip


def _empty(name: str) -> pd.DataFrame:
    return CONTRACTS[name].empty()


@dataclass(frozen=True)
class SupplyInputs:
    """Everything the supply review plans from; frame columns as in the module docstring."""

    horizon: pd.PeriodIndex
    products: pd.DataFrame
    channels: pd.DataFrame
    resources: pd.DataFrame
    demand: pd.DataFrame
    make_terms: pd.DataFrame = field(default_factory=lambda: _empty("make_terms"))
    secondary_loads: pd.DataFrame = field(default_factory=lambda: _empty("secondary_loads"))
    buy_terms: pd.DataFrame = field(default_factory=lambda: _empty("buy_terms"))
    transport_modes: pd.DataFrame = field(default_factory=lambda: _empty("transport_modes"))
    suppliers: pd.DataFrame = field(default_factory=lambda: _empty("suppliers"))
    resource_calendar: pd.DataFrame = field(default_factory=lambda: _empty("resource_calendar"))
    opening_inventory: pd.DataFrame = field(default_factory=lambda: _empty("opening_inventory"))
    scheduled_receipts: pd.DataFrame = field(default_factory=lambda: _empty("scheduled_receipts"))
    firm_orders: pd.DataFrame = field(default_factory=lambda: _empty("firm_orders"))
    safety_stock: pd.DataFrame = field(default_factory=lambda: _empty("safety_stock"))

    def frame(self, name: str) -> pd.DataFrame:
        frame = getattr(self, name)
        assert isinstance(frame, pd.DataFrame)
        return frame


IntegerMethod = Literal["auto", "mip", "heuristic", "relaxed"]


@dataclass(frozen=True)
class SupplyConfig:
    """Cost defaults and solver settings.

    integer_method: "mip" models MOQ and multiples exactly (binary order flag + integer number
    of multiples); "heuristic" solves the LP relaxation, rounds orders up to MOQ / multiples
    along the cumulative LP need, re-solves the LP with orders fixed (see `rounding`) and then
    repairs the plan with the exact MIP restricted to the neighbourhood of those orders (at
    most ``repair_max_integer_columns`` integer columns, ``repair_time_limit_seconds``; see
    `plan`);
    "relaxed" ignores MOQ and multiples (a lower bound); "auto" picks "mip" while the number
    of integer columns is at most ``mip_max_integer_columns``, else "heuristic".
    aggregate_above_positions: `plan_supply_sized` plans at family level (`aggregation`) above
    this many product-sites with demand.
    """

    holding_rate_per_month: float = 0.02
    safety_stock_penalty_rate: float = 0.1
    integer_method: IntegerMethod = "auto"
    mip_max_integer_columns: int = 2_000
    mip_relative_gap: float = 1e-6
    time_limit_seconds: float = 120.0
    repair_max_integer_columns: int = 6_000
    repair_time_limit_seconds: float = 20.0
    quantity_tolerance_units: float = 1e-6
    aggregate_above_positions: int = 5_000
