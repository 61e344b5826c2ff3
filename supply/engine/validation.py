"""Validation and normalisation of `SupplyInputs`: every problem is collected, then raised once.

Checks, per frame of `inputs.CONTRACTS`: required columns present; keys neither NaN nor empty;
numbers numeric, finite and >= 0 (lead times whole months); periods parseable as months;
unique keys where the frame needs them. Across frames: products, sites' resources, suppliers
and channels referenced exist; a buy term has a lead time or a transport mode; firm orders name
an existing lane and a month of the horizon and fit that month's capacity (incl. overtime) --
otherwise the fixed order would make the model infeasible, and a solver error would say less.

Products: lifecycle one of new / active / phase_out, end_period a month (see `lifecycle`), and
a unit_price of 0 is refused on a product with demand (its lost sales would cost nothing, so
the plan would never supply it without saying so); a free product without demand is fine.

Degenerate but plannable input is not an error: zero capacity, a product with demand but no
supply term, or an MOQ above the supplier's capacity give a plan whose shortages say why
(`results` reason column) plus a warning. Rows outside the horizon are dropped with a warning.

The output `CleanInputs` has every optional column filled with its default, sums duplicate
rows where the contract allows them, and replaces ``period`` by ``month``, the 0-based index
of the month in the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from supply.engine.inputs import CONTRACTS, FrameContract, SupplyInputError, SupplyInputs
from supply.engine.lifecycle import LIFECYCLES, drop_demand_after_end, end_months

MAX_ROWS_NAMED = 10


@dataclass(frozen=True)
class CleanInputs:
    """Validated frames (defaults filled, ``month`` = 0-based month index) and warnings."""

    horizon: pd.PeriodIndex
    frames: dict[str, pd.DataFrame]
    warnings: tuple[str, ...]

    @property
    def months(self) -> int:
        return len(self.horizon)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]


class _Problems:
    """Accumulates messages; names at most MAX_ROWS_NAMED rows per check to keep them readable."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def rows(
        self, frame: pd.DataFrame, mask: pd.Series | np.ndarray, keys: tuple[str, ...], text: str
    ) -> None:
        bad = frame.loc[np.asarray(mask, dtype=bool)]
        for _, row in bad.head(MAX_ROWS_NAMED).iterrows():
            where = ", ".join(f"{key}={row[key]!r}" for key in keys if key in row.index)
            self.errors.append(f"{where}: {text}")
        if len(bad) > MAX_ROWS_NAMED:
            self.errors.append(f"... {text}: {len(bad)} rows in all")


def _period_ordinal(value: object) -> float:
    try:
        return float(pd.Period(value, freq="M").ordinal)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return np.nan


def _to_months(values: pd.Series, horizon: pd.PeriodIndex) -> pd.Series:
    """Month index in the horizon (may be < 0 or >= len); NaN where not a month."""
    try:
        ordinals = pd.PeriodIndex(values, freq="M").asi8.astype(float)
        ordinals[pd.isna(values).to_numpy()] = np.nan
        months = pd.Series(ordinals, index=values.index)
    except (TypeError, ValueError):
        # Only bad input gets here: parse element-wise so each bad row can be named.
        months = values.map(_period_ordinal).astype(float)
    return months - horizon[0].ordinal


