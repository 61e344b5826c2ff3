"""Overrides store the consensus the planner typed, not a difference to the forecast.

Each existing row gets consensus_units = max(0, statistical + events + adjustment) computed
from its cycle's current forecast run and events exactly as the consensus was read before, so
every consensus number stays what the planners saw; statistical_at_entry_units is the current
statistical forecast (no cell is flagged as changed by the migration itself). Reversing derives
the adjustment back from the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

CENT = Decimal("0.01")


def _statistical(apps, cycle_id):  # type: ignore[no-untyped-def]
    """{(product_id, month): (family_id, statistical)} of the cycle's current run."""
    pointer = apps.get_model("demand", "CurrentForecast").objects.filter(cycle_id=cycle_id).first()
    if pointer is None:
        return {}
    rows = apps.get_model("demand", "StatisticalForecast").objects.filter(run_id=pointer.run_id)
    return {
        (r[0], r[1]): (r[2], float(r[3]))
        for r in rows.values_list("product_id", "month", "product__family_id", "forecast_units")
    }


def _events(apps, cycle_id, stat):  # type: ignore[no-untyped-def]
    """Event units per (product_id, month), as demand.selectors.event_units computed them."""
    units: dict = defaultdict(float)
    for event in apps.get_model("demand", "DemandEvent").objects.filter(cycle_id=cycle_id):
        scope = {
            key: value
            for key, value in stat.items()
            if event.start_month <= key[1] <= event.end_month
            and (key[0] == event.product_id if event.product_id else value[0] == event.family_id)
        }
        value = float(event.uplift_value)
        by_month: dict = defaultdict(list)
        for key in scope:
            by_month[key[1]].append(key)
        for keys in by_month.values():
            total = sum(scope[k][1] for k in keys)
            for key in keys:
                if event.uplift_kind == "percent":
                    units[key] += scope[key][1] * value / 100.0
                else:
                    weight = scope[key][1] / total if total > 0 else 1.0 / len(keys)
                    units[key] += weight * value
    return units


def _base_by_cycle(apps, cycle_id):  # type: ignore[no-untyped-def]
    stat = _statistical(apps, cycle_id)
    events = _events(apps, cycle_id, stat)
    return {key: (value[1], value[1] + events[key]) for key, value in stat.items()}


def _dec(value: float) -> Decimal:
    return Decimal(str(round(value, 2))).quantize(CENT)


def to_typed(apps, schema_editor):  # type: ignore[no-untyped-def]
    override_model = apps.get_model("demand", "DemandOverride")
    cycle_ids = override_model.objects.values_list("cycle_id", flat=True).distinct()
    for cycle_id in list(cycle_ids):
        base = _base_by_cycle(apps, cycle_id)
        rows = list(override_model.objects.filter(cycle_id=cycle_id))
        for row in rows:
            statistical, forecast = base.get((row.product_id, row.month), (0.0, 0.0))
            row.consensus_units = _dec(max(forecast + float(row.adjustment_units), 0.0))
            row.statistical_at_entry_units = _dec(statistical)
        override_model.objects.bulk_update(
            rows, ["consensus_units", "statistical_at_entry_units"], batch_size=2000
        )


def to_adjustment(apps, schema_editor):  # type: ignore[no-untyped-def]
    override_model = apps.get_model("demand", "DemandOverride")
    cycle_ids = override_model.objects.values_list("cycle_id", flat=True).distinct()
    for cycle_id in list(cycle_ids):
        base = _base_by_cycle(apps, cycle_id)
        rows = list(override_model.objects.filter(cycle_id=cycle_id))
        for row in rows:
            forecast = base.get((row.product_id, row.month), (0.0, 0.0))[1]
            row.adjustment_units = row.consensus_units - _dec(forecast)
        override_model.objects.bulk_update(rows, ["adjustment_units"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("cycles", "0001_initial"),
        ("demand", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="demandoverride",
            name="consensus_units",
            field=models.DecimalField(decimal_places=2, max_digits=16, null=True),
        ),
        migrations.AddField(
            model_name="demandoverride",
            name="statistical_at_entry_units",
            field=models.DecimalField(
                blank=True,
                decimal_places=2,
                help_text="The statistical forecast of the cell when the consensus was typed (units).",
                max_digits=16,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="demandoverride",
            name="adjustment_units",
            field=models.DecimalField(decimal_places=2, max_digits=16, null=True),
        ),
        migrations.RunPython(to_typed, to_adjustment),
        migrations.RemoveField(model_name="demandoverride", name="adjustment_units"),
        migrations.AlterField(
            model_name="demandoverride",
            name="consensus_units",
            field=models.DecimalField(
                decimal_places=2,
                help_text="The consensus the planner typed (units).",
                max_digits=16,
            ),
        ),
        migrations.AddField(
            model_name="demandoverride",
            name="carried_from",
            field=models.ForeignKey(
                blank=True,
                help_text="The earlier cycle this override was carried over from (empty: typed here).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cycles.planningcycle",
            ),
        ),
        migrations.AddField(
            model_name="demandevent",
            name="carried_from",
            field=models.ForeignKey(
                blank=True,
                help_text="The earlier cycle this event was carried over from (empty: entered here).",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="cycles.planningcycle",
            ),
        ),
    ]
