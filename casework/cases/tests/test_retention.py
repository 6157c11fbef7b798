"""Retention: `casework retention run` erases people past their organisation's period."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from casework.audit.models import Action, AuditEntry
from casework.cases.models import Contact
from casework.cases.retention import months_before
from casework.cases.services import close_case, record_contact, transition
from casework.cases.tests.conftest import new_case
from casework.testing.personas import World


def closed_case(world: World, closed: dt.date, org: str = "alpha"):
    start = closed - dt.timedelta(days=60)
    case = new_case(world, org, referral_date=start)
    case = transition(case, "screening", on=start, intake_date=start)
    record_contact(case, on=start, mode="in_person", note="Lives with her sister")
    return close_case(case, exit_reason="withdrew", on=closed)


def retention(*args: str) -> str:
    out = StringIO()
    call_command("retention", "run", *args, stdout=out)
    return out.getvalue()


def test_months_before_keeps_the_day_or_the_months_last() -> None:
    assert months_before(dt.date(2026, 12, 3), 24) == dt.date(2024, 12, 3)
    assert months_before(dt.date(2026, 3, 31), 1) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


def test_a_dry_run_reports_and_apply_erases_only_those_past_the_period(world: World) -> None:
    today = timezone.localdate()
    assert "nothing to do" in retention()
    world.alpha.retention_months = 24
    world.alpha.save()
    old = closed_case(world, months_before(today, 30))
    recent = closed_case(world, months_before(today, 10))
    still_open = new_case(world, referral_date=months_before(today, 40))
    beta = closed_case(world, months_before(today, 30), "beta")  # Beta keeps everything
    report = retention()
    assert "Alpha Association: 1 people" in report and "Dry run: 1 people would be erased" in report
    assert not AuditEntry.objects.filter(action=Action.ERASED).exists()
    assert "1 people erased" in retention("--apply")
    for case, erased in ((old, True), (recent, False), (still_open, False), (beta, False)):
        case.person.refresh_from_db()
        assert (case.person.erased_at is not None) == erased, case.code
    assert [c.note for c in Contact.objects.filter(case=old)] == [""]
    assert [c.note for c in Contact.objects.filter(case=recent)] == ["Lives with her sister"]
    entry = AuditEntry.objects.get(action=Action.ERASED)
    assert entry.actor == "" and "retention" in entry.changed_fields
    assert "0 people" in retention("--apply")  # once is enough
