"""Accept an incomplete last month of sales history for a cycle (administrators, with a reason).

    python manage.py accept_sales_month 2026-11 --username admin --reason "Outdoor range delisted"

The cycle is given by its month; the month accepted is the one before it (the last closed
month the data-inputs gate checks). See `cycles.completeness`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cycles.completeness import accept_incomplete_month, sales_coverage
from cycles.models import PlanningCycle
from cycles.preconditions import last_closed_month


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("cycle", help="the cycle's month, YYYY-MM")
        parser.add_argument("--username", required=True, help="an administrator's user name")
        parser.add_argument("--reason", required=True, help="why the month is complete enough")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = dt.datetime.strptime(options["cycle"], "%Y-%m").date()
        except ValueError as exc:
            raise CommandError(f"cycle: {options['cycle']!r} is not a YYYY-MM month") from exc
        cycle = PlanningCycle.objects.filter(month=month).first()
        if cycle is None:
            raise CommandError(f"cycle: no planning cycle for {month:%B %Y}")
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"username: no user {options['username']!r}")
        closed = last_closed_month(cycle.month)
        try:
            accept_incomplete_month(cycle, closed, user, options["reason"])
        except (PermissionDenied, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        coverage = sales_coverage(closed)
        self.stdout.write(
            f"{closed:%B %Y} accepted for the {month:%B %Y} cycle at {coverage.coverage_pct:.1f} % "
            f"({coverage.covered} of {coverage.expected} products)."
        )
