"""Read serializers for cycles and approved plans (table serializers are built in ``tables``)."""

from __future__ import annotations

from rest_framework import serializers

from cycles.models import PlanningCycle


class StageSerializer(serializers.Serializer):
    key = serializers.CharField()
    position = serializers.IntegerField()
    owner_role = serializers.CharField()
    due_date = serializers.DateField()
    status = serializers.CharField()
    started_at = serializers.DateTimeField(allow_null=True)


class CycleSerializer(serializers.Serializer):
    month = serializers.SerializerMethodField()
    state = serializers.CharField()
    version = serializers.IntegerField()
    horizon_months = serializers.IntegerField()
    approved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    stages = StageSerializer(many=True)

    def get_month(self, cycle: PlanningCycle) -> str:
        return cycle.month.strftime("%Y-%m")


class PlanSummarySerializer(serializers.Serializer):
    cycle = serializers.SerializerMethodField()
    state = serializers.CharField()
    approved_at = serializers.DateTimeField(allow_null=True)
    plan_url = serializers.SerializerMethodField()

    def get_cycle(self, cycle: PlanningCycle) -> str:
        return cycle.month.strftime("%Y-%m")

    def get_plan_url(self, cycle: PlanningCycle) -> str:
        return f"/api/v1/cycles/{cycle.month:%Y-%m}/plan/"


class PlanSerializer(serializers.Serializer):
    cycle = serializers.CharField()
    state = serializers.CharField()
    approved = serializers.BooleanField(help_text="True: the immutable approved snapshot.")
    approved_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(help_text="SHA-256 of the rows' canonical form (the ETag).")
    run_ids = serializers.DictField(help_text="Pipeline step -> the run the plan was built from.")
    scenario_id = serializers.IntegerField(allow_null=True)
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="Product x site x month: consensus demand, backlog, served, lost sales, "
        "production, purchases (and by transport mode), opening and projected inventory, "
        "safety stock, unit price and cost, revenue, COGS, margin, revenue at risk, "
        "inventory value (EUR).",
    )
    resources = serializers.ListField(
        child=serializers.DictField(), help_text="Resource x month: load, capacity, overtime."
    )
