"""Result frames of an inventory run, written to the database in bulk.

At 10,000 SKUs x 2 sites x 18 months a run stores 360,000 projection rows; building one Django
object per row and `bulk_create` took minutes on the 2-core machine. On PostgreSQL the frames
are streamed with COPY (`siop.bulk.load_frame`) instead, which takes seconds; other databases (the
SQLite developer default) fall back to `bulk_create`. Frames carry the model's column names
(`product_id`...), unit quantities rounded to hundredths (floats whose shortest text is exactly
the hundredths the reconciliation check verified, e.g. 12.34), and NULL for non-finite numbers
(infinite cover, no turns).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, models

from inventory.engine.pipeline import PipelineResult
from siop.bulk import load_frame

BATCH = 5000
DECIMAL_COLUMNS = ("opening_units", "receipts_units", "planned_supply_units", "demand_units",
                   "lost_sales_units", "closing_units")  # fmt: skip


def _finite_or_nan(values: pd.Series) -> np.ndarray:
    array = values.to_numpy(dtype=float)
    return np.where(np.isfinite(array), array, np.nan)


def _hundredths(values: pd.Series) -> np.ndarray:
    """Rounded to hundredths: written by its shortest text ("12.34"), so stored exactly."""
    return np.rint(values.to_numpy(dtype=float) * 100.0) / 100.0


def _months(periods: pd.Series) -> pd.Series:
    return pd.PeriodIndex(periods, freq="M").to_timestamp().to_series().dt.date.to_numpy()


def policy_frame(run_id: int, result: PipelineResult, overrides: pd.DataFrame) -> pd.DataFrame:
    p = result.policies
    reasons = None
    if len(overrides):  # the reason as typed, its tabs and line breaks as spaces (one line)
        typed = overrides.set_index(["product", "site"])["reason"].astype(str)
        reasons = typed.str.replace(r"[\t\r\n]", " ", regex=True)
    keys = pd.MultiIndex.from_frame(p[["product", "site"]])
    overridden = reasons.reindex(keys).fillna("").to_numpy() if reasons is not None else ""
    return pd.DataFrame(
        {
            "run_id": run_id, "product_id": p["product"].astype(int), "site_id": p["site"].astype(int),
            "abc_class": p["abc_class"], "xyz_class": p["xyz_class"], "segment": p["segment"],
            "annual_value_eur": p["annual_value"], "cv": _finite_or_nan(p["cv"]),
            "service_type": p["service_type"], "service_target": p["service_target"],
            "policy": p["policy"], "method": p["method"],
            "variability_source": p["variability_source"],
            "mean_demand_per_month_units": p["mean_demand_per_month"],
            "sd_per_month_units": p["sd_used_per_month"], "lead_time_months": p["lead_time_months"],
            "safety_stock_units": p["safety_stock_units"],
            "reorder_point_units": p["reorder_point_units"],
            "order_quantity_units": p["order_quantity_units"],
            "order_up_to_units": p["order_up_to_units"],
            "target_weeks_of_supply": _finite_or_nan(p["average_stock_weeks"]),
            "safety_stock_value_eur": p["safety_stock_value"],
            "opening_stock_units": p["opening_stock_units"],
            "average_inventory_value_eur": p["average_inventory_value"],
            "turns_per_year": _finite_or_nan(p["turns_per_year"]),
            "dio_days": _finite_or_nan(p["dio_days"]),
            "opening_weeks_of_supply": _finite_or_nan(p["opening_weeks_of_supply"]),
            "overridden": overridden,
        }
    )  # fmt: skip


def projection_frame(run_id: int, projection: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "run_id": run_id,
            "product_id": projection["product"].astype(int).to_numpy(),
            "site_id": projection["site"].astype(int).to_numpy(),
            "month": _months(projection["period"]),
        }
    )
    for column in DECIMAL_COLUMNS:
        frame[column] = _hundredths(projection[column])
    frame["safety_stock_units"] = projection["safety_stock_units"].to_numpy(dtype=float)
    frame["weeks_of_supply"] = _finite_or_nan(projection["weeks_of_supply"])
    frame["closing_value_eur"] = projection["closing_value"].to_numpy(dtype=float)
    for flag in ("stockout", "below_safety_stock", "excess", "obsolete"):
        frame[flag] = projection[flag].to_numpy(dtype=bool)
    return frame


def exception_frame(run_id: int, exceptions: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": run_id,
            "product_id": exceptions["product"].astype(int).to_numpy(),
            "site_id": exceptions["site"].astype(int).to_numpy(),
            "kind": exceptions["kind"].to_numpy(),
            "first_month": _months(exceptions["first_period"]),
            "months": exceptions["months"].astype(int).to_numpy(),
            "value_at_risk_eur": exceptions["value_at_risk"].to_numpy(dtype=float),
        }
    )


def _records(model: type[models.Model], frame: pd.DataFrame) -> list[Any]:
    decimals = [c for c in DECIMAL_COLUMNS if c in frame.columns]
    objects = []
    for record in frame.to_dict("records"):
        for column in decimals:
            record[column] = Decimal(str(record[column]))  # "12.34", not the binary expansion
        for key, value in record.items():
            if isinstance(value, float) and np.isnan(value):
                record[key] = None
        objects.append(model(**record))
    return objects


def insert_frame(model: type[models.Model], frame: pd.DataFrame) -> None:
    """Insert every row of `frame` (columns = the model's column names) into `model`'s table."""
    if frame.empty:
        return
    if connection.vendor == "postgresql":
        load_frame(model, frame)  # COPY, CSV-quoted by pandas (no per-value Python escaping)
    else:
        model._default_manager.bulk_create(_records(model, frame), batch_size=BATCH)
