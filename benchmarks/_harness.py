"""Pieces shared by the HTTP benchmarks: a production-like gunicorn, signed-in sessions,
percentiles, and the resident memory of a process tree read from ``/proc``.

Used by ``pages_load.py`` and ``cycle_scale.py``; the Celery worker and the database helpers
live in ``forecast_cycle.py`` (``start_worker``, ``stop_worker``, ``ensure_database``).
"""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "siop-demo"  # demo.load.DEMO_PASSWORD, kept here so no Django import is needed

# DEBUG off with a real secret key, plain HTTP on loopback (no HTTPS-only cookies or redirect).
WEB_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_SSL_REDIRECT": "false",
}


def start_web(
    url: str, port: int, workers: int, *, broker: str | None = None, timeout: int = 30
) -> subprocess.Popen[bytes]:
    """gunicorn (``workers`` sync workers) on ``127.0.0.1:port`` in its own process group.

    ``broker`` set: the web queues tasks on it (``CELERY_BROKER_URL``); ``None`` keeps this
    process's environment. ``timeout`` is gunicorn's worker timeout in seconds (production: 120).
    Static files are collected first: DEBUG off serves the hashed manifest, as production does.
    """
    env = {**os.environ, "DATABASE_URL": url, **WEB_ENV}
    if broker is not None:
        env["CELERY_BROKER_URL"] = broker
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "siop.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--timeout", str(timeout), "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                requests.get(f"http://127.0.0.1:{port}/login/", timeout=10)
                return server
            except requests.RequestException:
                time.sleep(0.5)
        raise SystemExit("gunicorn did not start")
    except BaseException:  # not started, interrupted or failed: leave no server behind
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        raise


def signed_in(base: str, username: str, password: str = PASSWORD) -> requests.Session:
    """A session logged in through the login form (CSRF token from the page, as a browser)."""
    session = requests.Session()
    form = session.get(f"{base}/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, "no CSRF token on the login page"
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": token.group(1)},
        headers={"Referer": f"{base}/login/"},
    )
    assert "sessionid" in session.cookies, f"{username} could not sign in ({answer.status_code})"
    return session


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least ``share`` (0-1) of the
    values at or below it; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def tree_pids(root: int) -> list[int]:
    """``root`` and every descendant process alive now (from ``/proc/<pid>/stat``)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_mb(pid: int) -> float:
    """The process's resident set size now (VmRSS) in MB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssSampler(threading.Thread):
    """Samples the summed RSS (MB) of named process trees every ``interval`` seconds.

    ``peaks`` holds the highest sum seen since the last ``reset()``, ``overall`` since start;
    a sum counts pages shared after ``fork`` once per process, as ``ps`` does.
    """

    def __init__(self, roots: dict[str, int], interval: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.roots, self.interval = roots, interval
        self.peaks = dict.fromkeys(roots, 0.0)
        self.overall = dict.fromkeys(roots, 0.0)
        self._halt = threading.Event()
        self._lock = threading.Lock()

    def sample(self) -> dict[str, float]:
        return {name: sum(rss_mb(p) for p in tree_pids(pid)) for name, pid in self.roots.items()}

    def run(self) -> None:
        while not self._halt.wait(self.interval):
            self.take()

    def take(self) -> dict[str, float]:
        """One sample now, counted in the peaks (a step shorter than ``interval`` gets one)."""
        sample = self.sample()
        with self._lock:
            for name, mb in sample.items():
                self.peaks[name] = max(self.peaks[name], mb)
                self.overall[name] = max(self.overall[name], mb)
        return sample

    def reset(self) -> dict[str, float]:
        """The peaks since the last reset, then start counting afresh."""
        with self._lock:
            peaks, self.peaks = self.peaks, dict.fromkeys(self.roots, 0.0)
        return peaks

    def stop(self) -> None:
        self._halt.set()


def base_tree(base: str, name: str) -> Path:
    """A detached worktree of the commit ``base`` at ``/tmp/siop_<name>_base_<commit>``, made
    once and reused: the old code a benchmark measures next to the working tree."""
    commit = subprocess.run(["git", "rev-parse", base], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()  # fmt: skip
    tree = Path(f"/tmp/siop_{name}_base_{commit[:10]}")
    if not tree.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=ROOT,
                       check=True, capture_output=True)  # fmt: skip
    return tree
