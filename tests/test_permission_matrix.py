"""Every URL pattern and API route, tried by every kind of caller.

Each route declares who may use it; the test derives what everyone else must get:
anonymous → the login page (web) or 401 (API); a role without the capability → 403; the
right role in the wrong organisation → 404, exactly like a row that does not exist.
A new URL that is not declared in ROUTES fails `test_every_route_is_covered`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casework.people.identity import IdentityData
from casework.testing.personas import World

ORG_STAFF = {"amina", "sam", "olga"}  # Alpha's staff: the allowed organisation
NETWORK = {"nora", "eva", "otto"}
EVERYONE = ORG_STAFF | NETWORK | {"boris", "nadia"}
CALLERS = ["anonymous", *sorted(EVERYONE)]


@dataclass(frozen=True)
class Route:
    allowed: set[str]
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    method: str = "get"
    anonymous: int | None = None  # what an anonymous caller gets; None: sent to log in
    object_of_alpha: bool = False  # boris (Beta's admin) must get 404, not 403
    ok: int = 200
    data: dict[str, Any] = field(default_factory=dict)


def _alpha_membership(w: World) -> dict[str, Any]:
    return {"uid": w.amina.memberships.get().uid}


NO_TOKEN = {"pk": "00000000-0000-4000-8000-000000000000"}  # nobody's token: a 404 for all


def amina_token(w: World) -> dict[str, Any]:
    """Amina's membership and an API token of hers (made once per world)."""
    cache = vars(w)
    if "_token" not in cache:
        from casework.accounts.services import issue_api_token

        cache["_token"], _secret = issue_api_token(w.amina, name="matrix")
    return {**_alpha_membership(w), "token": cache["_token"].pk}


def released(w: World) -> Any:
    """The release network roles read (built once per world, for last year)."""
    cache = vars(w)
    if "_release" not in cache:
        from django.utils import timezone

        from casework.core import releases

        cache["_release"] = releases.build(periods=[str(timezone.localdate().year - 1)])
    return cache["_release"]


def a_job(w: World) -> dict[str, Any]:
    """A release build waiting for the worker (made once per world)."""
    cache = vars(w)
    if "_job" not in cache:
        from casework.core.models import Job

        cache["_job"] = Job.objects.create(kind="release.build", requested_by=w.nora)
    return {"pk": cache["_job"].pk}


def alpha_records(w: World) -> dict[str, Any]:
    """A case of Alpha with one of everything hanging off it (made once per world)."""
    cache = vars(w)
    if "_records" not in cache:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from casework.assessments.services import import_form, submit
        from casework.cases.services import (
            add_goal,
            add_task,
            attach_document,
            request_transition,
            transition,
        )
        from casework.cases.tests.conftest import REFERRED, new_case
        from casework.immigration.services import schedule_appointment
        from casework.people.services import create_household, record_consent, update_identity

        w.alpha.closure_needs_approval = True
        w.alpha.save()
        case = transition(new_case(w), "screening", on=REFERRED, intake_date=REFERRED)
        update_identity(case.person, IDENTITY)
        approval = request_transition(
            case, "closed", on=REFERRED, exit_reason="withdrew", by=w.amina
        )
        form = import_form(FORM, "matrix.md")
        cache["_records"] = {
            "case": case,
            "form": form,
            "submission": submit(case, form, {"why": "Because"}, by=w.amina),
            "goal": add_goal(case, domain="legal", description="Find a lawyer"),
            "task": add_task(case, title="Call", due_on=REFERRED),
            "approval": approval,
            "appointment": schedule_appointment(case, "reporting", on=REFERRED),
            "household": create_household(w.alpha),
            "document": attach_document(
                case, SimpleUploadedFile("letter.pdf", b"%PDF-1.4 test"), kind="decision"
            ),
            "consent": record_consent(
                case.person,
                purpose="case_management",
                given_on=REFERRED,
                method="verbal",
                language="en",
            ),
        }
        from casework.referrals.services import refer_case

        cache["_records"]["referral"] = refer_case(
            case, by=w.amina, provider="Ghent Night Shelter", service_type="shelter", reason="Why"
        )
    return cache["_records"]


