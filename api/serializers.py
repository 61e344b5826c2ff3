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
    approved_at = serializers.DateTimeField(allow_null=True)
    demand = serializers.ListField(child=serializers.DictField())
    supply = serializers.ListField(child=serializers.DictField())
    supply_orders = serializers.ListField(
        child=serializers.DictField(),
        help_text="Production (make) and purchase (buy) releases by product, site, month, mode.",
    )
    inventory_targets = serializers.ListField(child=serializers.DictField())
