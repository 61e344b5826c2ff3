from django.urls import path

from reconciliation import views

app_name = "reconciliation"
S = "<int:pk>/scenarios/<int:scenario_pk>"
urlpatterns = [
    path("", views.ReconciliationCurrentView.as_view(), name="current"),
    path("<int:pk>/", views.ReviewView.as_view(), name="review"),
    path("<int:pk>/compare/", views.CompareView.as_view(), name="compare"),
    path("<int:pk>/compare.xlsx", views.CompareExportView.as_view(), name="compare_xlsx"),
    path("<int:pk>/scenarios/", views.ScenarioCreateView.as_view(), name="create"),
    path("<int:pk>/scenarios/intervals/", views.IntervalScenariosView.as_view(), name="intervals"),
    path(f"{S}/", views.ScenarioView.as_view(), name="scenario"),
    path(f"{S}/run/", views.RunView.as_view(), name="run"),
    path(f"{S}/rebase/", views.RebaseView.as_view(), name="rebase"),
    path(f"{S}/levers/", views.LeverAddView.as_view(), name="lever_add"),
    path(
        f"{S}/levers/<int:lever_pk>/remove/", views.LeverRemoveView.as_view(), name="lever_remove"
    ),
    path("<int:pk>/recommend/", views.RecommendView.as_view(), name="recommend"),
    path("<int:pk>/budget/", views.BudgetVersionView.as_view(), name="budget"),
    path("<int:pk>/sign-off/", views.SignOffView.as_view(), name="sign_off"),
    path("runs/<int:run_pk>/progress/", views.RunProgressView.as_view(), name="run_progress"),
]
