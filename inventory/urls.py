from django.urls import path

from inventory import views

app_name = "inventory"
urlpatterns = [
    path("", views.InventoryCurrentView.as_view(), name="current"),
    path("<int:pk>/", views.InventoryReviewView.as_view(), name="review"),
    path("<int:pk>/targets/", views.TargetsUpdateView.as_view(), name="targets"),
    path("<int:pk>/settings/", views.SettingsUpdateView.as_view(), name="settings"),
    path("<int:pk>/calculate/", views.CalculateView.as_view(), name="calculate"),
    path("<int:pk>/sign-off/", views.SignOffView.as_view(), name="sign_off"),
    path(
        "<int:pk>/overrides/<int:product_id>/<int:site_id>/",
        views.OverrideView.as_view(),
        name="override",
    ),
    path(
        "<int:pk>/overrides/<int:override_pk>/delete/",
        views.OverrideDeleteView.as_view(),
        name="override_delete",
    ),
    path("runs/<int:run_pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
]
