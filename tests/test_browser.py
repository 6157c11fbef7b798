"""End-to-end flows in Debian's Chromium (Playwright). Every issue adds its main flow here."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from django.conf import settings

from casework.accounts.demo import create_demo_network
from casework.testing.personas import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, username: str, password: str) -> None:
    page.goto("/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_demo_user_logs_in_and_sees_the_home_page(page: Any) -> None:
    create_demo_network(settings.DEMO_PASSWORD)
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    log_in(page, "caseworker.be", settings.DEMO_PASSWORD)
    page.get_by_role("heading", name="Welcome, Caseworker BE").wait_for()
    assert "You work in Demo pilot Belgium as Case manager." in page.content()
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Organisations").is_visible()
    assert nav.get_by_role("link", name="Audit log").count() == 0
    # Every request the page made went to Casework itself: no CDN, no third party.
    assert hosts == {urlparse(page.base_url).netloc}


def test_a_wrong_password_shows_an_error_and_the_skip_link_works(page: Any, world: World) -> None:
    log_in(page, "amina", "not-the-password")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "correct username and password" in alert.inner_text()
    log_in(page, "amina", PASSWORD)
    page.get_by_role("heading", name="Welcome, Amina Persona").wait_for()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_a_user_switches_organisation_in_the_header(page: Any, world: World) -> None:
    log_in(page, "mia", PASSWORD)
    page.get_by_text("You work in Alpha Association as Case manager.").wait_for()
    page.get_by_label("Working as").select_option(label="Organisation admin — Beta Foundation")
    page.get_by_role("button", name="Switch").click()
    page.get_by_text("You work in Beta Foundation as Organisation admin.").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Audit log").wait_for()
    assert "Switched organisation" in page.content()


def test_a_caseworker_takes_a_person_from_referral_to_resolution(page: Any, world: World) -> None:
    from django.utils import timezone

    from casework.audit.models import AuditEntry
    from casework.cases.models import Case

    today = timezone.localdate().isoformat()
    log_in(page, "amina", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="New case").click()
    page.get_by_label("Given names").fill("Samira")
    page.get_by_label("Family name").fill("Benali")
    page.get_by_label("Date of birth").fill("1994-02-11")
    page.get_by_label("Project").select_option(label="Alpha Association pilot")
    page.get_by_label("Referral date").fill(today)
    page.get_by_label("Referred by").select_option("lawyer")
    page.get_by_label("Detention status at referral").select_option("released_from_detention")
    page.get_by_label("Immigration status").select_option("asylum_refused")
    page.get_by_role("button", name="Register and open the case").click()
    page.wait_for_url("**/cases/C-*/")
    code = page.url.rstrip("/").rsplit("/", 1)[1]

    def submit(form_action: str, fields: dict[str, str], button: str, summary: str) -> None:
        page.locator("summary", has_text=summary).first.click()
        form = page.locator(f"form[action$='{form_action}']")
        for label, value in fields.items():
            field = form.get_by_label(label, exact=True)
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        form.get_by_role("button", name=button).click()
        page.get_by_role("status").wait_for()

    submit(
        "/stage/",
        {"Move to": "screening", "Date": today, "Intake date": today},
        "Save",
        "Change stage or close",
    )
    for stage in ("assessment", "case_planning", "active"):
        submit("/stage/", {"Move to": stage, "Date": today}, "Save", "Change stage or close")
    submit("/contacts/", {"Date": today, "Mode": "in_person"}, "Record contact", "Contact")
    submit(
        "/goals/", {"Domain": "legal", "Goal": "Lodge a new asylum claim"}, "Add goal", "Add a goal"
    )
    submit("/tasks/", {"Task": "Book an interpreter", "Due": today}, "Add task", "Add a task")
    submit(
        "/procedure/",
        {"Event": "application", "Date": today, "Source": "lawyer"},
        "Record event",
        "Record a procedure event",
    )
    page.get_by_role("link", name="Record or withdraw consent").click()
    page.get_by_label("Purpose").select_option("case_management")
    page.get_by_label("How given").select_option("written")
    page.get_by_label("Language").fill("ar")
    page.get_by_role("button", name="Record consent").click()
    page.get_by_text("Consent recorded.").wait_for()
    assert "Case management" in page.locator("#consent-h + ul").inner_text()
    submit(
        "/stage/",
        {
            "Move to": "closed",
            "Date": today,
            "Exit reason": "resolved",
            "Resolution outcome": "subsidiary_protection",
        },
        "Save",
        "Change stage or close",
    )
    page.get_by_text("The case is now at Closed.").wait_for()

    timeline = page.locator("#timeline").inner_text()
    for text in (
        "Referred by Lawyer",
        "Referral → Screening",
        "Case planning → Active",
        "In person contact, attended",
        "Goal set: Legal",
        "Task due",
        "Application",
        "Closed: Case resolved (Subsidiary protection)",
    ):
        assert text in timeline, text
    case = Case.objects.get(code=code)
    assert (case.stage, case.resolution) == ("closed", "subsidiary_protection")
    audited = set(AuditEntry.objects.filter(actor="amina").values_list("object_type", "action"))
    for expected in [
        ("cases.case", "create"),
        ("cases.case", "update"),
        ("cases.contact", "create"),
        ("cases.goal", "create"),
        ("cases.task", "create"),
        ("immigration.procedureevent", "create"),
        ("people.consent", "create"),
        ("people.identity", "read"),
        ("cases.timelineevent", "create"),
    ]:
        assert expected in audited, expected


def test_a_caseworker_fills_the_vulnerability_screening(page: Any, world: World) -> None:
    from casework.assessments.services import load_standard
    from casework.cases.tests.conftest import new_case

    load_standard()
    case = new_case(world)
    log_in(page, "amina", PASSWORD)
    page.get_by_role("heading", name="Welcome, Amina Persona").wait_for()
    page.goto(case.get_absolute_url())
    page.get_by_label("Fill a form").select_option(label="Vulnerability screening")
    page.get_by_role("button", name="Open").click()
    page.get_by_role("heading", name="Vulnerability screening").wait_for()
    age = page.get_by_label("Age of the child")
    assert not age.is_visible()  # skipped until "Child" is ticked
    page.get_by_label("Child", exact=True).check()
    age.wait_for(state="visible")
    age.fill("25")
    error = page.locator("#q-child_age-error")
    error.get_by_text("A child is under 18: enter an age from 0 to 17.").wait_for()
    page.get_by_label("Child", exact=True).uncheck()
    age.wait_for(state="hidden")  # the condition turned false: the question disappears
    page.get_by_label("Child", exact=True).check()
    age.wait_for(state="visible")
    age.fill("16")
    error.get_by_text("A child is under 18").wait_for(state="detached")
    page.get_by_role("group", name="Risk of harm").get_by_label("Medium").check()
    page.get_by_role("group", name="Level of intervention needed").get_by_label("High").check()
    page.get_by_role("group", name="Recommended placement").get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Form submitted; it is on the case's timeline.").wait_for()
    page.goto(case.get_absolute_url())
    timeline = page.locator("#timeline")
    timeline.get_by_text("Form submitted: Vulnerability screening (version 2026.1)").wait_for()


def test_a_supervisor_reads_the_evidence_and_opens_the_cases_behind_a_figure(
    page: Any, world: World
) -> None:
    import datetime as dt

    from casework.cases.services import close_case, transition
    from casework.cases.tests.conftest import new_case

    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    intake = dt.date(2025, 2, 3)
    cases = [
        transition(new_case(world), "screening", on=intake, intake_date=intake) for _ in range(6)
    ]
    close_case(cases[0], exit_reason="resolved", resolution="refugee_status", on=intake)
    log_in(page, "sam", PASSWORD)
    page.get_by_role("heading", name="Welcome, Sam Persona").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Evidence").click()
    page.get_by_label("Period").fill("2025")
    page.get_by_label("Break down by").select_option(label="Age band at intake")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("heading", name="Evidence — Alpha Association").wait_for()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Case resolution rate"))
    row.get_by_role("link", name="1", exact=True).last.click()
    page.get_by_text("1 case in the numerator").wait_for()
    page.get_by_role("link", name=cases[0].code).click()
    page.get_by_role("heading", name=f"Case {cases[0].code}").wait_for()
    assert hosts == {urlparse(page.base_url).netloc}


def test_a_caseworker_needs_her_second_factor_before_a_case_and_wrong_passwords_lock_out(
    page: Any, world: World
) -> None:
    """Alpha requires two-factor sign-in: amina cannot open a case page until she has set up
    her authenticator app; ten wrong passwords then lock her account, which the audit log
    shows to her organisation."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from casework.audit.models import Action, AuditEntry
    from casework.cases.tests.conftest import new_case

    world.alpha.require_two_factor = True
    world.alpha.save()
    case = new_case(world)
    log_in(page, "amina", PASSWORD)
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    page.goto(f"/cases/{case.code}/")
    page.get_by_role("heading", name="Set up two-factor sign-in").wait_for()
    assert "/account/two-factor/setup/" in page.url
    assert "Test Person" not in page.content()  # the case's person, not shown
    assert page.locator("figure.qr svg").is_visible()
    device = TOTPDevice.objects.get(user=world.amina, confirmed=False)
    page.get_by_label("Code from the app").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Two-factor sign-in is set up").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_url(f"**/cases/{case.code}/")
    assert "Test Person" in page.content()

    page.get_by_role("button", name="Log out").first.click()
    for _attempt in range(10):
        log_in(page, "amina", "not-her-password")
    page.get_by_text("Signing in is paused after too many failed attempts").wait_for()
    log_in(page, "amina", PASSWORD)
    page.get_by_text("Signing in is paused after too many failed attempts").wait_for()
    entry = AuditEntry.objects.get(action=Action.LOCKED_OUT)
    assert (entry.object_id, entry.organisation_id) == (str(world.amina.pk), world.alpha.pk)


