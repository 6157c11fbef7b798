from django.urls import path

from casework.people import views

app_name = "people"

urlpatterns = [
    path("<str:code>/consent/", views.ConsentView.as_view(), name="consent-add"),
    path(
        "<str:code>/consent/<int:pk>/withdraw/",
        views.WithdrawConsentView.as_view(),
        name="consent-withdraw",
    ),
]