def _stripped(values: pd.Series) -> pd.Series:
    """Each value as text without surrounding blanks ("" when missing), object dtype. Stripped
    once per distinct value: key columns repeat a few thousand codes over 500,000 demand rows."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    text = pd.Series(uniques, dtype=object).astype("string").fillna("").str.strip()
    return pd.Series(np.append(text.to_numpy(dtype=object), "")[codes], index=values.index,
                     dtype=object)  # fmt: skip


def _check_frame(
    frame: pd.DataFrame, contract: FrameContract, horizon: pd.PeriodIndex, problems: _Problems
) -> pd.DataFrame | None:
    name = contract.name
    missing = [column for column in contract.required if column not in frame.columns]
    if missing:
        problems.errors.append(f"{name}: missing required column(s) {', '.join(missing)}")
        return None
    frame = frame.reset_index(drop=True).copy()
    for column, default in {**contract.optional_numbers, **contract.optional_texts}.items():
        if column not in frame.columns:
            frame[column] = default
    keys = tuple(key for key in contract.keys if key != "period")
    for column in (*keys, *contract.texts, *contract.optional_texts):
        text = _stripped(frame[column])
        if column not in contract.optional_texts:
            problems.rows(frame, text == "", keys, f"{name}.{column} is empty")
        frame[column] = text
    for column in (*contract.numbers, *contract.optional_numbers):
        _check_number(frame, contract, column, problems)
    if "period" in contract.keys:
        frame["month"] = _to_months(frame["period"], horizon)
        problems.rows(frame, frame["month"].isna(), keys, f"{name}.period is not a month")
    if contract.unique_keys:
        problems.rows(
            frame, frame.duplicated(list(contract.keys), keep="first"), keys,
            f"{name}: duplicate row for these keys",
        )  # fmt: skip
    return frame


def _check_number(
    frame: pd.DataFrame, contract: FrameContract, column: str, problems: _Problems
) -> None:
    keys, name = contract.keys, contract.name
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    optional = column in contract.optional_numbers
    problems.rows(frame, values.isna() & raw.notna(), keys, f"{name}.{column} is not a number")
    if not optional:
        field_text = "missing lead time" if column == "lead_time_months" else "is missing (NaN)"
        problems.rows(frame, raw.isna(), keys, f"{name}.{column} {field_text}")
    problems.rows(frame, np.isinf(values), keys, f"{name}.{column} is infinite")
    problems.rows(frame, values < 0, keys, f"{name}.{column} is negative")
    if column in contract.whole_months:
        fractional = values.notna() & (values != np.floor(values))
        problems.rows(frame, fractional, keys, f"{name}.{column} is not a whole number of months")
    frame[column] = values


def _check_horizon(horizon: pd.PeriodIndex, problems: _Problems) -> bool:
    if not isinstance(horizon, pd.PeriodIndex) or len(horizon) == 0:
        problems.errors.append("horizon must be a non-empty monthly pandas.PeriodIndex")
        return False
    ordinals = horizon.asi8
    if horizon.freqstr != "M" or not (np.diff(ordinals) == 1).all():
        problems.errors.append("horizon must be consecutive calendar months (freq 'M')")
        return False
    return True


def _missing_reference(
    frame: pd.DataFrame, column: str, known: pd.Series, name: str, problems: _Problems,
    keys: tuple[str, ...],
) -> None:  # fmt: skip
    unknown = ~frame[column].isin(set(known))
    problems.rows(frame, unknown, keys, f"{name}.{column} is not in the {column} master data")


def _check_references(frames: dict[str, pd.DataFrame], problems: _Problems) -> None:
    products = frames["products"]["product"]
    for name in ("make_terms", "secondary_loads", "buy_terms", "demand", "opening_inventory", "scheduled_receipts",
                 "firm_orders", "safety_stock"):  # fmt: skip
        keys = CONTRACTS[name].keys
        _missing_reference(frames[name], "product", products, name, problems, keys)
    make, buy, modes = frames["make_terms"], frames["buy_terms"], frames["transport_modes"]
    _missing_reference(make, "resource", frames["resources"]["resource"], "make_terms",
                       problems, CONTRACTS["make_terms"].keys)  # fmt: skip
    _missing_reference(frames["secondary_loads"], "resource", frames["resources"]["resource"],
                       "secondary_loads", problems, CONTRACTS["secondary_loads"].keys)  # fmt: skip
    _missing_reference(buy, "supplier", frames["suppliers"]["supplier"], "buy_terms",
                       problems, CONTRACTS["buy_terms"].keys)  # fmt: skip
    _missing_reference(frames["demand"], "channel", frames["channels"]["channel"], "demand",
                       problems, CONTRACTS["demand"].keys)  # fmt: skip
    _missing_reference(frames["resource_calendar"], "resource", frames["resources"]["resource"],
                       "resource_calendar", problems, ("resource", "period"))  # fmt: skip
    term_keys = ["product", "site", "supplier"]
    has_term = modes[term_keys].merge(buy[term_keys].drop_duplicates(), how="left", indicator=True)
    problems.rows(modes, has_term["_merge"] == "left_only", CONTRACTS["transport_modes"].keys,
                  "transport_modes row has no matching buy_terms row")  # fmt: skip
    with_mode = buy[term_keys].merge(modes[term_keys].drop_duplicates(), how="left",
                                     indicator=True)["_merge"] == "both"  # fmt: skip
    problems.rows(buy, ~with_mode.to_numpy() & buy["lead_time_months"].isna().to_numpy(),
                  CONTRACTS["buy_terms"].keys,
                  "buy_terms: missing lead time (no lead_time_months and no transport mode)")  # fmt: skip


def _check_channels(channels: pd.DataFrame, problems: _Problems) -> None:
    priority = channels["service_priority"]
    bad = priority.notna() & ((priority < 1) | (priority != np.floor(priority)))
    problems.rows(
        channels, bad, ("channel",), "channels.service_priority must be a whole number >= 1"
    )
    problems.rows(channels, channels["shortage_weight"] == 0, ("channel",),
                  "channels.shortage_weight must be > 0")  # fmt: skip


def _drop_outside_horizon(
    frames: dict[str, pd.DataFrame], months: int, problems: _Problems
) -> None:
    for name in ("demand", "scheduled_receipts", "resource_calendar"):
        frame = frames[name]
        outside = (frame["month"] < 0) | (frame["month"] >= months)
        if outside.any():
            problems.warnings.append(
                f"{name}: {int(outside.sum())} row(s) outside the horizon ignored"
            )
            frames[name] = frame.loc[~outside].reset_index(drop=True)
    firm = frames["firm_orders"]
    outside = (firm["month"] < 0) | (firm["month"] >= months)
    problems.rows(firm, outside, CONTRACTS["firm_orders"].keys,
                  "firm order released outside the horizon (pass released orders as "
                  "scheduled_receipts)")  # fmt: skip


def _sum_duplicates(frames: dict[str, pd.DataFrame]) -> None:
    for name, value in (("demand", "demand_units"), ("opening_inventory", "on_hand_units"),
                        ("scheduled_receipts", "receipt_units")):  # fmt: skip
        keys = [key if key != "period" else "month" for key in CONTRACTS[name].keys]
        frames[name] = frames[name].groupby(keys, as_index=False, sort=True)[value].sum()
    firm = frames["firm_orders"]
    firm["source_type"] = firm["source_type"].str.lower()
    firm.loc[(firm["source_type"] == "buy") & (firm["mode"] == ""), "mode"] = "standard"
    lane = ["product", "site", "source_type", "source", "mode", "month"]
    frames["firm_orders"] = firm.groupby(lane, as_index=False, sort=True)["quantity_units"].sum()


def _check_products(frames: dict[str, pd.DataFrame], horizon: pd.PeriodIndex,
                    problems: _Problems) -> None:  # fmt: skip
    """Lifecycle and end month (see `lifecycle`); a zero price on a product with demand."""
    products = frames["products"]
    lifecycle = products["lifecycle"].str.lower().replace("", "active")
    products["lifecycle"] = lifecycle
    problems.rows(products, ~lifecycle.isin(LIFECYCLES), ("product",),
                  f"products.lifecycle must be one of {', '.join(sorted(LIFECYCLES))}")  # fmt: skip
    products["end_month"], bad_end = end_months(products, horizon)
    problems.rows(products, bad_end, ("product",), "products.end_period is not a month")
    sold = products["product"].isin(set(frames["demand"].loc[frames["demand"]["demand_units"] > 0,
                                                            "product"]))  # fmt: skip
    problems.rows(products, sold & (products["unit_price"] == 0), ("product",),
                  "products.unit_price is 0 on a product with demand: a lost sale would cost "
                  "nothing, so the plan would never supply it; set its selling price")  # fmt: skip


def clean_inputs(inputs: SupplyInputs) -> CleanInputs:
    """Validate and normalise; raise `SupplyInputError` listing every problem found."""
    problems = _Problems()
    if not _check_horizon(inputs.horizon, problems):
        raise SupplyInputError(problems.errors)
    frames: dict[str, pd.DataFrame] = {}
    for name, contract in CONTRACTS.items():
        checked = _check_frame(inputs.frame(name), contract, inputs.horizon, problems)
        if checked is not None:
            frames[name] = checked
    if problems.errors:
        raise SupplyInputError(problems.errors)
    _check_references(frames, problems)
    _check_channels(frames["channels"], problems)
    _check_products(frames, inputs.horizon, problems)
    bad_type = ~frames["firm_orders"]["source_type"].str.lower().isin({"make", "buy"})
    problems.rows(frames["firm_orders"], bad_type, CONTRACTS["firm_orders"].keys,
                  "firm_orders.source_type must be 'make' or 'buy'")  # fmt: skip
    _drop_outside_horizon(frames, len(inputs.horizon), problems)
    if problems.errors:
        raise SupplyInputError(problems.errors)
    for frame in frames.values():
        if "month" in frame.columns:
            frame["month"] = frame["month"].astype(np.int64)
    _sum_duplicates(frames)
    frames["demand"], ended = drop_demand_after_end(frames["demand"], frames["products"])
    return CleanInputs(inputs.horizon, frames, (*problems.warnings, *ended))
