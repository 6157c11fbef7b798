from django.urls import path

from casework.finance import views

app_name = "finance"
urlpatterns = [
    path("", views.CostsView.as_view(), name="costs"),
    path("export/<str:fmt>/", views.CostsExportView.as_view(), name="costs-export"),
    path("amounts/", views.AmountListView.as_view(), name="amounts"),
    path("amounts/import/", views.AmountImportView.as_view(), name="amount-import"),
    path(
        "amounts/<uuid:uid>/withdraw/", views.AmountWithdrawView.as_view(), name="amount-withdraw"
    ),
    path("amounts/<uuid:uid>/correct/", views.AmountCorrectView.as_view(), name="amount-correct"),
    path("detention-costs/", views.DetentionCostListView.as_view(), name="detention-costs"),
    path("projection/", views.ProjectionView.as_view(), name="projection"),
]
