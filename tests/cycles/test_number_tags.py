"""The fast number and month filters of the long tables print what Django's filters print."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import date, floatformat
from django.utils import translation

from cycles.templatetags.number_tags import fixed, grouped, month_label

VALUES = [0, -0.0, -0.4, 0.5, 1.5, 2.5, -2.5, 999.5, 1234.5678, -1234.56, 1e9 + 0.5, 0.05, 1.005,
          7, -7, Decimal("12345.675"), 1e25, float("nan"), float("inf"), None, "", "x", "12.5"]  # fmt: skip


def test_given_any_value_then_grouped_prints_what_floatformat_then_intcomma_print() -> None:
    spread = random.Random(15)
    values = VALUES + [spread.uniform(-1e7, 1e7) for _ in range(2000)]
    with translation.override("en"):  # the site's language (settings.LANGUAGE_CODE)
        for value in values:
            for digits in (0, 1, 2):
                assert grouped(value, digits) == str(intcomma(floatformat(value, digits))), value


def test_given_a_language_with_a_decimal_comma_then_grouped_groups_with_its_points() -> None:
    # (Django's floatformat|intcomma would print "1,234,6" here: it groups the decimal comma.)
    with translation.override("de"):
        assert grouped(1234.5678, 1) == "1.234,6" and grouped(-1234567, 0) == "-1.234.567"


@pytest.mark.parametrize("language", ["en", "de"])
def test_given_a_month_then_month_label_prints_what_the_date_filter_prints(language: str) -> None:
    with translation.override(language):
        for month in range(1, 13):
            day = dt.date(2026, month, 1)
            assert month_label(day) == date(day, "M Y")
    assert month_label(None) == ""


def test_given_any_value_then_fixed_prints_what_floatformat_prints() -> None:
    spread = random.Random(16)
    values = VALUES + [spread.uniform(-1e5, 1e5) for _ in range(2000)]
    with translation.override("en"):
        for value in values:
            for digits in (0, 1, 2):
                assert fixed(value, digits) == str(floatformat(value, digits)), value