def test_an_admin_hands_over_everything_held_on_a_person_then_erases_it(
    page: Any, world: World
) -> None:
    import json

    from casework.cases.services import record_contact, transition
    from casework.cases.tests.conftest import REFERRED, new_case

    case = new_case(world)
    case = transition(case, "screening", on=REFERRED, intake_date=REFERRED)
    record_contact(case, on=REFERRED, mode="in_person", note="Sleeps at the station")
    log_in(page, "olga", PASSWORD)
    page.get_by_role("heading", name="Welcome, Olga Persona").wait_for()
    page.goto(f"/cases/{case.code}/")
    page.get_by_role("link", name="Data rights: see or erase everything held").click()
    page.get_by_role("heading", name=f"Data rights of {case.person.code}").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as JSON").click()
    report = json.loads(open(download.value.path()).read())  # noqa: SIM115
    notes = next(s for s in report["sections"] if s["key"] == "contacts")["records"]
    assert notes[0]["note"] == "Sleeps at the station"
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download as PDF").click()
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"  # noqa: SIM115
    page.get_by_role("link", name="Erase this person…").click()
    page.get_by_label("Type the person's code to confirm").fill("WRONG")
    page.get_by_role("button", name="Erase").click()
    page.get_by_text("That is not this person's code.").wait_for()
    page.get_by_label("Type the person's code to confirm").fill(case.person.code)
    page.get_by_role("button", name="Erase").click()
    page.get_by_text(f"{case.person.code} is erased").wait_for()
    page.goto(f"/cases/{case.code}/")
    page.get_by_text("were erased on").wait_for()
    assert "Test Person" not in page.content() and "Sleeps at the station" not in page.content()


