"""Admin for ERP clients: create (token shown once), rotate and revoke."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from api.models import ApiClient, IdempotencyRecord, PlanRendition
from api.tokens import DEFAULT_DAYS, client_create, client_revoke, client_rotate
from siop.admin_readonly import register_read_only


class ApiClientForm(forms.ModelForm):
    days = forms.IntegerField(initial=DEFAULT_DAYS, min_value=1, help_text="Token lifetime.")

    class Meta:
        model = ApiClient
        fields = ["name"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "token_prefix", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = [
        "user",
        "token_prefix",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    actions = ["rotate_tokens", "revoke_tokens"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ApiClientForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else [*self.readonly_fields, "name"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["name", "days"] if obj is None else ["name", *self.readonly_fields]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            return
        client, token = client_create(form.cleaned_data["name"], form.cleaned_data["days"])
        obj.pk = client.pk
        obj.__dict__.update(ApiClient.objects.get(pk=client.pk).__dict__)
        messages.warning(request, f"Token for {client.name} (shown only now): {token}")

    @admin.action(description="Rotate token (shows the new token once)")
    def rotate_tokens(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            messages.warning(request, f"New token for {client.name}: {client_rotate(client)}")

    @admin.action(description="Revoke token")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            client_revoke(client)
        messages.success(request, f"Revoked {queryset.count()} client token(s).")


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["key", "user", "request_path", "state", "status_code", "created_at"]
    list_filter = ["state"]


# Rendered once from the immutable approved plan (``api.renditions``).
register_read_only([PlanRendition])
