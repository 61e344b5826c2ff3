"""The fixed order of a cycle's stages, who owns each, and its default due day.

Data inputs are owned by the administrator acting as SIOP process owner; reconciliation by finance
(the function that turns volumes into money); executive review's sign-off *is* the approval.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.roles import Role


@dataclass(frozen=True)
class StageDef:
    key: str
    label: str
    owner: Role
    due_day: int  # working calendar: day of the cycle month the stage is due


STAGES: tuple[StageDef, ...] = (
    StageDef("data_inputs", "Data inputs", Role.ADMINISTRATOR, 3),
    StageDef("demand_review", "Demand review", Role.DEMAND_PLANNER, 8),
    StageDef("supply_review", "Supply review", Role.SUPPLY_PLANNER, 13),
    StageDef("inventory_review", "Inventory review", Role.INVENTORY_PLANNER, 16),
    StageDef("reconciliation", "Integrated reconciliation", Role.FINANCE, 20),
    StageDef("executive_review", "Executive review", Role.EXECUTIVE, 24),
)
STAGE_KEYS: tuple[str, ...] = tuple(s.key for s in STAGES)
STAGE_BY_KEY: dict[str, StageDef] = {s.key: s for s in STAGES}

APPROVED = "approved"
CLOSED = "closed"
CYCLE_STATES: tuple[str, ...] = (*STAGE_KEYS, APPROVED, CLOSED)


def next_state(state: str) -> str:
    """The state that follows ``state`` in the cycle (executive review -> approved -> closed)."""
    index = CYCLE_STATES.index(state)
    if index + 1 >= len(CYCLE_STATES):
        raise ValueError("A closed cycle has no next state.")
    return CYCLE_STATES[index + 1]
