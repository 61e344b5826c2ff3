"""``manage.py seed_demo``: build the demo company and its cycles, deterministic by ``--seed``."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.services import demo_seed
from siop.bulk import refresh_statistics


class Command(BaseCommand):
    help = "Create a realistic demo company (master data, 36 months of history, positions, users)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument(
            "--skus", type=int, default=150, help="Number of products (150 default)."
        )
        parser.add_argument(
            "--as-of", default="", help="Current cycle month YYYY-MM (default: this month)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when products exist."
        )
        parser.add_argument(
            "--no-cycles", action="store_true", help="Only data, no planning cycles."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = (
            _parse_month(options["as_of"]) if options["as_of"] else dt.date.today().replace(day=1)
        )
        if options["skus"] < 10:
            raise CommandError("--skus must be at least 10.")
        started = time.perf_counter()
        summary = demo_seed(
            seed=options["seed"],
            sku_count=options["skus"],
            as_of=as_of,
            if_empty=options["if_empty"],
            with_cycles=not options["no_cycles"],
        )
        refresh_statistics()  # a freshly loaded company: plan its first pages on real statistics
        self.stdout.write(summary.text)
        self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")


def _parse_month(text: str) -> dt.date:
    try:
        return dt.date(int(text[:4]), int(text[5:7]), 1)
    except (ValueError, IndexError):
        raise CommandError("--as-of must look like 2026-11.") from None
