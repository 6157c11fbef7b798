from django.urls import path

from casework.core import views

app_name = "core"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("jobs/<uuid:pk>/", views.JobView.as_view(), name="job"),
]
