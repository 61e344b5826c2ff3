"""One number parser for grid edits, pastes and files: locale-aware, never guessing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from siop.numbers import MACHINE, NumberError, parse_number


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("1.234,5", "de", Decimal("1234.5")),  # a German Excel paste
        ("12,5", "de", Decimal("12.5")),
        ("-12", "de", Decimal("-12")),
        ("\u221212", "de", Decimal("-12")),  # the minus sign Excel and Word paste
        ("1,234.5", "en", Decimal("1234.5")),
        ("1234.5", "en", Decimal("1234.5")),
        ("1\u202f234,5", "fr", Decimal("1234.5")),
        ("1 234,5", "fr", Decimal("1234.5")),  # typed with a plain space
        ("1234.5", MACHINE, Decimal("1234.5")),
        ("1.5e3", MACHINE, Decimal("1500")),
        (12, "de", Decimal(12)),  # JSON numbers and typed XLSX cells are already numbers
        (12.5, "de", Decimal("12.5")),
    ],
)
def test_given_text_in_a_locale_when_parsed_then_the_value_is_exact(text, locale, expected):
    assert parse_number(text, locale) == expected


@pytest.mark.parametrize(
    ("text", "locale", "cause"),
    [
        ("1,5", "en", "ambiguous"),  # 15 or 1.5? never 15 silently
        ("1.5", "de", "ambiguous"),  # 15 or 1,5 in German
        ("1_000", "en", "underscores"),  # Python's Decimal would take it as 1000
        ("1_000", MACHINE, "underscores"),
        ("1e20", "en", "too large"),
        ("1e300", MACHINE, "too large"),
        (1e300, "en", "too large"),
        ("NaN", MACHINE, "not a number"),
        ("Infinity", "en", "not a number"),
        ("12 5", "en", "not a number"),
        ("1,234.5", MACHINE, "not a number"),  # machines send no grouping
        ("", "en", "empty"),
        (True, "en", "not a number"),
    ],
)
def test_given_ambiguous_or_unusable_text_when_parsed_then_refused_with_the_cause(
    text, locale, cause
):
    with pytest.raises(NumberError, match=cause):
        parse_number(text, locale)


def test_given_the_number_locale_setting_when_no_locale_is_passed_then_it_is_used(settings):
    settings.NUMBER_LOCALE = "de"
    assert parse_number("1.234,5") == Decimal("1234.5")
    settings.NUMBER_LOCALE = "en"
    with pytest.raises(NumberError):
        parse_number("1.234,5")
