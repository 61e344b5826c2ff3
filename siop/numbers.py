"""The one number parser for everything people and files type: grid edits and pastes, browser
CSV/XLSX uploads, the demand XLSX round trip and the ERP API.

Two readings, never mixed inside one call:

- **human** text is read in ``settings.NUMBER_LOCALE`` (a CLDR locale such as ``en`` or ``de``)
  with ``babel.numbers.parse_decimal(strict=True)``: ``1.234,5`` and ``12,5`` are 1234.5 and 12.5
  in German; in English ``1,5`` (is it 15 or 1.5?) is refused, never guessed.
- **machine** text (the API's CSV and JSON, which ERPs write locale-free) is plain decimal
  notation: ``-1234.5`` or ``1.5e3``, no grouping.

Both refuse what Python's ``Decimal`` would silently accept (``1_000``, ``NaN``, ``Infinity``,
inner spaces) and any magnitude at or above ``limit`` (1e12 by default), so ``1e20`` or ``1e300``
is a clear error rather than an overflow further down.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel import Locale, UnknownLocaleError
from babel.numbers import (
    NumberFormatError,
    get_decimal_symbol,
    get_group_symbol,
    parse_decimal,
)

MACHINE = "machine"
DEFAULT_LIMIT = Decimal("1e12")
_MACHINE_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})  # Excel/Word minus and en dash
_SPACES = ("\u00a0", "\u202f", " ")  # grouping in fr, ru, sv...; pasted as any of these


class NumberError(ValueError):
    """The text is not a number this reading accepts; the message says why, for the user."""


def number_locale() -> str:
    """The configured human number locale (``NUMBER_LOCALE``)."""
    from django.conf import settings

    return str(getattr(settings, "NUMBER_LOCALE", "en"))


def check_locale(name: str) -> str:
    """``name`` if babel knows it; raises ``ValueError`` (used by settings at startup)."""
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError, TypeError) as exc:
        raise ValueError(f"NUMBER_LOCALE '{name}' is not a known locale (try en, de, fr).") from exc
    return name


def separators(locale: str | None = None) -> dict[str, str]:
    """The group and decimal symbols of ``locale`` (for the browser's display of pastes)."""
    name = locale or number_locale()
    return {"group": get_group_symbol(name), "decimal": get_decimal_symbol(name)}


def parse_number(
    value: object, locale: str | None = None, *, limit: Decimal = DEFAULT_LIMIT
) -> Decimal:
    """Text, int or float -> ``Decimal``; raises ``NumberError`` naming the true cause.

    ``locale``: a CLDR locale for human text, ``MACHINE`` for locale-free text, ``None`` for
    ``settings.NUMBER_LOCALE``. Ints and floats (JSON numbers, typed XLSX cells) are already
    numbers: only finiteness and the limit apply.
    """
    if isinstance(value, bool):
        raise NumberError(f"'{value}' is not a number.")
    if isinstance(value, int | float | Decimal):
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        return _bounded(number, str(value), limit)
    text = str(value).strip().translate(_MINUS_SIGNS)
    if not text:
        raise NumberError("The value is empty.")
    name = locale or number_locale()
    if "_" in text:
        raise NumberError(f"'{text}' is not a number (underscores are not digit separators).")
    number = _machine(text) if name == MACHINE else _human(text, name)
    return _bounded(number, text, limit)


def _machine(text: str) -> Decimal:
    _refuse_stray(text, set("0123456789+-eE."))
    if not _MACHINE_RE.match(text):
        raise NumberError(f"'{text}' is not a number (use digits and a point, e.g. 1234.5).")
    return Decimal(text)


def _human(text: str, locale: str) -> Decimal:
    group, decimal_mark = get_group_symbol(locale), get_decimal_symbol(locale)
    if group in _SPACES:
        for space in _SPACES:
            text = text.replace(space, group)
    _refuse_stray(text, set("0123456789+-eE") | {group, decimal_mark})
    try:
        number = parse_decimal(text, locale, strict=True)
    except NumberFormatError as exc:
        example = f"1{group}234{decimal_mark}5"
        raise NumberError(
            f"'{text}' is ambiguous or malformed in the {locale} number format "
            f"(thousands '{group}', decimals '{decimal_mark}', e.g. {example}): {exc}"
        ) from None
    except (InvalidOperation, ValueError):
        raise NumberError(f"'{text}' is not a number.") from None
    return Decimal(number)


def _refuse_stray(text: str, allowed: set[str]) -> None:
    stray = sorted({c for c in text if c not in allowed})
    if stray and not any(c.isdigit() for c in text):
        raise NumberError(f"'{text}' is not a number.")
    if stray:
        shown = " ".join(repr(c) for c in stray)
        raise NumberError(f"'{text}' is not a number (unexpected {shown}).")


def _bounded(number: Decimal, shown: str, limit: Decimal) -> Decimal:
    if not number.is_finite():
        raise NumberError(f"'{shown}' is not a finite number.")
    if abs(number) >= limit:
        raise NumberError(f"'{shown}' is too large: the limit is below {limit:,.0f}.")
    return number
