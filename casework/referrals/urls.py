from django.urls import path

from casework.referrals import views

app_name = "referrals"
urlpatterns = [
    # The service directory
    path("", views.ServiceListView.as_view(), name="services"),
    path("print/", views.ServicePrintView.as_view(), name="services-print"),
    path("new/", views.ServiceCreateView.as_view(), name="service-create"),
    path("<uuid:uid>/", views.ServiceDetailView.as_view(), name="service"),
    path("<uuid:uid>/edit/", views.ServiceUpdateView.as_view(), name="service-update"),
    path("<uuid:uid>/verify/", views.ServiceVerifyView.as_view(), name="service-verify"),
]
