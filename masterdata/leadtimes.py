"""The one lead-time conversion every stage uses: supplier and plant days to planning months.

Pure pandas/numpy (no Django import), so stage engines and input builders may both call it.

* ``DAYS_PER_MONTH`` = 365.25 / 12 = 30.4375 days: the mean Gregorian month (leap years
  included). It is the only days-per-month constant in the code base.
* ``lead_time_months(days)`` is the exposure time in fractional months (45 days -> 1.478).
  The inventory review's safety stock uses it: demand uncertainty accrues over the real time
  an order is in transit, and rounding a 10-day air lane to 0 months would zero the safety
  stock of every continuous-review item.
* ``lead_time_whole_months(days)`` is the same number rounded half up to whole months
  (45 days -> 1, 46 days -> 2, 10 days -> 0). The supply plan needs it: its buckets are
  months, so a receipt lands in exactly one month. Both are derived from the one fractional
  value, so ``lead_time_whole_months(d) == round_half_up(lead_time_months(d))`` for every lane
  and the two reviews can never disagree on the lane's length by more than the bucket rounding.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_MONTH = 365.25 / 12


def lead_time_months(days: pd.Series) -> pd.Series:
    """Fractional months of lead time (float Series, same index); days / 30.4375."""
    months = days.to_numpy(dtype=float) / DAYS_PER_MONTH
    return pd.Series(months, index=days.index, name="lead_time_months")


def lead_time_whole_months(days: pd.Series) -> pd.Series:
    """Whole months of lead time (int Series): `lead_time_months` rounded, a half rounding up."""
    whole = np.floor(lead_time_months(days).to_numpy() + 0.5).astype(int)
    return pd.Series(whole, index=days.index, name="lead_time_months")
