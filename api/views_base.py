"""The one base every API view uses: token or session auth, role check, size and rate limits,
and a log line for every refused request."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework import exceptions, pagination
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.limits import ClientRateThrottle, PayloadTooLarge, check_body_size
from api.security import BearerTokenAuthentication, RoleAction, log_refusal

REFUSALS = (
    exceptions.NotAuthenticated,
    exceptions.AuthenticationFailed,
    exceptions.PermissionDenied,
    exceptions.Throttled,
    DjangoPermissionDenied,
    PayloadTooLarge,
)


class ApiPagination(pagination.PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 10_000


class ApiView(APIView, ABC):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [RoleAction]
    throttle_classes = [ClientRateThrottle]

    @abstractmethod
    def required_action(self, request: Request) -> str:
        """The role-matrix action this request needs (each endpoint names its own)."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        check_body_size(request)
        if request.method in ("POST", "PUT", "PATCH"):
            # Read the (size-checked) body once, first: a session's CSRF check parses request
            # data, after which Django refuses ``request.body`` (which idempotency hashes).
            request._request.body  # noqa: B018
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, REFUSALS):
            status = getattr(exc, "status_code", 403)
            log_refusal(self.request, status, f"{type(exc).__name__}: {exc}")
        return super().handle_exception(exc)
