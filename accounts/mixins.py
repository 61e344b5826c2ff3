"""View mixin enforcing the role matrix on the server for every request."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from accounts.roles import Role
from accounts.selectors import user_may, user_role


class RoleRequiredMixin(LoginRequiredMixin):
    """Deny (403) unless the signed-in user's role may perform ``required_action``."""

    required_action: str = "view_planning"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        # Machine clients (the ERP role) use the REST API only, never the browser pages.
        if user_role(request.user) == Role.ERP or not user_may(
            request.user, self.get_required_action()
        ):
            raise PermissionDenied("Your role may not do this.")
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def get_required_action(self) -> str:
        return self.required_action
