"""Statistical demand forecasting engine (pure numpy/pandas, no Django import).

Entry points: `forecast(history, horizon, season_length=12)` and `forecast_new_item(
like_forecast, scale, series_id=None)`; see `api.py` for the data contract and `pipeline.py`
for the methods.
"""

from demand.engine.api import (
    FORECAST_COLUMNS,
    HISTORY_COLUMNS,
    HistoryError,
    forecast,
    forecast_new_item,
)

__all__ = [
    "FORECAST_COLUMNS",
    "HISTORY_COLUMNS",
    "HistoryError",
    "forecast",
    "forecast_new_item",
]
