from django.urls import path

from casework.indicators import views

app_name = "indicators"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("indicators/", views.DefinitionsView.as_view(), name="definitions"),
    path("cases/", views.CasesBehindView.as_view(), name="cases-behind"),
    path("targets/", views.TargetListView.as_view(), name="targets"),
    path("export.<str:fmt>", views.ExportView.as_view(), name="export"),
    path("releases/", views.ReleaseListView.as_view(), name="releases"),
    path("releases/<str:number>/", views.ReleaseDetailView.as_view(), name="release"),
    path("mel/", views.MelPlanView.as_view(), name="mel"),
    path("mel/<uuid:uid>/", views.PlanIndicatorFormView.as_view(), name="plan-indicator"),
    path("reflections/", views.ReflectionListView.as_view(), name="reflections"),
    path("reflections/<uuid:uid>/", views.ReflectionDetailView.as_view(), name="reflection"),
]
