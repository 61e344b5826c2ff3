"""Admin: the demand review's tables, read-only (changes go through demand.services, audited)."""

from __future__ import annotations

from django.apps import apps

from cycles.run_admin import register_run_admins
from siop.admin_readonly import register_read_only

register_run_admins("demand")  # read-only, with a Cancel action
register_read_only(apps.get_app_config("demand").get_models())
