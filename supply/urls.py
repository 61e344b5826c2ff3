from django.urls import path

from supply import views, views_grid

app_name = "supply"
urlpatterns = [
    path("", views.SupplyCurrentView.as_view(), name="current"),
    path("<int:pk>/", views.SupplyReviewView.as_view(), name="review"),
    path("<int:pk>/gaps/", views.GapsView.as_view(), name="gaps"),
    path("<int:pk>/plan/", views.PlanView.as_view(), name="plan"),
    path("<int:pk>/grid/", views_grid.PlanGridView.as_view(), name="grid"),
    path("<int:pk>/grid/data/", views_grid.PlanGridDataView.as_view(), name="grid_data"),
    path("<int:pk>/grid/export/", views_grid.PlanGridExportView.as_view(), name="grid_export"),
    path("<int:pk>/firm/", views.FirmOrderView.as_view(), name="firm"),
    path("<int:pk>/firm/<int:firm_pk>/release/", views.FirmReleaseView.as_view(), name="release"),
    path("<int:pk>/overtime/", views.OvertimeView.as_view(), name="overtime"),
    path("<int:pk>/sign-off/", views.SignOffView.as_view(), name="sign_off"),
    path("runs/<int:run_pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
]
