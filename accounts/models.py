"""A profile per user carrying the SIOP role and the optional product-family scope."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.roles import Role


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="siop_profile"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    families = models.ManyToManyField(
        "masterdata.ProductFamily",
        blank=True,
        related_name="scoped_profiles",
        help_text="Leave empty to see every family; otherwise the user sees and edits only these.",
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"
