"""A web worker imports its views while it boots, so its first user does not wait for them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, sys; import siop.wsgi; "
    "print(json.dumps(sorted(m for m in sys.modules if m.endswith('.views'))))"
)
STAGE_VIEWS = {
    "demand.views", "supply.views", "inventory.views", "reconciliation.views",
    "executive.views", "datainputs.views", "cycles.views",
}  # fmt: skip


def test_a_booted_web_worker_holds_every_stage_s_views_before_its_first_request() -> None:
    # Given a new web process (what gunicorn imports in each worker)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "siop.settings"}
    # When it has loaded the WSGI application, before any request
    probe = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    # Then every stage's views are imported already
    assert probe.returncode == 0, probe.stderr
    assert set(json.loads(probe.stdout.strip().splitlines()[-1])) >= STAGE_VIEWS
