"""Referrals of a case to a service: the services, the case page, the referral's page and
letter, the home page's follow-ups and the API.

Personas (casework.testing.personas): amina is Alpha's case manager and refers her case;
sam supervises Alpha; bilal and boris work in Beta, for whom Alpha's referrals do not exist.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import shutil
import subprocess
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casework.audit.models import Action, AuditEntry
from casework.cases.choices import EventKind, Stage
from casework.cases.models import Case, TimelineEvent
from casework.cases.services import CaseRuleError, end_consent, give_consent, transition
from casework.cases.tests.conftest import REFERRED, new_case
from casework.core.access import principal_of
from casework.people.identity import IdentityData
from casework.people.services import update_identity
from casework.referrals.models import Referral, ReferralStep, Service
from casework.referrals.services import refer_case, update_referral
from casework.referrals.views import case_section
from casework.testing.personas import World

TODAY = timezone.localdate()
NAME = IdentityData(
    given_names="Xenia", family_name="Quillfeather", phone="+32 470 99 88 77", address="Rue X 1"
)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture
def case(world: World) -> Case:
    """Amina's open case of Alpha, whose person has a name and a phone."""
    case = transition(new_case(world), Stage.SCREENING, on=REFERRED, intake_date=REFERRED)
    update_identity(case.person, NAME)
    return case


@pytest.fixture
def legal_aid(world: World) -> Service:
    """A service in the directory, in Alpha's country."""
    return Service.objects.create(
        provider="Legal Aid Ghent",
        service_type="legal_aid",
        country="BE",
        city="Ghent",
        address="Veldstraat 1",
        phone="+32 9 000 00 00",
    )


def agree_to_share(case: Case, provider: str, on: dt.date = REFERRED) -> Any:
    return give_consent(
        case,
        purpose="share_with_service",
        service=provider,
        given_on=on,
        method="verbal",
        language="en",
    )


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def referral_url(referral: Referral, name: str = "referral-detail") -> str:
    return reverse(f"case-referrals:{name}", args=[referral.case.code, referral.uid])


# The services ---------------------------------------------------------------------------


def test_a_case_manager_refers_a_case_to_a_directory_service_and_follows_it_to_the_end(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    client.force_login(world.amina)
    form = page(client, case.get_absolute_url())
    assert "Refer to a service" in form and "Legal Aid Ghent (Legal aid, Ghent)" in form
    response = client.post(
        reverse("case-referrals:referral-add", args=[case.code]),
        {
            "service": legal_aid.uid,
            "reason": "Needs advice on the return order",
            "sent_on": days(-5).isoformat(),
            "follow_up_on": days(2).isoformat(),
        },
    )
    referral = Referral.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == referral_url(referral)
    assert (referral.service, referral.provider, referral.service_type) == (
        legal_aid,
        "Legal Aid Ghent",
        "legal_aid",
    )
    assert (referral.status, referral.status_on, referral.consent) == ("sent", days(-5), None)
    assert referral.created_by == world.amina
    for status, on in (("accepted", days(-3)), ("completed", days(-1))):
        answer = client.post(
            referral_url(referral), {"status": status, "on": on.isoformat(), "note": status}
        )
        assert answer.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.status_on, referral.follow_up_on) == (
        "completed",
        days(-1),
        None,  # over: nothing to follow up
    )
    steps = list(referral.steps.values_list("status", "on", "taken_by__username"))
    assert steps == [
        ("sent", days(-5), "amina"),
        ("accepted", days(-3), "amina"),
        ("completed", days(-1), "amina"),
    ]
    events = TimelineEvent.objects.filter(case=case, kind=EventKind.REFERRAL)
    summaries = [e.summary for e in events.order_by("occurred_on")]
    assert summaries == [
        "Referral to Legal aid (Legal Aid Ghent): Sent",
        "Referral to Legal aid (Legal Aid Ghent): Accepted",
        "Referral to Legal aid (Legal Aid Ghent): Completed",
    ]
    assert all("Quillfeather" not in e.summary and e.recorded_by == world.amina for e in events)
    shown = page(client, case.get_absolute_url())
    assert all(summary in shown for summary in summaries)  # the case's timeline
    detail = page(client, referral_url(referral))
    assert "Needs advice on the return order" in detail and "This referral is over" in detail
    read = AuditEntry.objects.filter(action=Action.READ, object_type="referrals.referral")
    assert read.filter(object_id=str(referral.uid)).exists()


