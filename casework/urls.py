"""Casework's URL map. Every route here is covered by tests/test_permission_matrix.py."""

from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("casework.core.urls")),
    path("account/", include("casework.accounts.urls")),
    path("audit/", include("casework.audit.urls")),
    path("cases/", include("casework.cases.urls")),
    path("cases/", include("casework.immigration.urls")),
    path("cases/", include("casework.referrals.case_urls")),
    path("", include("casework.assessments.urls")),
    path("evidence/", include("casework.indicators.urls")),
    path("finance/", include("casework.finance.urls")),
    path("network/", include("casework.network.urls")),
    path("people/", include("casework.people.urls")),
    path("services/", include("casework.referrals.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("", include("casework.api.urls")),
]

# Under /api/ these answer in JSON (casework.core.api.errors); elsewhere Django's pages.
handler400 = "casework.core.api.errors.bad_request"
handler404 = "casework.core.api.errors.page_not_found"
handler500 = "casework.core.api.errors.server_error"
