"""The forms library under forms/, and filling forms under a case."""

from django.urls import path

from casework.assessments import views

app_name = "assessments"

urlpatterns = [
    path("forms/", views.FormListView.as_view(), name="form-list"),
    path("forms/upload/", views.FormUploadView.as_view(), name="form-upload"),
    path("forms/<int:pk>/", views.FormDetailView.as_view(), name="form-detail"),
    path(
        "forms/<int:pk>/versions/<int:number>/xlsform/",
        views.FormExportView.as_view(),
        name="form-export",
    ),
    path(
        "forms/<int:pk>/submissions.<str:fmt>",
        views.SubmissionExportView.as_view(),
        name="submission-export",
    ),
    path("cases/<str:code>/forms/new/", views.NewSubmissionView.as_view(), name="fill"),
    path("cases/<str:code>/forms/<uuid:uid>/", views.SubmissionView.as_view(), name="submission"),
    path("cases/<str:code>/forms/check/<int:version>/", views.CheckView.as_view(), name="check"),
]
