"""Seed-deterministic generation of the demo company's products and demand history (no Django).

Demand per product is level x trend x family seasonality x promotion spikes x noise, with special
shapes for intermittent items (Poisson at a low rate), launches (ramp-up from a recent launch
month, with a like-item) and phase-outs (decline towards an end date). Everything comes from one
``numpy.random.Generator`` seeded by the caller, so the same seed gives the same company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo import catalog

HISTORY_MONTHS = 36


@dataclass(frozen=True)
class DemoPlan:
    as_of: dt.date  # first day of the current (open) cycle month
    products: pd.DataFrame
    sales: pd.DataFrame  # sku, site, channel, month, quantity, revenue


def history_months(as_of: dt.date, count: int = HISTORY_MONTHS) -> pd.PeriodIndex:
    last = pd.Period(as_of, freq="M") - 1
    return pd.period_range(end=last, periods=count, freq="M")


def build_products(rng: np.random.Generator, sku_count: int, as_of: dt.date) -> pd.DataFrame:
    families = catalog.FAMILIES
    family_index = np.arange(sku_count) % len(families)
    rng.shuffle(family_index)
    kinds = rng.choice(
        ["regular", "intermittent", "launch", "phase_out"],
        size=sku_count,
        p=[0.78, 0.1, 0.06, 0.06],
    )
    unit_cost = np.round(rng.lognormal(mean=1.2, sigma=0.6, size=sku_count), 2) + 0.3
    rows = []
    for i in range(sku_count):
        code, _, _ = families[family_index[i]]
        words = catalog.PRODUCT_WORDS[code]
        rows.append(
            {
                "sku": f"{code}-{i + 1:05d}",
                "name": f"{words[i % len(words)]} {catalog.SIZES[(i // 7) % len(catalog.SIZES)]}",
                "family": code,
                "kind": kinds[i],
                "unit_cost": float(unit_cost[i]),
                "unit_price": float(np.round(unit_cost[i] * rng.uniform(1.35, 2.2), 2)),
                "made": bool(rng.random() < 0.6),
                "level": float(rng.lognormal(mean=5.0, sigma=0.9)),
                "trend": float(rng.normal(0.004, 0.008)),
            }
        )
    products = pd.DataFrame(rows)
    return _lifecycle_dates(rng, products, as_of)


def _lifecycle_dates(
    rng: np.random.Generator, products: pd.DataFrame, as_of: dt.date
) -> pd.DataFrame:
    months = history_months(as_of)
    products["launch_month"] = pd.Series([months[0]] * len(products), dtype="period[M]")
    products["end_month"] = pd.Series([pd.NaT] * len(products), dtype="period[M]")
    launch = products["kind"] == "launch"
    offsets = rng.integers(3, 13, size=int(launch.sum()))
    products.loc[launch, "launch_month"] = [months[-1] - int(o) + 1 for o in offsets]
    phase_out = products["kind"] == "phase_out"
    ends = rng.integers(1, 7, size=int(phase_out.sum()))
    products.loc[phase_out, "end_month"] = [months[-1] + int(e) for e in ends]
    products["lifecycle"] = np.select([launch, phase_out], ["new", "phase_out"], default="active")
    return products


def demand_matrix(rng: np.random.Generator, products: pd.DataFrame, as_of: dt.date) -> np.ndarray:
    """Monthly demand (products x months) before the split by site and channel."""
    months = history_months(as_of)
    t = np.arange(len(months))
    amplitude = products["family"].map({c: a for c, _, a in catalog.FAMILIES}).to_numpy()
    month_of_year = np.array([p.month for p in months])
    season = 1 + amplitude[:, None] * np.cos((month_of_year[None, :] - 7) / 12 * 2 * np.pi)
    trend = np.exp(products["trend"].to_numpy()[:, None] * t[None, :])
    noise = rng.lognormal(0, 0.12, size=(len(products), len(months)))
    demand = products["level"].to_numpy()[:, None] * trend * np.clip(season, 0.05, None) * noise
    demand *= _promotions(rng, len(products), len(months))
    demand = _apply_shapes(rng, products, months, demand)
    return np.round(demand)


def _promotions(rng: np.random.Generator, n_products: int, n_months: int) -> np.ndarray:
    uplift = np.ones((n_products, n_months))
    promo = rng.random((n_products, n_months)) < 0.04
    uplift[promo] = rng.uniform(1.5, 2.5, size=int(promo.sum()))
    return uplift


def _apply_shapes(
    rng: np.random.Generator, products: pd.DataFrame, months: pd.PeriodIndex, demand: np.ndarray
) -> np.ndarray:
    n_months = len(months)
    for i, row in enumerate(products.itertuples()):
        if row.kind == "intermittent":
            demand[i] = rng.poisson(rng.uniform(0.3, 1.5), size=n_months) * rng.integers(1, 6)
        elif row.kind == "launch":
            start = months.get_loc(row.launch_month)
            ramp = np.clip((np.arange(n_months) - start + 1) / 4, 0, 1)
            demand[i] *= ramp
        elif row.kind == "phase_out":
            decline = np.linspace(1.0, 0.25, n_months) ** 2
            demand[i] *= decline
    return demand


def split_sales(
    rng: np.random.Generator, products: pd.DataFrame, demand: np.ndarray, as_of: dt.date
) -> pd.DataFrame:
    """Split each product's demand over its sites and channels with fixed random shares."""
    months = history_months(as_of)
    month_starts = [p.to_timestamp().date() for p in months]
    channel_codes = [c for c, _, _ in catalog.CHANNELS]
    frames = []
    for i, row in enumerate(products.itertuples()):
        sites = ["DC1", "F1"] if rng.random() < 0.4 else ["DC1"]
        channels = list(rng.choice(channel_codes, size=int(rng.integers(2, 4)), replace=False))
        shares = rng.dirichlet(np.ones(len(sites) * len(channels)) * 3)
        price = row.unit_price * rng.uniform(0.88, 1.0, size=len(months))
        for k, (site, channel) in enumerate((s, c) for s in sites for c in channels):
            quantity = np.round(demand[i] * shares[k])
            frames.append(
                pd.DataFrame(
                    {
                        "sku": row.sku,
                        "site": site,
                        "channel": channel,
                        "month": month_starts,
                        "quantity": quantity,
                        "revenue": np.round(quantity * price, 2),
                    }
                )
            )
    sales = pd.concat(frames, ignore_index=True)
    first_by_sku = {
        sku: month.to_timestamp().date()
        for sku, month in zip(products["sku"], products["launch_month"], strict=True)
    }
    first_month = sales["sku"].map(first_by_sku)  # one dict lookup per row, not a Period call
    return sales[sales["month"] >= first_month].reset_index(drop=True)


def build_plan(seed: int, sku_count: int, as_of: dt.date) -> DemoPlan:
    rng = np.random.default_rng(seed)
    products = build_products(rng, sku_count, as_of)
    demand = demand_matrix(rng, products, as_of)
    sales = split_sales(rng, products, demand, as_of)
    return DemoPlan(as_of=as_of, products=products, sales=sales)