def test_a_coordinator_launches_a_city_pilot_and_sees_it_in_the_next_release(
    page: Any, world: World
) -> None:
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from casework.core import releases
    from casework.finance.tests.test_costs import enrol

    today = timezone.localdate()
    enrol(world, dt.date(today.year - 1, 3, 1))  # last year has a case: it is released
    releases.build()
    log_in(page, "nora", PASSWORD)
    page.get_by_role("heading", name="Welcome, Nora Persona").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Network").click()
    page.get_by_role("link", name="Expansion").click()
    page.get_by_role("link", name="Add a place to the pipeline").click()
    page.get_by_label("A city or a country").select_option("city")
    page.get_by_label("Country", exact=True).select_option("BE")
    page.get_by_label("City", exact=True).fill("Ghent")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Ghent, Belgium").wait_for()
    assert "Scoping" in page.content()
    page.get_by_label("Stage", exact=True).select_option("pilot_launched")
    page.get_by_label("What happened").fill("The city and two NGOs launched the pilot.")
    page.get_by_role("button", name="Save").click()
    page.get_by_text(f"pilot launched {today:%b}").first.wait_for()
    # The coordinator builds the next release; the worker builds it.
    page.goto("/evidence/releases/")
    page.get_by_role("button", name="Build the next release").click()
    page.get_by_text("Waiting for the worker", exact=True).wait_for()
    call_command("worker", "--batch", verbosity=0)
    page.reload()
    page.get_by_text("Done").first.wait_for()
    # Against the plan's target: two new cities over last year and this one.
    from casework.indicators.services import set_target

    set_target(
        world.nora,
        "new_pilot_cities",
        baseline_value=0,
        baseline_period=str(today.year - 2),
        target_value=2,
        target_period=f"{today.year - 1}-01-01..{today.year}-12-31",
    )
    page.goto("/evidence/?scope=network")
    row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="New pilots in cities", exact=True)
    )
    header = page.locator("table.building thead th").all_inner_texts()
    assert header[-5:] == [f"{today.year} to {today}", "Baseline", "Now", "Target", "Progress"]
    cells = row.get_by_role("cell").all_inner_texts()  # the row's header is not a cell
    assert cells[-5] == "1"  # this year to date
    plan = f"{today.year - 1}-01-01..{today.year}-12-31"
    assert [c.strip() for c in cells[-3:]] == ["1", f"2 ({plan})", "50%"]


