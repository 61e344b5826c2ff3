"""``/api/v1/`` endpoints, the OpenAPI schema and the offline Swagger UI."""

from __future__ import annotations

from django.urls import path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api import schema
from api.tables import TABLES
from api.views_cycles import CycleDetailView, CycleListView, PlanListView, PlanView
from api.views_tables import TableView


class MonthConverter:
    regex = r"[0-9]{4}-[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(MonthConverter, "month")

app_name = "api"


def _table_view(name: str) -> type[TableView]:
    table = TABLES[name]
    view = type(f"{table.serializer.__name__}View", (TableView,), {"table": table})
    return schema.table_schema(view, table)


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("v1/cycles/", CycleListView.as_view(), name="cycles"),
    path("v1/cycles/<month:month>/", CycleDetailView.as_view(), name="cycle"),
    path("v1/cycles/<month:month>/plan/", PlanView.as_view(), name="plan"),
    path("v1/plans/", PlanListView.as_view(), name="plans"),
    *[
        path(f"v1/{table.url_name}/", _table_view(name).as_view(), name=table.name)
        for name, table in TABLES.items()
    ],
]
