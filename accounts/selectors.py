"""Read helpers for roles and family scoping, used by every view, service and API."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts.models import Profile
from accounts.roles import Role, role_may


def user_role(user: Any) -> str | None:
    """The user's SIOP role; superusers without a profile act as administrators."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    profile = _profile(user)
    if profile is not None:
        return profile.role
    return Role.ADMINISTRATOR.value if user.is_superuser else None


def user_may(user: Any, action: str) -> bool:
    return role_may(user_role(user), action)


def user_family_ids(user: Any) -> set[int] | None:
    """The family ids a user is limited to, or ``None`` when unrestricted."""
    profile = _profile(user)
    if profile is None:
        return None
    cache_name = "_siop_family_ids"
    if not hasattr(profile, cache_name):
        ids = set(profile.families.values_list("id", flat=True))
        setattr(profile, cache_name, ids or None)
    return getattr(profile, cache_name)


def scope_to_families(queryset: QuerySet[Any], user: Any, family_path: str) -> QuerySet[Any]:
    """Filter ``queryset`` to the user's families; ``family_path`` is the ORM path to the family id."""
    family_ids = user_family_ids(user)
    if family_ids is None:
        return queryset
    return queryset.filter(**{f"{family_path}__in": family_ids})


def _profile(user: Any) -> Profile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.siop_profile
    except Profile.DoesNotExist:
        return None
