"""The SIOP roles and what each may do.

One explicit matrix (action -> roles) instead of Django model permissions: the cycle's rules are
about *functions* (demand planning signs off demand), not about table-level CRUD, and a single
table is easy to audit and to test exhaustively.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    DEMAND_PLANNER = "demand_planner", "Demand planner"
    SUPPLY_PLANNER = "supply_planner", "Supply planner"
    INVENTORY_PLANNER = "inventory_planner", "Inventory planner"
    SALES = "sales", "Sales"
    FINANCE = "finance", "Finance"
    EXECUTIVE = "executive", "Executive"
    ADMINISTRATOR = "administrator", "Administrator"
    ERP = "erp", "ERP integration"


ALL_HUMAN_ROLES = frozenset(r for r in Role if r != Role.ERP)

# Who may upload (browser) or push (API) each data input.
DATA_INPUT_WRITERS: dict[str, frozenset[Role]] = {
    "sales_history": frozenset({Role.DEMAND_PLANNER, Role.SALES, Role.ADMINISTRATOR, Role.ERP}),
    "open_orders": frozenset({Role.SALES, Role.DEMAND_PLANNER, Role.ADMINISTRATOR, Role.ERP}),
    "inventory_on_hand": frozenset(
        {Role.INVENTORY_PLANNER, Role.SUPPLY_PLANNER, Role.ADMINISTRATOR, Role.ERP}
    ),
    "open_receipts": frozenset({Role.SUPPLY_PLANNER, Role.ADMINISTRATOR, Role.ERP}),
    "budget_lines": frozenset({Role.FINANCE, Role.ADMINISTRATOR, Role.ERP}),
}

# Who may push master data (API bulk upsert; ERPs own item, site and sourcing masters).
MASTER_DATA_TABLES = (
    "families",
    "products",
    "sites",
    "channels",
    "suppliers",
    "resources",
    "resource_capacities",
    "resource_loads",
    "supply_terms",
    "supply_term_modes",
)
MASTER_DATA_WRITERS: dict[str, frozenset[Role]] = {
    name: frozenset({Role.ADMINISTRATOR, Role.ERP}) for name in MASTER_DATA_TABLES
}

ACTIONS: dict[str, frozenset[Role]] = {
    "view_planning": ALL_HUMAN_ROLES,
    "edit_master_data": frozenset({Role.ADMINISTRATOR}),
    "open_cycle": frozenset({Role.ADMINISTRATOR}),
    "run_forecast": frozenset({Role.DEMAND_PLANNER, Role.ADMINISTRATOR}),
    "edit_demand": frozenset({Role.DEMAND_PLANNER}),
    "run_supply_plan": frozenset({Role.SUPPLY_PLANNER}),
    "edit_supply_plan": frozenset({Role.SUPPLY_PLANNER}),
    "edit_inventory_policy": frozenset({Role.INVENTORY_PLANNER}),
    "edit_reconciliation": frozenset({Role.FINANCE}),
    **{f"upload_{name}": roles for name, roles in DATA_INPUT_WRITERS.items()},
    **{f"upload_{name}": roles for name, roles in MASTER_DATA_WRITERS.items()},
    "api_read_tables": frozenset({*ALL_HUMAN_ROLES, Role.ERP}),
    "api_read_cycles": ALL_HUMAN_ROLES,
    "api_read_approved_plan": frozenset({*ALL_HUMAN_ROLES, Role.ERP}),
}


def role_may(role: str | None, action: str) -> bool:
    """True when ``role`` may perform ``action``; unknown actions are denied."""
    if role is None:
        return False
    return Role(role) in ACTIONS.get(action, frozenset())
