"""URL routing: browser pages per app, Django admin, and the REST API under /api/."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("master/", include("masterdata.urls")),
    path("data/", include("datainputs.urls")),
    path("api/", include("api.urls")),
    path("inventory/", include("inventory.urls")),
    path("demand/", include("demand.urls")),
    path("supply/", include("supply.urls")),
    path("reconciliation/", include("reconciliation.urls")),
    path("", include("cycles.urls")),
]

handler400 = "siop.errors.bad_request"
handler403 = "siop.errors.forbidden"
