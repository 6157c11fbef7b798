from django.urls import path

from casework.people import views

app_name = "people"

urlpatterns = [
    path("<str:code>/edit/", views.PersonEditView.as_view(), name="person-update"),
    path("<str:code>/household/", views.HouseholdMemberView.as_view(), name="household-add"),
    path("<str:code>/rights/", views.RightsView.as_view(), name="rights"),
    path(
        "<str:code>/rights/export.<str:fmt>",
        views.SubjectAccessView.as_view(),
        name="subject-access",
    ),
    path("<str:code>/erase/", views.ErasureView.as_view(), name="erase"),
]