def test_a_referral_typed_in_needs_its_provider_and_kind(case: Case, world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        refer_case(case, by=world.amina, provider="  ", service_type="shelter")
    assert "provider" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        refer_case(case, by=world.amina, provider="Night shelter")
    assert "service_type" in refused.value.message_dict
    referral = refer_case(case, by=world.amina, provider=" Night shelter ", service_type="shelter")
    assert (referral.provider, referral.service, referral.sent_on) == ("Night shelter", None, TODAY)


def test_sharing_details_without_the_persons_consent_is_refused_and_nothing_is_stored(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    agree_to_share(case, "Another clinic")  # a consent naming someone else does not count
    with pytest.raises(ValidationError, match="has not agreed to share their details with Legal"):
        refer_case(case, by=world.amina, service=legal_aid, share_details=True)
    client.force_login(world.amina)
    section = page(client, case.get_absolute_url())
    assert "The person agreed to share their details with <strong>Another clinic</strong>" in (
        section
    )
    response = client.post(
        reverse("case-referrals:referral-add", args=[case.code]),
        {"service": legal_aid.uid, "sent_on": TODAY.isoformat(), "share_details": "on"},
    )
    assert response.status_code == 400
    assert "has not agreed to share their details with Legal Aid Ghent" in response.content.decode()
    assert not Referral.objects.exists() and not ReferralStep.objects.exists()
    assert not TimelineEvent.objects.filter(kind=EventKind.REFERRAL).exists()
    end_consent(case, case.person.consents.get(), on=TODAY)
    section = page(client, case.get_absolute_url())
    assert "No consent to share the person&#x27;s details with any provider is on file" in section


def test_with_consent_the_letter_names_the_person_and_without_it_gives_the_code_only(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    consent = agree_to_share(case, "legal aid ghent")  # case and spaces aside
    shared = refer_case(
        case, by=world.amina, service=legal_aid, reason="Appeal deadline", share_details=True
    )
    assert shared.consent == consent and shared.shares_details
    coded = refer_case(case, by=world.amina, provider="Food bank", service_type="material_support")
    assert coded.consent is None
    client.force_login(world.amina)
    reads = AuditEntry.objects.filter(action=Action.READ, object_type="people.identity")
    before = reads.count()
    letter = page(client, referral_url(shared, "letter"))
    assert "Xenia Quillfeather" in letter and "+32 470 99 88 77" in letter
    assert "Appeal deadline" in letter and "Alpha Association" in letter
    assert "Veldstraat 1" in letter and "not shared" not in letter
    assert reads.count() == before + 1  # the identity read is audited
    letter = page(client, referral_url(coded, "letter"))
    assert case.code in letter and "Identifying details were not shared" in letter
    assert "Quillfeather" not in letter and "470 99" not in letter
    assert reads.count() == before + 1  # no identity opened for it
    for referral, named in ((shared, True), (coded, False)):
        pdf = client.get(referral_url(referral, "letter-pdf"))
        assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
        text = pdf_text(pdf.content)
        if text is not None:
            assert ("Quillfeather" in text) is named and case.code in text
    end_consent(case, consent, on=TODAY)  # withdrawn: the letter no longer names them
    letter = page(client, referral_url(shared, "letter"))
    assert "Quillfeather" not in letter and "Identifying details were not shared" in letter


def pdf_text(pdf: bytes) -> str | None:
    """The PDF's text, by pypdf or poppler's pdftotext where installed (None otherwise: the
    HTML the PDF is made from is checked instead)."""
    try:
        pypdf = importlib.import_module("pypdf")  # not a dependency: used where installed
    except ImportError:
        pdftotext = shutil.which("pdftotext")
        if pdftotext is None:
            return None
        done = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True)
        return done.stdout.decode()
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_closed_case_takes_no_referral_and_no_change(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    referral = refer_case(case, by=world.amina, service=legal_aid, sent_on=days(-2))
    transition(case, Stage.CLOSED, on=TODAY, exit_reason="withdrew")
    with pytest.raises(CaseRuleError, match="closed"):
        refer_case(case, by=world.amina, service=legal_aid)
    with pytest.raises(CaseRuleError, match="closed"):
        update_referral(referral, by=world.amina, status="accepted")
    client.force_login(world.amina)
    response = client.post(referral_url(referral), {"status": "accepted", "on": TODAY})
    assert response.status_code == 400 and "reopen it first" in response.content.decode()
    assert Referral.objects.get().status == "sent" and ReferralStep.objects.count() == 1


def test_dates_are_checked(case: Case, legal_aid: Service, world: World) -> None:
    def refused(field: str, **kwargs: Any) -> None:
        with pytest.raises(ValidationError) as error:
            refer_case(case, by=world.amina, service=legal_aid, **kwargs)
        assert field in error.value.message_dict, error.value

    refused("sent_on", sent_on=days(1))  # in the future
    refused("sent_on", sent_on=REFERRED - dt.timedelta(days=1))  # before the case was opened
    refused("follow_up_on", sent_on=days(-3), follow_up_on=days(-4))  # before it was sent
    assert not Referral.objects.exists()
    referral = refer_case(case, by=world.amina, service=legal_aid, sent_on=days(-3))

    def change_refused(field: str, **kwargs: Any) -> None:
        with pytest.raises(ValidationError) as error:
            update_referral(referral, by=world.amina, **kwargs)
        assert field in error.value.message_dict, error.value

    change_refused("on", status="accepted", on=days(-4))  # before the last step
    change_refused("on", status="accepted", on=days(1))  # in the future
    change_refused("follow_up_on", status="waiting_list", on=days(-1), follow_up_on=days(-2))
    update_referral(referral, by=world.amina, status="waiting_list", on=days(-1))
    change_refused("status", status="sent", on=TODAY)  # no going back
    change_refused("on", status="accepted", on=days(-2))  # before the waiting list
    update_referral(referral, by=world.amina, status="declined", on=TODAY, outcome="Full")
    with pytest.raises(CaseRuleError, match="over"):
        update_referral(referral, by=world.amina, status="accepted", on=TODAY)
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.steps.count()) == ("declined", "Full", 3)


def test_another_organisations_referral_is_not_found(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    referral = refer_case(case, by=world.amina, service=legal_aid)
    urls = [
        reverse("case-referrals:referral-add", args=[case.code]),
        referral_url(referral),
        referral_url(referral, "letter"),
        referral_url(referral, "letter-pdf"),
        f"/api/v1/referrals/{referral.uid}/",
        f"/api/v1/cases/{case.code}/referrals/",
    ]
    for user in (world.bilal, world.boris):
        client.force_login(user)
        assert [client.get(url).status_code for url in urls] == [404] * len(urls)
        assert client.post(referral_url(referral), {"status": "accepted"}).status_code == 404
    beta_case = new_case(world, "beta")
    client.force_login(world.amina)  # Alpha's referral is not reached through Beta's case
    other = reverse("case-referrals:referral-detail", args=[beta_case.code, referral.uid])
    assert client.get(other).status_code == 404
    assert Referral.objects.get().status == "sent"


# The home page --------------------------------------------------------------------------


def test_the_follow_up_panel_lists_overdue_referrals_and_drops_them_once_over(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    late = refer_case(
        case, by=world.amina, service=legal_aid, sent_on=days(-10), follow_up_on=days(-1)
    )
    refer_case(case, by=world.amina, provider="Clinic", service_type="medical", follow_up_on=TODAY)
    someone_elses = new_case(world, case_manager=world.sam)
    refer_case(
        someone_elses, by=world.sam, provider="Shelter", service_type="shelter", sent_on=days(-9),
        follow_up_on=days(-2),
    )  # fmt: skip
    client.force_login(world.amina)
    home = page(client, reverse("core:home"))
    assert "Referrals to follow up (1)" in home
    assert referral_url(late) in home and "Legal Aid Ghent" in home
    assert "Clinic" not in home  # due today, not past
    assert someone_elses.code not in home  # not her case
    client.force_login(world.sam)  # the supervisor sees every case's
    home = page(client, reverse("core:home"))
    assert "Referrals to follow up (2)" in home and someone_elses.code in home
    update_referral(late, by=world.amina, status="completed", on=TODAY)
    client.force_login(world.amina)
    home = page(client, reverse("core:home"))
    assert "Referrals to follow up" in home and referral_url(late) not in home
    assert "Referrals to follow up (" not in home
    transition(someone_elses, Stage.CLOSED, on=TODAY, exit_reason="withdrew")
    client.force_login(world.sam)  # a closed case's referrals take no change: not listed
    assert someone_elses.code not in page(client, reverse("core:home"))


# The API --------------------------------------------------------------------------------


def api_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_refers_lists_reads_and_records_changes(
    case: Case, legal_aid: Service, world: World
) -> None:
    api = api_for(world.amina)
    url = f"/api/v1/cases/{case.code}/referrals/"
    made = api.post(
        url,
        {"service": str(legal_aid.uid), "reason": "Appeal", "follow_up_on": days(7).isoformat()},
        format="json",
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["provider"], body["service"], body["status"], body["case"]) == (
        "Legal Aid Ghent",
        str(legal_aid.uid),
        "sent",
        case.code,
    )
    assert body["reason"] == "Appeal" and [s["status"] for s in body["steps"]] == ["sent"]
    refused = api.post(
        url,
        {"provider": "Clinic", "service_type": "medical", "share_details": True},
        format="json",
    )
    assert refused.status_code == 400
    assert "has not agreed" in refused.json()["share_details"][0]
    too_long = api.post(  # checked as sent: 2,000 characters and a space are too many
        url,
        {"provider": "Clinic", "service_type": "medical", "reason": " " + "x" * 2000},
        format="json",
    )
    assert too_long.status_code == 400 and "reason" in too_long.json()
    unknown = api.post(url, {"service": "00000000-0000-4000-8000-000000000000"}, format="json")
    assert unknown.status_code == 400 and "service" in unknown.json()
    assert Referral.objects.count() == 1
    listed = api.get(url).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert "reason" not in listed["results"][0]  # a list opens no sealed text
    one = api.get(f"/api/v1/referrals/{body['id']}/")
    assert one.status_code == 200 and one.json()["reason"] == "Appeal"
    changed = api.post(
        f"/api/v1/referrals/{body['id']}/status/",
        {"status": "accepted", "note": "Appointment on Monday"},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    steps = changed.json()["steps"]
    assert [(s["status"], s["note"], s["taken_by"]) for s in steps] == [
        ("sent", "", "amina"),
        ("accepted", "Appointment on Monday", "amina"),
    ]
    future = api.post(
        f"/api/v1/referrals/{body['id']}/status/",
        {"status": "completed", "on": days(1).isoformat()},
        format="json",
    )
    assert future.status_code == 400 and "on" in future.json()
    assert api_for(world.bilal).get(f"/api/v1/referrals/{body['id']}/").status_code == 404
    assert api_for(world.nora).get(url).status_code == 403


# What it costs --------------------------------------------------------------------------


def test_the_case_page_section_costs_three_queries_however_many_referrals(
    case: Case, legal_aid: Service, world: World, django_assert_num_queries: Any
) -> None:
    agree_to_share(case, "Legal Aid Ghent")
    principal_of(world.amina)  # the request has it already
    for n in range(4):
        refer_case(case, by=world.amina, provider=f"Provider {n}", service_type="other")
        # the referrals, the directory for the form, the consents to share
        with django_assert_num_queries(3):
            html = render_to_string(
                "referrals/case_section.html", {"case": case, **case_section(case, world.amina)}
            )
        assert html.count("/referrals/") == n + 2  # each referral's link and the form


def test_the_case_page_does_not_grow_with_referrals(
    case: Case, legal_aid: Service, world: World, client: Client
) -> None:
    client.force_login(world.amina)
    client.get(case.get_absolute_url())  # the first request writes the session
    counts = []
    for n in (1, 5):
        while Referral.objects.count() < n:
            refer_case(case, by=world.amina, service=legal_aid)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(case.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_api_list_costs_a_fixed_number_of_queries(
    case: Case, legal_aid: Service, world: World, client: Client, django_assert_num_queries: Any
) -> None:
    url = f"/api/v1/cases/{case.code}/referrals/"
    client.force_login(world.amina)
    client.get(url)  # the first request writes the session
    for n in (1, 5):
        while Referral.objects.count() < n:
            refer_case(case, by=world.amina, service=legal_aid)
        # the session, the user, her memberships, her second factor (the sign-in check),
        # the case, the count, the page
        with django_assert_num_queries(7):
            assert len(client.get(url).json()["results"]) == n
