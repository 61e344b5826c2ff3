"""Apps that recompute from a built plan (the executive's facts) are told after every build."""

from __future__ import annotations

from cycles import plan_build


def test_every_follower_hears_of_the_build_and_a_failing_one_does_not_stop_the_others() -> None:
    # Given two followers of the plan build, the first of which fails
    heard: list[int] = []

    def broken(cycle_id: int) -> None:
        raise RuntimeError("broker down")

    saved = list(plan_build._AFTER_BUILD)
    plan_build._AFTER_BUILD[:] = []
    try:
        plan_build.register_after_build(broken)
        plan_build.register_after_build(heard.append)
        # When a plan is built for cycle 7
        plan_build._after_build(7)
    finally:
        plan_build._AFTER_BUILD[:] = saved
    # Then the second still hears of it, and the build itself raised nothing
    assert heard == [7]


def test_the_executive_dashboard_refreshes_after_every_plan_build() -> None:
    from executive import tasks

    assert tasks.after_build in plan_build._AFTER_BUILD