def alpha_network(w: World) -> dict[str, Any]:
    """A stakeholder (an ally in Belgium) with a contact person, an activity and a city in
    the expansion pipeline, recorded by Alpha's admin (made once per world)."""
    cache = vars(w)
    if "_network" not in cache:
        import datetime as dt

        from casework.network import services

        ally = services.save_stakeholder(
            w.olga,
            name="Ghent city council",
            kind="city",
            country="BE",
            city="Ghent",
            level="local",
            relationship="ally",
        )
        contact = services.add_contact(w.olga, ally, name="A. Official", consented=True)
        activity = services.save_activity(
            w.olga, kind="meeting", title="First meeting", on=dt.date(2025, 3, 1)
        )
        place = services.save_expansion(w.olga, place_kind="city", country="BE", city="Antwerp")
        cache["_network"] = {"ally": ally, "contact": contact, "activity": activity, "place": place}
    return cache["_network"]


def alpha_service(w: World) -> dict[str, Any]:
    """A legal-aid service in Ghent kept by Alpha (added by its supervisor; made once per
    world)."""
    cache = vars(w)
    if "_service" not in cache:
        from casework.referrals.services import save_service

        cache["_service"] = save_service(
            w.sam,
            provider="Ghent Legal Aid Desk",
            service_type="legal_aid",
            country="BE",
            city="Ghent",
            languages=["nl", "en"],
            serves_undocumented=True,
        )
    return {"uid": cache["_service"].uid}


def network_risk(w: World) -> dict[str, Any]:
    """A risk of the register (seeded by the migrations; made if a flush took it away)."""
    from casework.network import services
    from casework.network.models import Risk

    risk = Risk.objects.order_by("pk").first() or services.save_risk(
        w.nora, area="goal", risk="Lack of funding", mitigation="Diverse funders"
    )
    return {"uid": risk.uid}


def network_term(w: World) -> dict[str, Any]:
    from casework.network import services
    from casework.network.models import Term

    term = Term.objects.filter(slug="firewall").first() or services.save_term(
        w.nora, slug="firewall", term="Firewall", definition="No data to enforcement."
    )
    return {"slug": term.slug}


def feedback_form(w: World) -> dict[str, Any]:
    """The network's feedback questionnaire, loaded from the form library (no kwargs)."""
    from casework.assessments.services import STANDARD_DIR, import_form
    from casework.network.services import feedback_form as loaded

    if loaded() is None:
        path = STANDARD_DIR / "casework_network_feedback.xlsx"
        import_form(path.read_bytes(), path.name)
    return {}


def plan_row(w: World) -> dict[str, Any]:
    """An indicator of the MEL plan (seeded by the migrations; made if a flush took it)."""
    from casework.indicators.models import Outcome, PlanIndicator

    row = PlanIndicator.objects.order_by("pk").first()
    if row is None:
        outcome = Outcome.objects.create(position=1, title="Expansion")
        row = PlanIndicator.objects.create(outcome=outcome, position=1, wording="New cities")
    return {"uid": row.uid}


def a_reflection(w: World) -> dict[str, Any]:
    """A six-month reflection of the network (made once per world)."""
    cache = vars(w)
    if "_reflection" not in cache:
        from django.utils import timezone

        from casework.indicators.services import record_reflection

        cache["_reflection"] = record_reflection(
            w.nora, held_on=timezone.localdate(), relevance="Relevant", progress="On track"
        )
    return {"uid": cache["_reflection"].uid}


def network_row(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"uid": alpha_network(w)[name].uid}


