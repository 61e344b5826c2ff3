"""Row-level validation: every problem is collected as (row, column, message), never raised.

Foreign keys are resolved with one query per referenced table, so validating 100k rows costs a
handful of queries, not one per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from datainputs.importers.specs import Column, ImportSpec
from masterdata.models import Channel, Product, ProductFamily, Resource, Site, Supplier, SupplyTerm
from siop.numbers import MACHINE, NumberError, parse_number

MAX_DECIMAL = Decimal("1e12")
MAX_INT = Decimal(2**31)  # PostgreSQL integer
DATE_TAIL = {"", " 00:00:00", "T00:00:00", " 00:00"}  # what spreadsheets append to dates


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "field": _storable(self.column),
            "message": _storable(self.message),
        }


def _storable(text: str) -> str:
    """Echoed input may hold NUL or lone surrogates, which PostgreSQL text/JSON cannot store."""
    cleaned = text.replace("\x00", "\\0")
    return cleaned.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass
class ValidationResult:
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Accepted but worth a look (negative on-hand stock...): shown, never blocking.
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Lookups:
    """Natural key -> id maps for every foreign key the spec references."""

    by_kind: Mapping[str, Mapping[str, int]]
    product_family: Mapping[int, int]
    # (product id, site id, supplier id) -> bought supply term id, for specs addressing terms.
    buy_terms: Mapping[tuple[int, int, int], int] = field(default_factory=dict)


def load_lookups(spec: ImportSpec, raw_rows: Iterable[Mapping[str, str]]) -> Lookups:
    fk_columns = [c for c in spec.columns if c.kind == "fk"]
    wanted: dict[str, set[str]] = {c.fk: set() for c in fk_columns}
    for raw in raw_rows:
        for column in fk_columns:
            value = raw.get(column.name, "")
            if value and "\x00" not in value:
                wanted[column.fk].add(value)
    by_kind: dict[str, dict[str, int]] = {}
    product_family: dict[int, int] = {}
    for kind, codes in wanted.items():
        if kind == "product":
            triples = Product.objects.filter(sku__in=codes).values_list("sku", "id", "family_id")
            by_kind[kind] = {sku: pk for sku, pk, _ in triples}
            product_family = {pk: family for _, pk, family in triples}
        else:
            model, key = FK_MODELS[kind]
            by_kind[kind] = dict(
                model.objects.filter(**{f"{key}__in": codes}).values_list(key, "id")
            )
    buy_terms: dict[tuple[int, int, int], int] = {}
    if "buy_term" in spec.extra_checks:
        terms = SupplyTerm.objects.filter(
            source_type="buy", product_id__in=by_kind.get("product", {}).values()
        ).values_list("product_id", "site_id", "supplier_id", "id")
        buy_terms = {(p, s, sup): pk for p, s, sup, pk in terms}
    return Lookups(by_kind=by_kind, product_family=product_family, buy_terms=buy_terms)


FK_MODELS: dict[str, tuple[Any, str]] = {
    "family": (ProductFamily, "code"),
    "site": (Site, "code"),
    "channel": (Channel, "code"),
    "supplier": (Supplier, "code"),
    "resource": (Resource, "code"),
}


def register_fk(kind: str, model: Any, key: str) -> None:
    """Let a registered spec's ``fk`` column of ``kind`` resolve by ``model``'s ``key`` field."""
    FK_MODELS.setdefault(kind, (model, key))


def validate_rows(
    spec: ImportSpec,
    raw_rows: Sequence[tuple[int, Mapping[str, str]]],
    headers: Iterable[str] | None = None,
    family_scope: set[int] | None = None,
    number_locale: str = MACHINE,
) -> ValidationResult:
    """Type-check and resolve every row; ``family_scope`` limits which products may be written.

    ``number_locale``: how numbers are written (``MACHINE`` for the API, the ``NUMBER_LOCALE``
    setting for people's uploads; see ``siop.numbers``).
    """
    result = ValidationResult()
    if headers is not None and not _check_headers(spec, list(headers), result):
        return result
    lookups = load_lookups(spec, (raw for _, raw in raw_rows))
    first_row_of_key: dict[tuple[Any, ...], int] = {}
    for number, raw in raw_rows:
        clean, errors = _validate_row(spec, number, raw, lookups, family_scope, number_locale)
        if not errors:
            key = tuple(clean[f] for f in spec.key_fields)
            if key in first_row_of_key:
                errors.append(_duplicate_error(spec, number, first_row_of_key[key]))
            else:
                first_row_of_key[key] = number
        result.errors.extend(errors)
        if not errors:
            result.rows.append(clean)
            result.warnings.extend(_warnings(spec, number, clean))
    return result


def _warnings(spec: ImportSpec, number: int, clean: dict[str, Any]) -> list[RowError]:
    return [
        RowError(number, column.name, column.negative_warning)
        for column in spec.columns
        if column.negative_warning and (clean.get(column.field) or 0) < 0
    ]


def _check_headers(spec: ImportSpec, headers: list[str], result: ValidationResult) -> bool:
    known = set(spec.column_names)
    for column in spec.columns:
        if column.required and column.name not in headers:
            result.errors.append(RowError(1, column.name, "Required column is missing."))
    for header in headers:
        if header not in known:
            result.errors.append(
                RowError(1, header, f"Unknown column; expected: {', '.join(spec.column_names)}.")
            )
    return result.ok


def _duplicate_error(spec: ImportSpec, number: int, first: int) -> RowError:
    key_names = ", ".join(c.name for c in spec.columns if c.field in spec.key_fields)
    return RowError(number, key_names, f"Duplicate of row {first} (same {key_names}).")


def _validate_row(
    spec: ImportSpec,
    number: int,
    raw: Mapping[str, str],
    lookups: Lookups,
    family_scope: set[int] | None,
    number_locale: str,
) -> tuple[dict[str, Any], list[RowError]]:
    clean: dict[str, Any] = {}
    errors: list[RowError] = []
    for column in spec.columns:
        text = (raw.get(column.name) or "").strip()
        if "\x00" in text:
            errors.append(RowError(number, column.name, "Contains a NUL character."))
            continue
        if not text:
            if column.required:
                errors.append(RowError(number, column.name, "Required value is empty."))
            else:
                clean[column.field] = _empty_value(column, lookups)
            continue
        try:
            clean[column.field] = _convert(column, text, lookups, number_locale)
        except ValueError as exc:
            errors.append(RowError(number, column.name, str(exc)))
    if not errors:
        errors.extend(_scope_errors(number, clean, lookups, family_scope))
        errors.extend(_extra_checks(spec, number, clean, lookups))
    return clean, errors


def _empty_value(column: Column, lookups: Lookups) -> Any:
    if column.default:
        return _convert(column, column.default, lookups, MACHINE)
    return "" if column.kind in {"str", "choice"} else None


BOOL_TEXT = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _convert(column: Column, text: str, lookups: Lookups, number_locale: str) -> Any:
    if column.kind == "str":
        if len(text) > column.max_length:
            raise ValueError(f"Longer than {column.max_length} characters.")
        return text
    if column.kind == "bool":
        if text.lower() not in BOOL_TEXT:
            raise ValueError(f"'{text}' is not true or false.")
        return BOOL_TEXT[text.lower()]
    if column.kind == "int":
        return _parse_int(text, column, number_locale)
    if column.kind == "decimal":
        return _parse_decimal(text, column, number_locale)
    if column.kind == "month":
        return parse_month(text)
    if column.kind == "date":
        return _parse_date(text)
    if column.kind == "choice":
        if text.lower() not in column.choices:
            raise ValueError(f"'{text}' is not one of: {', '.join(column.choices)}.")
        return text.lower()
    found = lookups.by_kind.get(column.fk, {}).get(text)
    if found is None:
        raise ValueError(f"Unknown {column.fk} '{text}'.")
    return found


def _parse_int(text: str, column: Column, locale: str) -> int:
    value = parse_number(text, locale, limit=MAX_INT)
    if value != value.to_integral_value():
        raise NumberError(f"'{text}' is not a whole number.")
    if column.non_negative and value < 0:
        raise NumberError("Must not be negative.")
    return int(value)


def _parse_decimal(text: str, column: Column, locale: str) -> Decimal:
    value = parse_number(text, locale, limit=MAX_DECIMAL)
    if column.non_negative and value < 0:
        raise NumberError("Must not be negative.")
    return value.quantize(Decimal(1).scaleb(-column.decimals))


def parse_month(text: str) -> dt.date:
    """Accept YYYY-MM or a date in that month given as YYYY-MM-01; nothing may follow."""
    try:
        if len(text) == 7 and text[4] == "-" and text.replace("-", "").isdigit():
            return dt.date(int(text[:4]), int(text[5:7]), 1)
        value = _parse_date(text)
    except ValueError:
        raise ValueError(f"'{text}' is not a month (use YYYY-MM).") from None
    if value.day != 1:
        raise ValueError(f"'{text}' is not a month start (use YYYY-MM).")
    return value


def _parse_date(text: str) -> dt.date:
    """YYYY-MM-DD, optionally with the midnight time spreadsheets add; anything else is refused
    (``2026-11-02x`` is a typo, not a date)."""
    try:
        if text[10:] not in DATE_TAIL or len(text) < 10 or text[4] != "-" or text[7] != "-":
            raise ValueError(text)
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"'{text}' is not a date (use YYYY-MM-DD).") from None


def _scope_errors(
    number: int, clean: dict[str, Any], lookups: Lookups, family_scope: set[int] | None
) -> list[RowError]:
    product_id = clean.get("product")
    if family_scope is None or product_id is None:
        return []
    if lookups.product_family.get(product_id) in family_scope:
        return []
    return [RowError(number, "sku", "This product's family is outside your planning scope.")]


def _extra_checks(
    spec: ImportSpec, number: int, clean: dict[str, Any], lookups: Lookups
) -> list[RowError]:
    if "product_dates" in spec.extra_checks:
        return _product_dates(number, clean)
    if "term_source" in spec.extra_checks:
        return _term_source(number, clean)
    if "buy_term" in spec.extra_checks:
        return _buy_term(number, clean, lookups)
    if "receipt_source" not in spec.extra_checks:
        return []
    if clean["receipt_type"] == "purchase" and clean.get("resource"):
        return [RowError(number, "resource", "A purchase order has a supplier, not a resource.")]
    if clean["receipt_type"] == "production" and clean.get("supplier"):
        return [RowError(number, "supplier", "A production order has a resource, not a supplier.")]
    return []


def _product_dates(number: int, clean: dict[str, Any]) -> list[RowError]:
    launch, end = clean.get("launch_date"), clean.get("end_date")
    if launch and end and end < launch:
        return [RowError(number, "end_date", "The end date is before the launch date.")]
    return []


def _term_source(number: int, clean: dict[str, Any]) -> list[RowError]:
    if clean["source_type"] == "make":
        if not clean.get("resource"):
            return [RowError(number, "resource", "A made product needs a resource.")]
        if clean.get("supplier"):
            return [RowError(number, "supplier", "A made product has a resource, not a supplier.")]
    else:
        if not clean.get("supplier"):
            return [RowError(number, "supplier", "A bought product needs a supplier.")]
        if clean.get("resource"):
            return [
                RowError(number, "resource", "A bought product has a supplier, not a resource.")
            ]
    return []


def _buy_term(number: int, clean: dict[str, Any], lookups: Lookups) -> list[RowError]:
    """Replace sku + site + supplier by the bought supply term they name."""
    key = (clean.pop("product"), clean.pop("site"), clean.pop("supplier"))
    term = lookups.buy_terms.get(key)
    if term is None:
        return [RowError(number, "supplier", "No bought supply term for this sku, site, supplier.")]
    clean["supply_term"] = term
    return []
