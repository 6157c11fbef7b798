from django.urls import path

from casework.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.AuditEntryListView.as_view(), name="entry-list"),
    path("export.csv", views.AuditExportView.as_view(), name="entry-export"),
]
