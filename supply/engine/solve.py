"""HiGHS, through scipy.optimize.milp, on a `LinearProgram`; solver outcomes become data.

scipy's bundled HiGHS takes the sparse matrix and row bounds as they are (no A_ub / A_eq
split), solves pure LPs with its simplex and MIPs with branch and cut, and prints nothing --
the standalone highspy prints a banner on every `Highs()`. Status codes are mapped to words;
a run that ends without any solution raises `SupplySolveError` with HiGHS' message, so callers
never see a raw solver exception.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import highspy
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


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS' Python binding prints its banner from C++ when an instance is created; silence
    file descriptor 1 for that moment (Python-level redirection cannot catch it)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def solve_program_from(
    program: LinearProgram, start: FloatArray, time_limit_seconds: float, mip_relative_gap: float
) -> SolverResult:
    """Solve a MIP with ``start`` as its first incumbent (HiGHS ignores an infeasible start):
    the answer is never worse than a feasible start. scipy's milp takes no start, so this
    goes through highspy, the same HiGHS."""
    with _quiet_stdout():
        highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", float(time_limit_seconds))
    highs.setOptionValue("mip_rel_gap", float(mip_relative_gap))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(program.cost), len(program.row_lower)
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = program.cost, program.col_lower, program.col_upper
    lp.row_lower_, lp.row_upper_ = program.row_lower, program.row_upper
    matrix = program.matrix
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_ = matrix.indptr, matrix.indices
    lp.a_matrix_.value_ = matrix.data
    lp.integrality_ = [highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous
                       for flag in program.integrality]  # fmt: skip
    highs.passModel(lp)
    solution = highspy.HighsSolution()
    solution.col_value = list(np.clip(start, program.col_lower, program.col_upper))
    solution.value_valid = True
    highs.setSolution(solution)
    started = time.perf_counter()
    highs.run()
    seconds = time.perf_counter() - started
    info = highs.getInfo()
    status = highs.getModelStatus()
    if info.primal_solution_status != 2:  # 2 = feasible
        raise SupplySolveError(f"HiGHS ended with status {highs.modelStatusToString(status)}")
    x = np.clip(np.asarray(highs.getSolution().col_value, dtype=float), program.col_lower,
                program.col_upper)  # fmt: skip
    word = "optimal" if status == highspy.HighsModelStatus.kOptimal else "time_limit"
    bound = float(info.mip_dual_bound)
    objective = float(program.cost @ x)
    return SolverResult(x, word, objective, float(info.mip_gap),
                        bound if np.isfinite(bound) else objective, seconds, str(status))  # fmt: skip