def network_api_row(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: {"id": alpha_network(w)[name].uid}


def alpha_amount(w: World) -> dict[str, Any]:
    """A spending line of Alpha's project (made once per world)."""
    cache = vars(w)
    if "_amount" not in cache:
        from casework.finance.services import record_amount

        cache["_amount"] = record_amount(
            w.sam,
            project=w.alpha_project,
            kind="spent",
            period="2025",
            category="staff",
            amount="1000",
            source="foundation",
        )
    return {"uid": cache["_amount"].uid}


def case_kwargs(w: World) -> dict[str, Any]:
    return {"code": alpha_records(w)["case"].code}


def child_kwargs(name: str, key: str = "uid") -> Callable[[World], dict[str, Any]]:
    """A row of the case, by its random uid (by its id only where it has none)."""
    return lambda w: {
        "code": alpha_records(w)["case"].code,
        key: getattr(alpha_records(w)[name], key),
    }


def form_kwargs(w: World) -> dict[str, Any]:
    return {"pk": alpha_records(w)["form"].form_id}


def submission_kwargs(w: World) -> dict[str, Any]:
    return {"code": alpha_records(w)["case"].code, "uid": alpha_records(w)["submission"].uid}


def person_kwargs(w: World) -> dict[str, Any]:
    return {"code": alpha_records(w)["case"].person.code}


def household_kwargs(w: World) -> dict[str, Any]:
    return {"code": alpha_records(w)["household"].code}


FORM = b"""
| survey |
|        | type | name | label |
|        | text | why  | Why?  |
"""

IDENTITY = IdentityData(
    given_names="Xanthippe", family_name="Quorra", phone="+32 555 0199", file_numbers=["QX-77"]
)
IDENTITY_VALUES = ["Xanthippe", "Quorra", "555 0199", "QX-77"]
WORKERS = ORG_STAFF | {"boris"}  # may work on cases, in their own organisation
SUPERVISORS = {"sam", "olga"}
DIRECTORY = ORG_STAFF | {"boris", "nora", "eva"}
BUILDING = {"olga", "boris", "nora", "eva"}
RECORDERS = {"olga", "boris", "nora"}
SERVICE_READERS = ORG_STAFF | {"boris", "nora", "eva"}  # services.view
SERVICE_KEEPERS = SUPERVISORS | {"boris", "nora"}  # services.manage


def case_action(allowed: set[str] = ORG_STAFF, kwargs: Callable = case_kwargs) -> Route:
    return Route(allowed, kwargs=kwargs, method="post", ok=302, object_of_alpha=True)


ROUTES: dict[str, Route] = {
    "core:home": Route(EVERYONE),
    "accounts:login": Route(EVERYONE, anonymous=200, ok=302),  # logged in: sent home
    "accounts:logout": Route(EVERYONE, method="post", anonymous=302, ok=302),
    "accounts:password-change": Route(EVERYONE),
    # Nobody in the matrix has a second factor: setting one up is open to all, and the
    # second step of signing in sends them there.
    "accounts:two-factor-setup": Route(EVERYONE),
    "accounts:two-factor-verify": Route(EVERYONE, ok=302),
    "accounts:switch": Route(EVERYONE, method="post", ok=302),
    "accounts:tokens": Route(EVERYONE),
    # One's own tokens only: anybody else's is not found, like one that does not exist.
    "accounts:token-revoke": Route(EVERYONE, kwargs=lambda w: NO_TOKEN, ok=404),
    "accounts:organisation-list": Route(EVERYONE - {"nadia"}),
    "accounts:organisation-detail": Route(
        ORG_STAFF | NETWORK, kwargs=lambda w: {"slug": w.alpha.slug}, object_of_alpha=True
    ),
    "accounts:organisation-update": Route(
        {"olga"}, kwargs=lambda w: {"slug": w.alpha.slug}, object_of_alpha=True
    ),
    "accounts:site-create": Route({"olga", "boris"}),
    "accounts:site-update": Route(
        {"olga"}, kwargs=lambda w: {"pk": w.alpha_site.pk}, object_of_alpha=True
    ),
    "accounts:project-create": Route({"olga", "boris"}),
    "accounts:project-update": Route(
        {"olga"}, kwargs=lambda w: {"pk": w.alpha_project.pk}, object_of_alpha=True
    ),
    "accounts:member-list": Route(ORG_STAFF | {"boris"}),
    "accounts:member-create": Route({"olga", "boris"}),
    "accounts:member-detail": Route(ORG_STAFF, kwargs=_alpha_membership, object_of_alpha=True),
    "accounts:member-update": Route({"olga"}, kwargs=_alpha_membership, object_of_alpha=True),
    "accounts:member-two-factor-reset": Route(
        {"olga"}, kwargs=_alpha_membership, method="post", ok=302, object_of_alpha=True
    ),
    "accounts:member-token-revoke": Route(
        {"olga"}, kwargs=amina_token, method="post", ok=302, object_of_alpha=True
    ),
    "accounts:member-unlock": Route(
        {"olga"}, kwargs=_alpha_membership, method="post", ok=302, object_of_alpha=True
    ),
    "cases:case-list": Route(WORKERS),
    "cases:register": Route(WORKERS),
    "cases:reassign": Route(SUPERVISORS | {"boris"}, method="post", ok=302),
    "cases:case-detail": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "cases:case-update": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "cases:transition": case_action(),
    "cases:reopen": case_action(),
    "cases:engagement": case_action(),
    "cases:contact-add": case_action(),
    "cases:goal-add": case_action(),
    "cases:goal-status": case_action(kwargs=child_kwargs("goal")),
    "cases:task-add": case_action(),
    "cases:task-done": case_action(kwargs=child_kwargs("task")),
    "cases:approval": case_action(SUPERVISORS, kwargs=child_kwargs("approval")),
    "cases:document-add": case_action(),
    "cases:document-download": Route(
        ORG_STAFF, kwargs=child_kwargs("document"), object_of_alpha=True
    ),
    "immigration:event-add": case_action(),
    "immigration:legal-status-add": case_action(),
    "immigration:appointment-add": case_action(),
    "immigration:appointment-outcome": case_action(kwargs=child_kwargs("appointment")),
    # A case's referrals: like its other records (the letter names the person only under
    # their consent to share with the provider).
    "case-referrals:referral-add": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "case-referrals:referral-detail": Route(
        ORG_STAFF, kwargs=child_kwargs("referral"), object_of_alpha=True
    ),
    "case-referrals:letter": Route(
        ORG_STAFF, kwargs=child_kwargs("referral"), object_of_alpha=True
    ),
    "case-referrals:letter-pdf": Route(
        ORG_STAFF, kwargs=child_kwargs("referral"), object_of_alpha=True
    ),
    "cases:merge": Route(SUPERVISORS | {"boris"}),
    "people:person-update": Route(ORG_STAFF, kwargs=person_kwargs, object_of_alpha=True),
    "people:household-add": Route(ORG_STAFF, kwargs=person_kwargs, object_of_alpha=True),
    "people:rights": Route({"olga"}, kwargs=person_kwargs, object_of_alpha=True),
    "people:subject-access": Route(
        {"olga"}, kwargs=lambda w: {**person_kwargs(w), "fmt": "json"}, object_of_alpha=True
    ),
    "people:erase": Route({"olga"}, kwargs=person_kwargs, object_of_alpha=True),
    "cases:consent-add": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "cases:consent-withdraw": case_action(kwargs=child_kwargs("consent", "pk")),
    "assessments:form-list": Route(EVERYONE - {"nadia"}),
    # No file given: the page says so and goes back to the list.
    "assessments:form-upload": Route({"olga", "boris", "nora"}, method="post", ok=302),
    "assessments:form-detail": Route(EVERYONE - {"nadia"}, kwargs=form_kwargs),
    "assessments:form-export": Route(
        EVERYONE - {"nadia"}, kwargs=lambda w: {**form_kwargs(w), "number": 1}
    ),
    "assessments:submission-export": Route(
        SUPERVISORS | {"boris"}, kwargs=lambda w: {**form_kwargs(w), "fmt": "csv"}
    ),
    "assessments:fill": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "assessments:submission": Route(ORG_STAFF, kwargs=submission_kwargs, object_of_alpha=True),
    "assessments:check": Route(
        ORG_STAFF,
        kwargs=lambda w: {**case_kwargs(w), "version": alpha_records(w)["form"].pk},
        method="post",
        object_of_alpha=True,
    ),
    # Network figures come from a release: the network roles read the one built here.
    "indicators:dashboard": Route(EVERYONE - {"nadia"}, kwargs=lambda w: released(w) and {}),
    "indicators:definitions": Route(EVERYONE - {"nadia"}),
    "indicators:export": Route(
        EVERYONE - {"nadia"}, kwargs=lambda w: released(w) and {"fmt": "csv"}
    ),
    "indicators:releases": Route(EVERYONE - {"nadia"}),
    "core:job": Route({"nora"}, kwargs=a_job),  # a release build: coordinators follow it
    "indicators:release": Route(
        EVERYONE - {"nadia"}, kwargs=lambda w: {"number": released(w).number}
    ),
    # No indicator named: not found, for those who may look behind a figure at all.
    "indicators:cases-behind": Route(WORKERS, ok=404),
    "indicators:targets": Route(EVERYONE - {"nadia"}),
    # The MEL plan: everyone reading evidence; its coordinators change it. Reflections are
    # the network's internal learning: those who see network building, not observers.
    "indicators:mel": Route(EVERYONE - {"nadia"}),
    "indicators:plan-indicator": Route({"nora"}, kwargs=plan_row),
    "indicators:reflections": Route(BUILDING),
    "indicators:reflection": Route(BUILDING, kwargs=a_reflection),
    "api:mel-list": Route(EVERYONE - {"nadia"}),
    "api:mel-detail": Route(EVERYONE - {"nadia"}, kwargs=lambda w: {"id": plan_row(w)["uid"]}),
    "api:reflection-list": Route(BUILDING),
    "api:reflection-detail": Route(BUILDING, kwargs=lambda w: {"id": a_reflection(w)["uid"]}),
    # Costs: an organisation's supervisors and admins (Beta's admin sees Beta's); the network
    # reads costs from releases. Detention costs are published figures: everyone reading
    # evidence sees them. The projection: supervisors and admins, and the network roles.
    "finance:costs": Route(SUPERVISORS | {"boris"}),
    "finance:costs-export": Route(SUPERVISORS | {"boris"}, kwargs=lambda w: {"fmt": "csv"}),
    "finance:amounts": Route(SUPERVISORS | {"boris"}),
    "finance:amount-import": Route(SUPERVISORS | {"boris"}),
    "finance:amount-withdraw": Route(
        SUPERVISORS, kwargs=alpha_amount, method="post", ok=302, object_of_alpha=True
    ),
    "finance:amount-correct": Route(SUPERVISORS, kwargs=alpha_amount, object_of_alpha=True),
    "finance:detention-costs": Route(EVERYONE - {"nadia"}),
    "finance:projection": Route(SUPERVISORS | {"boris"} | NETWORK),
    # Network building: the directory for every organisation role and the network's staff
    # (case managers and supervisors see the allies of their own country: Alpha's ally in
    # Belgium); everything else for organisation admins, coordinators and evaluators;
    # recording for admins and coordinators, changing for the recorder and coordinators.
    # Observers see network figures in releases only.
    "network:stakeholders": Route(DIRECTORY),
    "network:stakeholder": Route(DIRECTORY, kwargs=network_row("ally")),
    "network:stakeholder-create": Route(RECORDERS),
    "network:stakeholder-update": Route({"olga", "nora"}, kwargs=network_row("ally")),
    "network:stakeholder-note": Route(RECORDERS, kwargs=network_row("ally"), method="post", ok=400),
    "network:contact-create": Route(RECORDERS, kwargs=network_row("ally"), method="post", ok=400),
    "network:contact-remove": Route(  # not confirmed: refused, and nothing is removed
        {"olga", "nora"}, kwargs=network_row("contact"), method="post", ok=400
    ),
    "network:map": Route(BUILDING),
    "network:map-svg": Route(BUILDING),
    "network:activities": Route(BUILDING),
    "network:activity-create": Route(RECORDERS),
    "network:activity-update": Route({"olga", "nora"}, kwargs=network_row("activity")),
    "network:expansion": Route(BUILDING),
    "network:expansion-create": Route(RECORDERS),
    "network:expansion-detail": Route(BUILDING, kwargs=network_row("place")),
    "network:expansion-update": Route({"olga", "nora"}, kwargs=network_row("place")),
    "network:expansion-move": Route(
        {"olga", "nora"}, kwargs=network_row("place"), method="post", ok=400
    ),
    # The risk register and the glossary are the network's, kept by its coordinators; the
    # glossary is read by every role.
    "network:risks": Route(BUILDING),
    "network:risk-create": Route({"nora"}),
    "network:risk-update": Route({"nora"}, kwargs=network_risk),
    "network:glossary": Route(EVERYONE - {"nadia"}),
    "network:term-create": Route({"nora"}),
    "network:term-update": Route({"nora"}, kwargs=network_term),
    # An organisation's own records: its admins record involvement and answer the feedback;
    # the network's coordinators and evaluators read every member's feedback.
    "network:involvement": Route({"olga", "boris"}),
    "network:feedback": Route(BUILDING),
    "network:feedback-answer": Route({"olga", "boris"}, kwargs=feedback_form),
    "api:risk-list": Route(BUILDING),
    "api:risk-detail": Route(BUILDING, kwargs=lambda w: {"id": network_risk(w)["uid"]}),
    "api:risk-review": Route(  # no body: refused, once the caller may review
        {"nora"}, kwargs=lambda w: {"id": network_risk(w)["uid"]}, method="post", ok=400
    ),
    "api:term-list": Route(EVERYONE - {"nadia"}),
    "api:term-detail": Route(EVERYONE - {"nadia"}, kwargs=network_term),
    "api:stakeholder-list": Route(DIRECTORY),
    "api:stakeholder-detail": Route(DIRECTORY, kwargs=network_api_row("ally")),
    "api:activity-list": Route(BUILDING),
    "api:activity-detail": Route(BUILDING, kwargs=network_api_row("activity")),
    "api:expansion-list": Route(BUILDING),
    "api:expansion-detail": Route(BUILDING, kwargs=network_api_row("place")),
    "api:expansion-stage": Route(  # no body: refused, once the caller may move it
        {"olga", "nora"}, kwargs=network_api_row("place"), method="post", ok=400
    ),
    # The service directory is shared across the network (no personal data): every role that
    # refers people or builds the network reads it, observers do not. An organisation's
    # supervisors and admins add entries and change their organisation's (Beta's admin sees
    # Alpha's entry but may not change it: 403); coordinators change every entry.
    "referrals:services": Route(SERVICE_READERS),
    "referrals:services-print": Route(SERVICE_READERS),
    "referrals:service": Route(SERVICE_READERS, kwargs=alpha_service),
    "referrals:service-create": Route(SERVICE_KEEPERS),
    "referrals:service-update": Route(SERVICE_KEEPERS - {"boris"}, kwargs=alpha_service),
    "referrals:service-verify": Route(
        SERVICE_KEEPERS - {"boris"}, kwargs=alpha_service, method="post", ok=302
    ),
    "api:service-list": Route(SERVICE_READERS),
    "api:service-detail": Route(SERVICE_READERS, kwargs=lambda w: {"id": alpha_service(w)["uid"]}),
    "api:service-verify": Route(  # no body: checked today
        SERVICE_KEEPERS - {"boris"}, kwargs=lambda w: {"id": alpha_service(w)["uid"]}, method="post"
    ),
    "audit:entry-list": Route({"olga", "boris", "nora"}),
    "audit:entry-export": Route({"olga", "boris", "nora"}),
    "set_language": Route(EVERYONE, method="post", anonymous=302, ok=302, data={"language": "en"}),
    "api:token": Route(EVERYONE, method="post", anonymous=400, ok=400),  # no credentials
    "api:me": Route(EVERYONE),
    "api:me-token-list": Route(EVERYONE),
    "api:me-token-detail": Route(EVERYONE, kwargs=lambda w: NO_TOKEN, ok=404),
    "api:api-root": Route(EVERYONE),
    "api:organisation-list": Route(EVERYONE - {"nadia"}),
    "api:organisation-detail": Route(
        ORG_STAFF | NETWORK, kwargs=lambda w: {"slug": w.alpha.slug}, object_of_alpha=True
    ),
    "api:person-list": Route(WORKERS),
    "api:person-search": Route(WORKERS, method="post", ok=400),  # no criteria given
    "api:person-detail": Route(ORG_STAFF, kwargs=person_kwargs, object_of_alpha=True),
    "api:household-list": Route(WORKERS),
    "api:household-detail": Route(ORG_STAFF, kwargs=household_kwargs, object_of_alpha=True),
    "api:case-list": Route(WORKERS),
    "api:case-detail": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "api:case-events": Route(ORG_STAFF, kwargs=case_kwargs, object_of_alpha=True),
    "api:case-transition": Route(
        ORG_STAFF, kwargs=case_kwargs, method="post", ok=400, object_of_alpha=True
    ),
    "api:case-close": Route(
        ORG_STAFF, kwargs=case_kwargs, method="post", ok=400, object_of_alpha=True
    ),
    "api:indicator-list": Route(EVERYONE - {"nadia"}),
    "api:indicator-detail": Route(EVERYONE - {"nadia"}, kwargs=lambda w: {"code": "removal_rate"}),
    "api:indicator-values": Route(  # no period given: the answer explains the period format
        EVERYONE - {"nadia"}, kwargs=lambda w: {"code": "removal_rate"}, ok=400
    ),
    "api:indicator-curve": Route(  # no period given, as above
        EVERYONE - {"nadia"}, kwargs=lambda w: {"code": "retention"}, ok=400
    ),
    "api:release-list": Route(EVERYONE - {"nadia"}),
    "api:budget-list": Route(SUPERVISORS | {"boris"}),
    "api:budget-detail": Route(
        SUPERVISORS, kwargs=lambda w: {"id": alpha_amount(w)["uid"]}, object_of_alpha=True
    ),
    "api:budget-withdraw": Route(
        SUPERVISORS,
        kwargs=lambda w: {"id": alpha_amount(w)["uid"]},
        method="post",
        object_of_alpha=True,
    ),
    "api:budget-correct": Route(  # no body: refused as a line, once the line is found
        SUPERVISORS,
        kwargs=lambda w: {"id": alpha_amount(w)["uid"]},
        method="post",
        object_of_alpha=True,
        ok=400,
    ),
    "api:detention-cost-list": Route(EVERYONE - {"nadia"}),
    "api:costs": Route(SUPERVISORS | {"boris"}),
    "api:release-detail": Route(
        EVERYONE - {"nadia"}, kwargs=lambda w: {"number": released(w).number}
    ),
    "api:job-detail": Route({"nora"}, kwargs=a_job),
    "api:form-list": Route(EVERYONE - {"nadia"}),
    "api:form-detail": Route(EVERYONE - {"nadia"}, kwargs=form_kwargs),
    "api:case-submission-list": Route(
        ORG_STAFF, kwargs=lambda w: {"case_code": case_kwargs(w)["code"]}, object_of_alpha=True
    ),
    "api:case-submission-detail": Route(
        ORG_STAFF,
        kwargs=lambda w: {
            "case_code": case_kwargs(w)["code"],
            "uid": alpha_records(w)["submission"].uid,
        },
        object_of_alpha=True,
    ),
    "api:case-referral-list": Route(
        ORG_STAFF, kwargs=lambda w: {"case_code": case_kwargs(w)["code"]}, object_of_alpha=True
    ),
    "api:referral-detail": Route(
        ORG_STAFF, kwargs=lambda w: {"id": alpha_records(w)["referral"].uid}, object_of_alpha=True
    ),
    "api:referral-status": Route(  # no body: refused, once the referral is found
        ORG_STAFF,
        kwargs=lambda w: {"id": alpha_records(w)["referral"].uid},
        method="post",
        ok=400,
        object_of_alpha=True,
    ),
    "api-schema": Route(EVERYONE, anonymous=200),
    "api-docs": Route(EVERYONE, anonymous=200),
}


def walk(patterns: list[Any], namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str]]:
    """(full name, route) of every URL pattern under `patterns`."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else "", prefix + str(entry.pattern))


def all_patterns() -> list[tuple[str, str]]:
    return list(walk(get_resolver().url_patterns))


def test_every_route_is_covered() -> None:
    patterns = all_patterns()
    unnamed = [route for name, route in patterns if not name]
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    missing = sorted({name for name, _ in patterns} - set(ROUTES))
    assert not missing, f"Declare these routes in tests/test_permission_matrix.py: {missing}"
    stale = sorted(set(ROUTES) - {name for name, _ in patterns})
    assert not stale, f"ROUTES names URLs that no longer exist: {stale}"


def expected_status(route: Route, caller: str, is_api: bool) -> int | str:
    if caller == "anonymous":
        if route.anonymous is not None:
            return route.anonymous
        return 401 if is_api else "login"
    if caller in route.allowed:
        return route.ok
    if caller == "boris" and route.object_of_alpha:
        return 404
    return 403


def call(client: Any, route: Route, url: str) -> Any:
    if route.method == "post":
        if url.startswith("/api/"):  # the API takes JSON bodies
            return client.post(url, route.data, content_type="application/json")
        return client.post(url, route.data)
    return client.get(url)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_caller_as_declared(name: str, world: World, client: Any) -> None:
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(world))
    is_api = url.startswith("/api/v1/")
    users = world.users()
    wrong = []
    for caller in CALLERS:
        client.logout()
        if caller != "anonymous":
            client.force_login(users[caller])
        response = call(client, route, url)
        want = expected_status(route, caller, is_api)
        if want == "login":
            got = (
                "login"
                if response.status_code == 302 and "/account/login/" in response["Location"]
                else response.status_code
            )
        else:
            got = response.status_code
        if got != want:
            wrong.append(f"{caller}: expected {want}, got {got}")
    assert not wrong, f"{name} ({url}): " + "; ".join(wrong)


def test_without_her_second_factor_no_route_answers_where_it_is_required(
    world: World, client: Any
) -> None:
    """Alpha requires two-factor sign-in and amina has not set it up: every route but signing
    in and out, the two-factor pages and switching sends her to set it up (the API: 403)."""
    from casework.accounts.middleware import EXEMPT

    world.alpha.require_two_factor = True
    world.alpha.save()
    client.force_login(world.amina)
    setup = reverse("accounts:two-factor-setup")
    wrong = []
    for name, route in ROUTES.items():
        if name in EXEMPT:
            continue
        url = reverse(name, kwargs=route.kwargs(world))
        response = call(client, route, url)
        if url.startswith("/api/"):
            ok = response.status_code == 403
        else:
            ok = response.status_code == 302 and response["Location"].startswith(setup)
        if not ok:
            wrong.append(f"{name}: {response.status_code}")
    assert not wrong, "; ".join(wrong)


def test_api_format_suffix_routes_are_scoped_too(world: World, client: Any) -> None:
    client.force_login(world.boris)
    url = reverse("api:organisation-detail", kwargs={"slug": world.alpha.slug, "format": "json"})
    assert client.get(url).status_code == 404
    client.force_login(world.amina)
    assert client.get(url).status_code == 200


def test_no_identity_value_reaches_anyone_outside_the_organisation(
    world: World, client: Any
) -> None:
    """Every GET route, pages and API, as every caller outside Alpha: no name, phone or
    file number of Alpha's person in any answer. Alpha's own staff do see them (the check
    would catch a leak)."""
    records = alpha_records(world)
    users = world.users()
    seen_by_staff = False
    for name, route in ROUTES.items():
        if route.method != "get":
            continue
        url = reverse(name, kwargs=route.kwargs(world))
        for caller in ("anonymous", "boris", "bilal", "nora", "eva", "otto", "nadia", "amina"):
            client.logout()
            if caller != "anonymous":
                client.force_login(users[caller])
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            text = body.decode(errors="replace")
            leaked = [value for value in IDENTITY_VALUES if value in text]
            if caller == "amina":
                seen_by_staff = seen_by_staff or bool(leaked)
            else:
                assert not leaked, f"{caller} sees {leaked} at {name}"
    assert seen_by_staff
    assert records["case"].person.code


class _InlineCode(HTMLParser):
    """Collects what a strict Content Security Policy would block: inline scripts, style
    elements and attributes, event-handler attributes and javascript: links."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            link = (value or "").strip().lower()
            if name in ("href", "src", "action") and link.startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")


