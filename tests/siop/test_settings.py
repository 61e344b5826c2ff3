"""Settings come from the environment with safe defaults, and .env.example documents them all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({'engine': settings.DATABASES['default']['ENGINE'], "
    "'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'debug': settings.DEBUG}))"
)


def settings_in(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in READ_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="siop.settings")
    return subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def variables_read_by_settings() -> set[str]:
    source = (ROOT / "siop" / "settings.py").read_text()
    pattern = r'(?:os\.environ\.get|os\.getenv|env|env_bool|env_list|env_int|env_float)\(\s*"([A-Z0-9_]+)"'
    return set(re.findall(pattern, source)) | set(
        re.findall(r'os\.environ\["([A-Z0-9_]+)"\]', source)
    )


READ_VARIABLES = variables_read_by_settings()


def test_env_example_lists_every_variable_the_settings_read() -> None:
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert {"DATABASE_URL", "CELERY_BROKER_URL", "SECRET_KEY", "DEBUG"} <= READ_VARIABLES
    assert READ_VARIABLES - documented == set()


def test_without_configuration_it_runs_on_sqlite_with_eager_tasks() -> None:
    result = settings_in({})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"].endswith("sqlite3") and values["eager"] is True and values["debug"]


def test_postgresql_and_redis_are_used_when_configured() -> None:
    result = settings_in(
        {
            "DATABASE_URL": "postgres://u:p@db.example:5432/siop",
            "CELERY_BROKER_URL": "redis://cache.example:6379/0",
        }
    )
    values = json.loads(result.stdout)
    assert values["engine"].endswith("postgresql") and values["eager"] is False
    assert values["broker"] == "redis://cache.example:6379/0"


def test_secret_key_is_required_when_debug_is_off() -> None:
    refused = settings_in({"DEBUG": "false"})
    assert refused.returncode != 0 and "SECRET_KEY must be set" in refused.stderr
    accepted = settings_in({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert accepted.returncode == 0 and json.loads(accepted.stdout)["debug"] is False


def test_production_static_files_build_with_hashed_names(tmp_path) -> None:
    # Given DEBUG off (manifest storage), when collectstatic runs, then it succeeds and the
    # manifest maps the vendored grid library to a hashed file
    script = (
        "import sys, django; from django.conf import settings; django.setup(); "
        "settings.STATIC_ROOT = sys.argv[1]; from django.core.management import call_command; "
        "call_command('collectstatic', '--noinput', verbosity=0)"
    )
    clean = {k: v for k, v in os.environ.items() if k not in READ_VARIABLES}
    clean.update(DEBUG="false", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="siop.settings")
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert manifest["vendor/tabulator/tabulator.min.js"].startswith(
        "vendor/tabulator/tabulator.min."
    )
    assert (tmp_path / "css" / "siop.css.gz").exists()


CACHE_PROBE = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps(settings.CACHES['versioned']))"
)


def versioned_cache_in(env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in READ_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="siop.settings")
    result = subprocess.run(
        [sys.executable, "-c", CACHE_PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_with_workers_the_warmed_reports_are_shared_with_the_web_processes() -> None:
    # Given a Redis broker (so workers warm the accuracy report) and no VERSIONED_CACHE_URL
    broker = "redis://cache.example:6379/0"
    shared = versioned_cache_in({"CELERY_BROKER_URL": broker})
    # Then the versioned cache is that Redis, not each process's own memory
    assert shared["BACKEND"].endswith("RedisCache") and shared["LOCATION"] == broker
    app = versioned_cache_in({"CELERY_BROKER_URL": broker, "REDIS_URL": "redis://r.example/1"})
    assert app["LOCATION"] == "redis://r.example/1"
    chosen = versioned_cache_in({"CELERY_BROKER_URL": broker, "VERSIONED_CACHE_URL": "redis://v/2"})
    assert chosen["LOCATION"] == "redis://v/2"
    # And without workers (eager tasks) or with a non-Redis broker it stays per process
    assert versioned_cache_in({})["BACKEND"].endswith("LocMemCache")
    assert versioned_cache_in({"CELERY_BROKER_URL": "memory://"})["BACKEND"].endswith("LocMemCache")


def test_an_empty_versioned_cache_url_as_in_env_example_still_shares_the_warmed_answers() -> None:
    # Given a Redis broker and the .env.example line "VERSIONED_CACHE_URL=" (set, but empty)
    broker = "redis://cache.example:6379/0"
    cache = versioned_cache_in({"CELERY_BROKER_URL": broker, "VERSIONED_CACHE_URL": ""})
    # Then the versioned cache is still the shared Redis, not each process's own memory
    assert cache["BACKEND"].endswith("RedisCache") and cache["LOCATION"] == broker


SETTINGS_PROBE = (
    "import json, siop.settings as s; "
    "print(json.dumps({k: getattr(s, k) for k in dir(s) if k.isupper()}, default=str))"
)


def settings_values(env: dict[str, str]) -> dict[str, object]:
    clean = {k: v for k, v in os.environ.items() if k not in READ_VARIABLES}
    clean.update(env, DJANGO_SETTINGS_MODULE="siop.settings")
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_an_empty_redis_url_as_in_env_example_falls_back_to_the_broker() -> None:
    # Given a Redis broker and the .env.example line "REDIS_URL=" (set, but empty)
    broker = "redis://cache.example:6379/0"
    values = settings_values({"CELERY_BROKER_URL": broker, "REDIS_URL": ""})
    # Then the application's Redis (locks, counters) and the API's counters use the broker
    assert values["REDIS_URL"] == broker and values["API_REDIS_URL"] == broker


def test_every_variable_left_empty_as_in_env_example_means_its_default() -> None:
    # Given every variable the settings read set but empty (as "NAME=" lines in a .env file),
    # with and without a Redis broker
    for base in ({}, {"CELERY_BROKER_URL": "redis://cache.example:6379/0"}):
        empty = dict.fromkeys(READ_VARIABLES - set(base), "") | base
        # Then the settings start and are exactly those of the variables left unset
        assert settings_values(empty) == settings_values(base), base
