"""HiGHS, through scipy.optimize.milp, on a `LinearProgram`; solver outcomes become data.

scipy's bundled HiGHS takes the sparse matrix and row bounds as they are (no A_ub / A_eq
split), solves pure LPs with its simplex and MIPs with branch and cut, and prints nothing --
the standalone highspy prints a banner on every `Highs()`. Status codes are mapped to words;
a run that ends without any solution raises `SupplySolveError` with HiGHS' message, so callers
never see a raw solver exception.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from supply.engine.program import FloatArray, LinearProgram

STATUS_WORDS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "solver_error"}


class SupplySolveError(RuntimeError):
    """HiGHS ended without a usable solution (time limit before any solution, numerics)."""


@dataclass(frozen=True)
class SolverResult:
    x: FloatArray
    status: str
    objective: float
    mip_gap: float
    best_bound: float
    seconds: float
    message: str


def solve_program(
    program: LinearProgram, time_limit_seconds: float, mip_relative_gap: float
) -> SolverResult:
    """Solve; `status` is "optimal" or "time_limit" (best solution found so far)."""
    options: dict[str, float | bool] = {"time_limit": time_limit_seconds, "disp": False}
    if program.integrality.any():
        options["mip_rel_gap"] = mip_relative_gap
    started = time.perf_counter()
    result = milp(
        program.cost,
        integrality=program.integrality,
        bounds=Bounds(program.col_lower, program.col_upper),
        constraints=LinearConstraint(program.matrix, program.row_lower, program.row_upper),
        options=options,
    )
    seconds = time.perf_counter() - started
    status = STATUS_WORDS.get(int(result.status), "solver_error")
    if result.x is None or status not in ("optimal", "time_limit"):
        raise SupplySolveError(f"HiGHS ended with status {status}: {result.message}")
    x = np.clip(np.asarray(result.x, dtype=float), program.col_lower, program.col_upper)
    objective = float(program.cost @ x)
    gap = float(getattr(result, "mip_gap", 0.0) or 0.0)
    bound = getattr(result, "mip_dual_bound", None)
    best_bound = objective if bound is None or np.isnan(bound) else float(bound)
    return SolverResult(x, status, objective, gap, best_bound, seconds, str(result.message))