def test_every_page_has_a_strict_content_security_policy_and_no_inline_code(
    world: World, client: Any
) -> None:
    """Every GET page, as a caller allowed to see it: the policy forbids inline script and
    style, and the page needs neither (it would break under the policy otherwise)."""
    users = world.users()
    pages = 0
    for name, route in ROUTES.items():
        if route.method != "get" or not route.allowed:
            continue
        url = reverse(name, kwargs=route.kwargs(world))
        client.force_login(users[sorted(route.allowed)[0]])
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, name
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, name
        assert "frame-ancestors 'none'" in policy, name
        parser = _InlineCode()
        body = b"".join(response.streaming_content) if response.streaming else response.content
        parser.feed(body.decode())
        assert not parser.found, f"{name} ({url}): {sorted(set(parser.found))}"
        pages += 1
    assert pages > 30


# Routes to rows that are numbered across the whole network: they name a row by its random
# uid, so that no URL tells its reader how many events, submissions, approvals, appointments
# or memberships the network holds.
BY_UID = [
    "accounts:member-detail",
    "accounts:member-update",
    "accounts:member-two-factor-reset",
    "accounts:member-token-revoke",
    "accounts:member-unlock",
    "finance:amount-withdraw",
    "finance:amount-correct",
    "cases:goal-status",
    "cases:task-done",
    "cases:approval",
    "cases:document-download",
    "immigration:appointment-outcome",
    "assessments:submission",
    "api:case-submission-detail",
    "case-referrals:referral-detail",
    "case-referrals:letter",
    "case-referrals:letter-pdf",
]


