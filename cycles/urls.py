from django.urls import path

from cycles import run_views, stage_views, views

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
    path("cycles/audit/", views.AuditListView.as_view(), name="audit"),
    path("cycles/<int:pk>/reschedule/", views.CycleRescheduleView.as_view(), name="reschedule"),
    path("cycles/<int:pk>/replan/", views.CycleReplanView.as_view(), name="replan"),
    path("cycles/<int:pk>/<str:kind>/", views.CycleTransitionView.as_view(), name="transition"),
]
