"""Manage ERP API clients: ``create NAME [--days N]``, ``rotate NAME``, ``revoke NAME``, ``list``.

The token is printed once (only its hash is stored).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from api.models import ApiClient
from api.tokens import DEFAULT_DAYS, client_create, client_revoke, client_rotate


class Command(BaseCommand):
    help = "Create, rotate, revoke or list ERP API clients (one hashed token per client)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "rotate", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="Token lifetime")

    def handle(self, *args: Any, action: str, name: str, days: int, **options: Any) -> None:
        if action == "list":
            for client in ApiClient.objects.all():
                state = "active" if client.is_active else "inactive"
                self.stdout.write(
                    f"{client.name}\t{client.token_prefix}…\t{client.expires_at:%Y-%m-%d}\t{state}"
                )
            return
        if not name:
            raise CommandError("Give the client name.")
        if action == "create":
            if ApiClient.objects.filter(name=name).exists():
                raise CommandError(f"Client '{name}' exists; use rotate.")
            _client, token = client_create(name, days)
            self.stdout.write(token)
            return
        found = ApiClient.objects.filter(name=name).first()
        if found is None:
            raise CommandError(f"No client named '{name}'.")
        if action == "rotate":
            self.stdout.write(client_rotate(found, days))
        else:
            client_revoke(found)
            self.stdout.write(f"Revoked {name}.")
