"""Mounted under cases/ beside the cases app's own routes."""

from django.urls import path

from casework.immigration import views

app_name = "immigration"

urlpatterns = [
    path("<str:code>/procedure/", views.ProcedureEventView.as_view(), name="event-add"),
    path("<str:code>/legal-status/", views.LegalStatusView.as_view(), name="legal-status-add"),
    path("<str:code>/appointments/", views.AppointmentView.as_view(), name="appointment-add"),
    path(
        "<str:code>/appointments/<uuid:uid>/",
        views.AppointmentOutcomeView.as_view(),
        name="appointment-outcome",
    ),
]
