from django.urls import path

from cycles import export_views, run_views, stage_views, views

app_name = "cycles"
urlpatterns = [
    path("", views.CycleCurrentView.as_view(), name="current"),
    path("cycles/", views.CycleListView.as_view(), name="list"),
    path("cycles/open/", views.CycleOpenView.as_view(), name="open"),
    path("cycles/<int:pk>/", views.CycleDetailView.as_view(), name="detail"),
    path(
        "runs/<str:kind>/<int:run_pk>/cancel/",
        run_views.RunCancelView.as_view(),
        name="run_cancel",
    ),
    path(
        "runs/<str:kind>/<int:run_pk>/retry/",
        run_views.RunRetryView.as_view(),
        name="run_retry",
    ),
    path(
        "sign-offs/<int:run_pk>/",
        stage_views.SignOffProgressView.as_view(),
        name="sign_off_progress",
    ),
    path("exports/<int:run_pk>/", export_views.ExportView.as_view(), name="export"),
    path(
        "exports/<int:run_pk>/progress/",
        export_views.ExportProgressView.as_view(),
        name="export_progress",
    ),
    path(
        "exports/<int:run_pk>/download/",
        export_views.ExportDownloadView.as_view(),
        name="export_download",
    ),
    path(
        "exports/<int:run_pk>/retry/", export_views.ExportRetryView.as_view(), name="export_retry"
    ),
    path("cycles/audit/", views.AuditListView.as_view(), name="audit"),
    path("cycles/<int:pk>/reschedule/", views.CycleRescheduleView.as_view(), name="reschedule"),
    path("cycles/<int:pk>/replan/", views.CycleReplanView.as_view(), name="replan"),
    path("cycles/<int:pk>/<str:kind>/", views.CycleTransitionView.as_view(), name="transition"),
]
