"""The cycle benchmark's printout (pure helpers only: the walk itself is never run here)."""

from __future__ import annotations

import math

from benchmarks._cycle_walk import Measured, Step
from benchmarks._harness import percentile
from benchmarks.cycle_scale import format_table, size_label


def _measured(skus: int, supply_s: float, grid_s: list[float], **extra: object) -> Measured:
    out = Measured(skus, **extra)  # type: ignore[arg-type]
    out.steps = [Step("seed_demo (RSS: the seed process)", 60.0, math.nan, 500.0),
                 Step("supply plan", supply_s, 600.0, 900.0)]  # fmt: skip
    out.requests["data: grid family rows (first paint)"] = grid_s
    out.loads = [2.0, 3.5]
    return out


def test_percentile_is_the_nearest_rank_and_nan_without_values() -> None:
    # Given ten request times of 1..10 s
    times = [float(t) for t in range(10, 0, -1)]
    # Then the median is the 5th and p95 the slowest; no requests give no figure
    assert percentile(times, 0.5) == 5.0
    assert percentile(times, 0.95) == 10.0
    assert math.isnan(percentile([], 0.95))


def test_sizes_are_named_as_the_reader_writes_them() -> None:
    assert [size_label(n) for n in (1000, 10_000, 150)] == ["1k", "10k", "150"]


def test_each_step_is_printed_side_by_side_with_its_growth_ratio() -> None:
    # Given a walk at 1k where supply took 30 s and one at 10k where it took 300 s
    small = _measured(1000, 30.0, [0.1, 0.2])
    large = _measured(10_000, 300.0, [0.5, 0.6])
    large.steps.append(Step("approval: approve the plan (request)", 4.0, 700.0, 950.0))
    # When the table is printed
    table = format_table([small, large])
    # Then the supply row shows both times, the x10 growth and both memories
    supply = next(line for line in table.splitlines() if line.startswith("supply plan"))
    assert supply.split() == [
        "supply",
        "plan",
        "30.0",
        "300.0",
        "x10.0",
        "600",
        "600",
        "900",
        "900",
    ]
    # and a step the small walk did not reach shows "-" there and no ratio
    approval = next(line for line in table.splitlines() if line.startswith("approval"))
    assert approval.split()[5:7] == ["-", "4.0"]
    assert "x" not in approval.split()[7]


def test_requests_over_two_seconds_are_flagged_and_listed_with_the_notes() -> None:
    # Given a 10k walk whose grid answered in 2.5 s once and a note on the plan size
    small = _measured(1000, 30.0, [0.1, 0.2])
    large = _measured(10_000, 300.0, [0.5, 2.5], notes=["plan JSON: 9 bytes"],
                      slow=[("data: grid family rows (first paint)", 2.5, 200)])  # fmt: skip
    # When the table is printed
    table = format_table([small, large])
    # Then the endpoint row is marked, shows p50/p95 in ms per size and the p95 ratio
    row = next(line for line in table.splitlines() if "grid family rows" in line)
    assert row.startswith("!data: grid family rows")
    assert row.split()[-5:] == ["100", "500", "200", "2,500", "x12.5"]
    # and the slow request, the load average and the note are listed under the 10k walk
    assert "over 2 s: data: grid family rows (first paint) 2.50 s (HTTP 200)" in table
    assert "10k: load average (1 min) 2.0-3.5" in table
    assert "plan JSON: 9 bytes" in table


def test_a_step_faster_than_the_walk_s_poll_at_the_base_size_gets_no_growth_ratio() -> None:
    from benchmarks.cycle_scale import RATIO_FLOOR_S, ratio

    # Given a step the walk saw done at its first poll at 1k (0.01 s) and 2.1 s at 10k
    # When its ratio is printed
    # Then it names the poll's floor instead of a x210 growth no clock measured
    assert ratio(0.01, 2.1, RATIO_FLOOR_S) == "(<0.25 s)"
    assert ratio(1.0, 9.5, RATIO_FLOOR_S) == "x9.5"
