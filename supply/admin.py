"""Admin: the supply review's tables, read-only (changes go through supply.services, audited)."""

from __future__ import annotations

from django.apps import apps

from siop.admin_readonly import register_read_only

register_read_only(apps.get_app_config("supply").get_models())
