"""The API's routes: one router, each app's viewsets registered here."""

from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from casework.accounts import api as accounts_api
from casework.assessments import api as assessments_api
from casework.cases import api as cases_api
from casework.core.api.jobs import JobViewSet
from casework.finance import api as finance_api
from casework.indicators import api as indicators_api
from casework.network import api as network_api
from casework.people import api as people_api
from casework.referrals import api as referrals_api

router = DefaultRouter()
router.register("me/tokens", accounts_api.MyTokenViewSet, basename="me-token")
router.register("organisations", accounts_api.OrganisationViewSet, basename="organisation")
router.register("persons", people_api.PersonViewSet, basename="person")
router.register("households", people_api.HouseholdViewSet, basename="household")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("indicators", indicators_api.IndicatorViewSet, basename="indicator")
router.register("releases", indicators_api.ReleaseViewSet, basename="release")
router.register("mel/reflections", indicators_api.ReflectionViewSet, basename="reflection")
router.register("mel", indicators_api.MelViewSet, basename="mel")
router.register("jobs", JobViewSet, basename="job")
router.register("budgets", finance_api.BudgetViewSet, basename="budget")
router.register("detention-costs", finance_api.DetentionCostViewSet, basename="detention-cost")
router.register("forms", assessments_api.FormViewSet, basename="form")
router.register("stakeholders", network_api.StakeholderViewSet, basename="stakeholder")
router.register("activities", network_api.ActivityViewSet, basename="activity")
router.register("expansion", network_api.ExpansionViewSet, basename="expansion")
router.register("risks", network_api.RiskViewSet, basename="risk")
router.register("glossary", network_api.GlossaryViewSet, basename="term")
router.register("services", referrals_api.ServiceViewSet, basename="service")
router.register(
    r"cases/(?P<case_code>[^/.]+)/submissions",
    assessments_api.CaseSubmissionViewSet,
    basename="case-submission",
)
router.register("referrals", referrals_api.ReferralViewSet, basename="referral")
router.register(
    r"cases/(?P<case_code>[^/.]+)/referrals",
    referrals_api.CaseReferralViewSet,
    basename="case-referral",
)

v1: list[URLPattern | URLResolver] = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("costs/", finance_api.CostView.as_view(), name="costs"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include((v1, "api"), namespace="api")),
    # The schema and its docs describe the API's shape only, never data: open to all.
    path(
        "api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="api-schema"
    ),
    path(
        "api/docs/",
        # Split: the page loads its script from a URL, so the CSP needs no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
]
