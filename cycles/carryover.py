"""What a new cycle takes over from the cycle it starts from.

The cycle itself copies its horizon and calendar (each stage's due day of the month). Stage apps
add their own settings with ``register`` (for example demand overrides still in force, inventory
policy parameters, supply scenario settings) so the cycle app does not import every stage. Each
function runs inside the transaction that opens the new cycle: if one fails, no cycle is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cycles.models import PlanningCycle

# (new cycle, previous cycle, user) -> None
CarryOver = Callable[[PlanningCycle, PlanningCycle, Any], None]
_CARRY_OVERS: dict[str, CarryOver] = {}


def register(name: str) -> Callable[[CarryOver], CarryOver]:
    """Register ``name`` (unique, e.g. "inventory.policy_parameters") to run on every carry-over."""

    def decorator(function: CarryOver) -> CarryOver:
        _CARRY_OVERS[name] = function
        return function

    return decorator


def carry_over(new: PlanningCycle, previous: PlanningCycle, user: Any) -> list[str]:
    """Run every registered carry-over in registration order; returns their names."""
    for function in _CARRY_OVERS.values():
        function(new, previous, user)
    return list(_CARRY_OVERS)
