"""Take the gap options that pay: a heuristic plan is never left with a shortage that one of
its own costed options would close for less than the lost sale.

The heuristic fixes which cells order and run (`rounding`, `make_moq`); a shortage it leaves
may then have an option (`gaps`) whose cost is below the lost sales it avoids -- a run that
was dropped but fits, an order that was rounded away. Such a shortage is not an economic
choice, so its "economic" label would be false. Each round takes, per gap, the option with the
largest net saving, opens its cell in the LP (a make option: the cell may run, at least its
MOQ and at most its run limit; a buy option on a rounded lane: the cell's order grows by the
option's rounded order) and re-solves; the new plan is kept only if its total cost is lower
(the LP re-decides everything else, so a saving on paper that the full objective does not
confirm is not taken). If all options together do not fit or do not pay, the single best
option is tried. Rounds stop when no option pays, none improves the plan, or after
`POLISH_ROUNDS`. Every MOQ and multiple stays met: the cells opened are exactly the options'
rounded orders and minimum runs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from supply.engine.gaps import gap_closing_options
from supply.engine.inputs import SupplyConfig
from supply.engine.make_moq import flag_grid
from supply.engine.model_builder import build_program
from supply.engine.network import SupplyNetwork
from supply.engine.program import LinearProgram
from supply.engine.results import shortages_frame
from supply.engine.rounding import rounded_lanes
from supply.engine.solve import SolverResult, SupplySolveError, solve_program
from supply.engine.usage import decode

POLISH_ROUNDS = 10
PAYING_EUR = 0.01


def paying_options(network: SupplyNetwork, program: LinearProgram, result: SolverResult,
                   tolerance: float) -> pd.DataFrame:  # fmt: skip
    """Per gap, its option with the largest net saving above `PAYING_EUR` (best first)."""
    grids = decode(network, program, result.x)
    shortages = shortages_frame(network, grids, tolerance)
    if shortages.empty:
        return shortages
    options = gap_closing_options(network, grids, shortages)
    paying = options.loc[options["net_saving"].astype(float) > PAYING_EUR]
    paying = paying.sort_values("net_saving", ascending=False)
    return paying.drop_duplicates(["product", "site", "period"])


def _cell(network: SupplyNetwork, lanes: pd.DataFrame, keys: dict[str, str], period: object
          ) -> int:  # fmt: skip
    match = np.ones(len(lanes), dtype=bool)
    for column, value in keys.items():
        match &= (lanes[column] == value).to_numpy()
    month = int(pd.Period(period, freq="M").ordinal - network.horizon[0].ordinal)  # type: ignore[arg-type]
    return int(np.flatnonzero(match)[0]) * network.months + month


def with_options(network: SupplyNetwork, program: LinearProgram, result: SolverResult,
                 options: pd.DataFrame) -> LinearProgram:  # fmt: skip
    """The program with the options' cells opened (module docstring)."""
    lower, upper = program.col_lower.copy(), program.col_upper.copy()
    production, purchase = program.columns["production"], program.columns["purchase"]
    flagged, limit = flag_grid(network)
    moq = network.make_lanes["min_order_qty_units"].to_numpy(dtype=float)
    rounded = rounded_lanes(network)
    for option in options.itertuples(index=False):
        keys = {"product": option.product, "site": option.site}
        if option.mode:  # a buy option
            keys.update(supplier=option.source, mode=option.mode)
            cell = _cell(network, network.buy_lanes, keys, option.release_period)
            column = purchase.start + cell
            if rounded[cell // network.months]:
                lower[column] = upper[column] = result.x[column] + float(option.order_units)
            else:
                lower[column] = max(lower[column], result.x[column] + float(option.order_units))
            continue
        keys["resource"] = option.source
        cell = _cell(network, network.make_lanes, keys, option.release_period)
        column = production.start + cell
        if flagged.flat[cell]:
            lower[column] = max(lower[column], moq[cell // network.months])
            upper[column] = max(upper[column], limit.flat[cell])
    return program.with_column_bounds(lower, upper)


def _try(network: SupplyNetwork, config: SupplyConfig, program: LinearProgram,
         result: SolverResult, options: pd.DataFrame) -> tuple[LinearProgram, SolverResult] | None:  # fmt: skip
    candidate = with_options(network, program, result, options)
    try:
        solved = solve_program(candidate, config.time_limit_seconds, config.mip_relative_gap)
    except SupplySolveError:
        return None
    if solved.objective < result.objective - 1e-9 * max(abs(result.objective), 1.0):
        return candidate, solved
    return None


def fixed_pattern_lp(network: SupplyNetwork, program: LinearProgram, result: SolverResult,
                     tolerance: float) -> LinearProgram:  # fmt: skip
    """The LP with a (MIP) solution's integer pattern fixed: rounded lanes' orders as solved,
    a flagged production cell that runs between its MOQ and run limit, any other at 0."""
    lp = build_program(network, "lp")
    lower, upper = lp.col_lower.copy(), lp.col_upper.copy()
    purchase = lp.columns["purchase"]
    solved = program.block(result.x, "purchase").reshape(-1, network.months)
    rounded = np.repeat(rounded_lanes(network)[:, None], network.months, axis=1)
    lower[purchase] = np.where(rounded, solved, lower[purchase].reshape(solved.shape)).ravel()
    upper[purchase] = np.where(rounded, solved, upper[purchase].reshape(solved.shape)).ravel()
    production = lp.columns["production"]
    made = program.block(result.x, "production").reshape(-1, network.months)
    flagged, limit = flag_grid(network)
    moq = network.make_lanes["min_order_qty_units"].to_numpy(dtype=float)[:, None]
    runs = flagged & (made > tolerance)
    shape = made.shape
    lower[production] = np.where(runs, moq, lower[production].reshape(shape)).ravel()
    upper[production] = np.where(flagged, np.where(runs, np.maximum(limit, made), 0.0),
                                 upper[production].reshape(shape)).ravel()  # fmt: skip
    return lp.with_column_bounds(lower, upper)


def take_paying_options(
    network: SupplyNetwork, config: SupplyConfig, program: LinearProgram, result: SolverResult
) -> tuple[LinearProgram, SolverResult, float]:
    """(program, result, extra solve seconds) after the rounds of the module docstring; a
    MIP's solution is first re-solved as the LP of its integer pattern (`fixed_pattern_lp`)."""
    seconds = 0.0
    if program.integrality.any():
        pattern = fixed_pattern_lp(network, program, result, config.quantity_tolerance_units)
        try:
            solved = solve_program(pattern, config.time_limit_seconds, config.mip_relative_gap)
        except SupplySolveError:
            return program, result, seconds
        if solved.objective > result.objective + 1e-7 * max(abs(result.objective), 1.0):
            return program, result, seconds
        program, result, seconds = pattern, solved, solved.seconds
    for _ in range(POLISH_ROUNDS):
        options = paying_options(network, program, result, config.quantity_tolerance_units)
        if options.empty:
            break
        better = _try(network, config, program, result, options)
        if better is None and len(options) > 1:
            better = _try(network, config, program, result, options.iloc[:1])
        if better is None:
            break
        program, result = better
        seconds += result.seconds
    return program, result, seconds
