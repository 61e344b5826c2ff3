from django.urls import path

from executive import views, views_approval, views_monitoring

app_name = "executive"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("performance/", views_monitoring.PerformanceView.as_view(), name="performance"),
    path("health/", views_monitoring.HealthView.as_view(), name="health"),
    path("rules/", views_monitoring.RulesView.as_view(), name="rules"),
    path("exceptions/<int:exception_id>/", views.ExceptionDetailView.as_view(), name="exception"),
    path(
        "exceptions/<int:exception_id>/escalate/",
        views.EscalateView.as_view(),
        name="escalate",
    ),
    path("<int:pk>/", views.DashboardView.as_view(), name="dashboard"),
    path("<int:pk>/refresh/", views.RefreshView.as_view(), name="refresh"),
    path("<int:pk>/exceptions/", views.ExceptionListView.as_view(), name="exceptions"),
    path("<int:pk>/scenarios/<str:scenario>/", views.ScenarioView.as_view(), name="scenario"),
    path("<int:pk>/register/", views_approval.RegisterView.as_view(), name="register"),
    path(
        "<int:pk>/register/<int:entry_id>/status/",
        views_approval.EntryStatusView.as_view(),
        name="entry_status",
    ),
    path("<int:pk>/approve/", views_approval.ApproveView.as_view(), name="approve"),
    path("<int:pk>/pack/", views_approval.PackView.as_view(), name="pack"),
    path("<int:pk>/pack.xlsx", views_approval.PackXlsxView.as_view(), name="pack_xlsx"),
]