# What makes a case action reach its row (an invalid form is refused before the row is read).
VALID = {
    "cases:goal-status": {"status": "achieved"},
    "cases:approval": {"decision": "approve"},
    "immigration:appointment-outcome": {"outcome": "attended"},
}


@pytest.mark.parametrize("name", BY_UID)
def test_a_row_named_by_its_id_or_an_unknown_uid_is_not_found(
    name: str, world: World, client: Any
) -> None:
    """The old integer-id URL no longer answers, and an unknown uid is a 404 like another
    organisation's (which the matrix above checks)."""
    import uuid

    route = ROUTES[name]
    kwargs = route.kwargs(world)
    uid = kwargs.get("uid")
    assert isinstance(uid, uuid.UUID), f"{name} does not name its row by a uid"
    url = reverse(name, kwargs=kwargs)
    model_row = next(
        row
        for row in [
            world.amina.memberships.get(),
            *alpha_records(world).values(),
            *([vars(world)["_amount"]] if "_amount" in vars(world) else []),
        ]
        if getattr(row, "uid", None) == uid
    )
    by_id = url.replace(str(uid), str(model_row.pk))
    unknown = url.replace(str(uid), str(uuid.uuid4()))
    users = world.users()
    client.force_login(users[sorted(route.allowed)[0]])
    reaching = Route(route.allowed, method=route.method, data=VALID.get(name, route.data))
    assert call(client, reaching, by_id).status_code == 404
    assert call(client, reaching, unknown).status_code == 404
    assert call(client, route, url).status_code == route.ok
