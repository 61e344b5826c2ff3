"""URL routing: browser pages per app, Django admin, and the REST API under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path

from accounts.landing import landing


def favicon(request: HttpRequest) -> HttpResponse:
    """The site icon (static/favicon.svg), resolved per request (hashed name in production)."""
    return redirect(static("favicon.svg"), permanent=True)


urlpatterns = [
    path("admin/", admin.site.urls),
    # browsers ask for /favicon.ico on pages without the base template's icon link (admin, API)
    path("favicon.ico", favicon),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("master/", include("masterdata.urls")),
    path("data/", include("datainputs.urls")),
    path("api/", include("api.urls")),
    path("inventory/", include("inventory.urls")),
    path("demand/", include("demand.urls")),
    path("supply/", include("supply.urls")),
    path("reconciliation/", include("reconciliation.urls")),
    path("executive/", include("executive.urls")),
    path("home/", landing, name="landing"),
    path("", include("cycles.urls")),
]

handler400 = "siop.errors.bad_request"
handler403 = "siop.errors.forbidden"
