"""The reconciliation's link on the cycle overview's stage track."""

from __future__ import annotations

from django.urls import reverse

from cycles.links import register_stage_page

register_stage_page(
    "reconciliation", "Scenarios and financial view",
    lambda cycle: reverse("reconciliation:review", kwargs={"pk": cycle.pk}),
)  # fmt: skip
