"""Keyset ("seek") pagination for long tables: every page costs the same, the last one included.

OFFSET pagination reads and throws away every row before the page (9.9 s for the last page of
1.2 M sales-history rows). A keyset page instead starts right after (or before) the boundary row
of the page the user came from, so PostgreSQL walks the table's index from there and stops after
one page.

The sort key is the model's ``Meta.ordering`` with every foreign key taken by its id column (the
columns of the natural-key unique index, e.g. sales history's ``product, site, channel, month``)
and the primary key appended, so the key is unique and the order total. The cursor is that key
of a boundary row, encoded as URL-safe base64 JSON; a cursor that does not decode is treated as
"first page" (a stale bookmark must not answer 500).

Reference: Markus Winand, "Paging Through Results" (use-the-index-luke.com/no-offset).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q, QuerySet

Direction = Literal["first", "next", "previous", "last"]
DIRECTIONS: tuple[str, ...] = ("first", "next", "previous", "last")


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows and the cursors of its first and last row (None at either end)."""

    rows: list[Any]
    previous_cursor: str | None
    next_cursor: str | None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None


def sort_key(model: type[Model]) -> list[str]:
    """The unique sort key of ``model``: its ordering by column, then ``pk`` (``-`` = descending)."""
    fields: list[str] = []
    for item in model._meta.ordering or []:
        if not isinstance(item, str):
            continue
        descending, name = item.startswith("-"), item.lstrip("-")
        field = model._meta.get_field("id" if name == "pk" else name)
        column = getattr(field, "attname", field.name)
        fields.append(("-" if descending else "") + column)
    pk = model._meta.pk.attname  # type: ignore[union-attr]
    if pk not in {f.lstrip("-") for f in fields}:
        descending = bool(fields) and fields[-1].startswith("-")
        fields.append(("-" if descending else "") + pk)
    return fields


def keyset_page(
    queryset: QuerySet[Any],
    cursor: str | None,
    direction: str,
    size: int,
    key: list[str] | None = None,
) -> KeysetPage:
    """The page of ``size`` rows of ``queryset`` next to ``cursor`` in ``direction``.

    ``direction`` is first | next | previous | last (anything else means first); ``next`` and
    ``previous`` without a usable cursor fall back to the first page. ``key`` overrides the
    model's sort key (``sort_key``): ORM paths, related ones included (``product__sku``), that
    must end in a unique column (the pk) so the order is total.
    """
    key = key or sort_key(queryset.model)
    values = _typed(queryset.model, key, decode_cursor(cursor, len(key)))
    if direction not in DIRECTIONS or (direction in ("next", "previous") and values is None):
        direction = "first"
    backwards = direction in ("previous", "last")
    order = [_flip(f) for f in key] if backwards else key
    rows = queryset.order_by(*order)
    if direction in ("next", "previous") and values is not None:
        rows = rows.filter(_after(order, values))
    fetched = list(rows[: size + 1])
    more = len(fetched) > size
    fetched = fetched[:size]
    if backwards:
        fetched.reverse()
    if not fetched:
        return KeysetPage([], None, None)
    at_start = (backwards and not more) or direction == "first"
    at_end = (not backwards and not more) or direction == "last"
    return KeysetPage(
        fetched,
        None if at_start else encode_cursor(_values(fetched[0], key)),
        None if at_end else encode_cursor(_values(fetched[-1], key)),
    )


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else "-" + field


def _after(order: list[str], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``order``: (a > x) or (a = x and b > y) or ...

    The leading column's bound is added on its own so the database can start its index scan
    there instead of filtering from the first row.
    """
    condition = Q()
    equal = Q()
    for field, value in zip(order, values, strict=True):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        condition |= equal & Q(**{f"{name}__{lookup}": value})
        equal &= Q(**{name: value})
    lead = order[0]
    bound = "lte" if lead.startswith("-") else "gte"
    return Q(**{f"{lead.lstrip('-')}__{bound}": values[0]}) & condition


def _values(row: Model, key: list[str]) -> list[Any]:
    values = []
    for field in key:
        value: Any = row
        for name in field.lstrip("-").split("__"):  # a related path: product__sku
            value = getattr(value, name)
        values.append(value)
    return values


def encode_cursor(values: list[Any]) -> str:
    payload = json.dumps([_encode(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, length: int) -> list[Any] | None:
    """The key values in ``cursor``, or None when it is missing, garbled or of another shape."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        items = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        values = [_decode(item) for item in items]
    except (ValueError, TypeError, KeyError, IndexError):
        return None
    return values if len(values) == length else None


BIGINT = 2**63  # PostgreSQL's widest integer column: a larger cursor value cannot name a row


def _typed(model: type[Model], key: list[str], values: list[Any] | None) -> list[Any] | None:
    """``values`` as the key's columns hold them, or None when one cannot be (a hand-edited or
    garbled cursor: text where a date belongs, an integer beyond any column), so the caller falls
    back to the first page instead of a database error."""
    if values is None:
        return None
    try:
        typed = [_field(model, path).to_python(v) for path, v in zip(key, values, strict=True)]
    except (ValidationError, FieldDoesNotExist, ValueError, TypeError, OverflowError):
        return None
    if any(isinstance(v, int | float) and not -BIGINT < v < BIGINT for v in typed):
        return None  # also NaN and infinity (every comparison with them is False)
    if any(isinstance(v, str) and "\x00" in v for v in typed):
        return None  # PostgreSQL text cannot hold NUL: the driver refuses the query (a 500)
    return typed


def _field(model: type[Model], path: str) -> Field[Any, Any]:
    """The model field at the end of an ORM path (``product__sku``)."""
    *relations, name = path.lstrip("-").split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model  # type: ignore[assignment]
    field = model._meta.get_field(name)
    return field.target_field if field.is_relation else field  # type: ignore[return-value,union-attr]


def _encode(value: Any) -> list[Any]:
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, Decimal):
        return ["n", str(value)]
    return ["v", value]


def _decode(item: list[Any]) -> Any:
    kind, raw = item
    if kind == "t":
        return dt.datetime.fromisoformat(raw)
    if kind == "d":
        return dt.date.fromisoformat(raw)
    if kind == "n":
        return Decimal(raw)
    if kind == "v" and (raw is None or isinstance(raw, str | int | float | bool)):
        return raw
    raise ValueError("unknown cursor item")
