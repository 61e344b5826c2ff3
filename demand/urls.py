from django.urls import path

from demand import pages, views

app_name = "demand"
urlpatterns = [
    path("", views.DemandHomeView.as_view(), name="home"),
    path("cycles/<int:pk>/", views.ReviewView.as_view(), name="review"),
    path("cycles/<int:pk>/grid.json", views.GridDataView.as_view(), name="grid"),
    path("cycles/<int:pk>/overrides/", views.OverridesSaveView.as_view(), name="save"),
    path("cycles/<int:pk>/runs/", views.RunStartView.as_view(), name="run_start"),
    path("cycles/<int:pk>/sign-off/", views.SignOffView.as_view(), name="sign_off"),
    path("cycles/<int:pk>/chart.json", pages.ChartDataView.as_view(), name="chart"),
    path("cycles/<int:pk>/export.xlsx", pages.ExportView.as_view(), name="export"),
    path("cycles/<int:pk>/upload/", pages.UploadView.as_view(), name="upload"),
    path("cycles/<int:pk>/events/", pages.EventsView.as_view(), name="events"),
    path(
        "cycles/<int:pk>/events/<int:event_id>/delete/",
        pages.EventDeleteView.as_view(),
        name="event_delete",
    ),
    path("cycles/<int:pk>/carried/", pages.CarriedView.as_view(), name="carried"),
    path("cycles/<int:pk>/new-products/", pages.NewProductsView.as_view(), name="new_products"),
    path("accuracy/", pages.AccuracyView.as_view(), name="accuracy"),
    path("runs/<int:run_id>/", views.RunProgressView.as_view(), name="run_progress"),
    path("runs/<int:run_id>/retry/", views.RunRetryView.as_view(), name="run_retry"),
]
