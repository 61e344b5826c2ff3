"""Price-volume-mix bridge of revenue from the budget to a scenario.

With Q units and P = revenue / units per family i, a = scenario, b = budget, and the budget's
average price P̄b = ΣRb / ΣQb and family mix mix_b,i = Qb_i / ΣQb:

    price  = Σ (Pa_i - Pb_i) · Qa_i
    volume = (ΣQa - ΣQb) · P̄b
    mix    = Σ (Qa_i - ΣQa · mix_b,i) · Pb_i

(STACK-NOTES, "Price-volume-mix vs budget"). The three add up to ΣRa - ΣRb exactly, given a
price for every family sold: a family absent from the budget takes its scenario price as Pb
(so it is all mix, no price effect). Without budget units the whole variance is volume.
Figures are rounded to the cent; the rounding remainder (at most a cent or two) goes to mix so
the parts still add up to the rounded variance.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Bridge:
    """Budget -> scenario revenue in EUR: budget + price + volume + mix == scenario."""

    budget_eur: float
    price_eur: float
    volume_eur: float
    mix_eur: float
    scenario_eur: float

    @property
    def variance_eur(self) -> float:
        return round(self.scenario_eur - self.budget_eur, 2)


def _aligned(scenario: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """Per family (union of both): qa, qb, ra, rb, pa, pb (pb falls back to pa)."""
    a = scenario.groupby("family")[["units", "revenue_eur"]].sum()
    b = budget.groupby("family")[["units", "revenue_eur"]].sum()
    index = a.index.union(b.index)
    a, b = a.reindex(index, fill_value=0.0), b.reindex(index, fill_value=0.0)
    frame = pd.DataFrame({"qa": a["units"], "ra": a["revenue_eur"], "qb": b["units"],
                          "rb": b["revenue_eur"]}).astype(float)  # fmt: skip
    frame["pa"] = (frame["ra"] / frame["qa"].where(frame["qa"] != 0)).fillna(0.0)
    frame["pb"] = (frame["rb"] / frame["qb"].where(frame["qb"] != 0)).fillna(frame["pa"])
    return frame


def pvm_bridge(scenario: pd.DataFrame, budget: pd.DataFrame) -> Bridge:
    """Bridge from two frames of family, units, revenue_eur (rows per family add up)."""
    f = _aligned(scenario, budget)
    revenue_a, revenue_b, units_b = f["ra"].sum(), f["rb"].sum(), f["qb"].sum()
    variance = round(float(revenue_a - revenue_b), 2)
    if units_b <= 0:
        return Bridge(round(float(revenue_b), 2), 0.0, variance, 0.0, round(float(revenue_a), 2))
    price = round(float(((f["pa"] - f["pb"]) * f["qa"]).sum()), 2)
    volume = round(float((f["qa"].sum() - units_b) * revenue_b / units_b), 2)
    mix = round(variance - price - volume, 2)
    return Bridge(round(float(revenue_b), 2), price, volume, mix, round(float(revenue_a), 2))


def mix_effect(scenario: pd.DataFrame, budget: pd.DataFrame) -> float:
    """The mix part by its own formula (unrounded): Σ (Qa_i - ΣQa · mix_b,i) · Pb_i."""
    f = _aligned(scenario, budget)
    mix_b = f["qb"] / f["qb"].sum()
    return float(((f["qa"] - f["qa"].sum() * mix_b) * f["pb"]).sum())