def test_a_caseworker_finds_legal_aid_for_people_without_papers_and_refers_a_case(
    page: Any, world: World
) -> None:
    import datetime as dt

    from django.utils import timezone

    from casework.cases.tests.conftest import new_case
    from casework.referrals.services import save_service

    today = timezone.localdate()
    case = new_case(world, referral_date=today - dt.timedelta(days=60))
    for provider, undocumented in (("Ghent Law Clinic", True), ("Ghent Notaries", False)):
        save_service(
            world.sam,
            provider=provider,
            service_type="legal_aid",
            country="BE",
            city="Ghent",
            serves_undocumented=undocumented,
            languages=["fr", "ar"],
        )
    log_in(page, "amina", PASSWORD)
    page.get_by_role("heading", name="Welcome, Amina Persona").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Services").click()
    page.get_by_label("Service", exact=True).select_option("legal_aid")
    page.get_by_label("City", exact=True).fill("Ghent")
    page.get_by_label("Serves people without a residence permit").check()
    page.get_by_role("button", name="Search").click()
    results = page.locator("main").inner_text()
    assert "Ghent Law Clinic" in results and "Ghent Notaries" not in results
    # Refer the case, sent ten days ago, to follow up yesterday: it is due on the home page.
    page.goto(f"/cases/{case.code}/")
    page.get_by_text("Refer to a service").click()
    page.get_by_label("Service in the directory").select_option(
        label="Ghent Law Clinic (Legal aid, Ghent)"
    )
    page.get_by_label("Why").fill("Advice on the return order.")
    page.get_by_label("Sent on").fill(str(today - dt.timedelta(days=10)))
    page.get_by_label("Follow up on").fill(str(today - dt.timedelta(days=1)))
    page.get_by_role("button", name="Refer", exact=True).click()
    page.get_by_text("Referral recorded.").wait_for()
    page.goto("/")
    panel = page.get_by_role("region", name="Referrals to follow up")
    assert case.code in panel.inner_text()
    panel.get_by_role("link", name=case.code).click()
    for status, ago in (("accepted", 5), ("completed", 0)):
        page.get_by_label("Status", exact=True).select_option(status)
        page.get_by_label("Date", exact=True).fill(str(today - dt.timedelta(days=ago)))
        page.get_by_role("button", name="Record").click()
        page.get_by_text("Change recorded.").wait_for()
    page.goto(f"/cases/{case.code}/")
    timeline = page.locator("main").inner_text()
    for status in ("Sent", "Accepted", "Completed"):
        assert f"Referral to Legal aid (Ghent Law Clinic): {status}" in timeline
    page.goto("/")
    panel = page.get_by_role("region", name="Referrals to follow up")
    assert case.code not in panel.inner_text()
