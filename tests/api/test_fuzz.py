"""Schema-driven fuzz (schemathesis + hypothesis) of every operation: no answer is a 5xx.

Runs as an administrator-scoped token (every write allowed, so bodies reach the validators and
the PostgreSQL fast path) and as an ERP token. The number of generated cases is printed.
"""

from __future__ import annotations

import contextlib

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from accounts.roles import Role
from api.tokens import client_create
from siop.wsgi import application

EXAMPLES_PER_OPERATION = 25


def _token(name: str, role: Role) -> str:
    client, token = client_create(name)
    client.user.siop_profile.role = role
    client.user.siop_profile.save()
    return token


@pytest.fixture
def keep_test_connection():  # type: ignore[no-untyped-def]
    """The raw WSGI handler closes the DB connection per request, which would end the test's
    transaction; detach that (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
def test_fuzz_every_operation_finds_no_server_error(
    master, cycle, capsys, keep_test_connection
) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    tokens = {
        "admin": _token("fuzz-admin", Role.ADMINISTRATOR),
        "erp": _token("fuzz-erp", Role.ERP),
    }
    counter = [0]
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    for operation in operations:
        for who, token in tokens.items():
            with contextlib.suppress(Unsatisfiable):
                _fuzz(operation, who, token, failures, counter)
    cases = counter[0]
    with capsys.disabled():
        print(f"\nfuzz: {len(operations)} operations, {cases} cases, {len(failures)} server errors")
    assert failures == []
    assert cases >= len(operations) * 2 * 10


def _fuzz(operation, who: str, token: str, failures: list[str], counter: list[int]) -> None:  # type: ignore[no-untyped-def]
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:  # type: ignore[no-untyped-def]
        counter[0] += 1
        savepoint = transaction.savepoint()  # a failing case must not poison the next ones
        try:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
        finally:
            transaction.savepoint_rollback(savepoint)
        if response.status_code >= 500:
            failures.append(f"{who} {case.method} {case.formatted_path}: {response.status_code}")

    run()
