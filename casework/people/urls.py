from django.urls import path

from casework.people import views

app_name = "people"

urlpatterns = [
    path("<str:code>/edit/", views.PersonEditView.as_view(), name="person-update"),
    path("<str:code>/household/", views.HouseholdMemberView.as_view(), name="household-add"),
]
