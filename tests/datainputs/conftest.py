"""Shared data-input fixtures: a small master (50 BEV products, DC1, RETAIL) and its sales."""

from __future__ import annotations

import datetime as dt

HEADER = "sku,site,channel,month,quantity,revenue"


def sales_csv(rows: int = 1000, bad: dict[int, str] | None = None) -> bytes:
    """``rows`` distinct valid lines (50 SKUs x 20 months); ``bad`` replaces line i (0-based)."""
    lines = [HEADER]
    for i in range(rows):
        month = dt.date(2024 + (i // 50) // 12, (i // 50) % 12 + 1, 1)
        lines.append(
            f"BEV-{i % 50:03d},DC1,RETAIL,{month:%Y-%m},{i % 17 + 1},{(i % 17 + 1) * 7.5:.2f}"
        )
    for index, text in (bad or {}).items():
        lines[index + 1] = text
    return ("\n".join(lines) + "\n").encode()
