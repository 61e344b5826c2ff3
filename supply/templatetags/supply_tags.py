"""Small template filters of the supply review page."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def lane_of(firm: dict[tuple[Any, ...], Any], order: Any) -> Any:
    """The firm order on the planned order's lane and release month, if any."""
    key = (order.product_id, order.site_id, order.source_type, order.source_code, order.mode,
           order.release_month)  # fmt: skip
    return firm.get(key)
