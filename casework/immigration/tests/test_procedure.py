from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.cases.choices import Engagement, EventKind, Stage
from casework.cases.models import Case
from casework.cases.services import CaseRuleError, transition
from casework.cases.tests.conftest import REFERRED, new_case
from casework.immigration.models import ProcedureEvent
from casework.immigration.services import (
    record_appointment_outcome,
    record_procedure_event,
    schedule_appointment,
    set_legal_status,
)
from casework.testing.personas import World

INTAKE = REFERRED + dt.timedelta(days=2)


def d(n: int) -> dt.date:
    return INTAKE + dt.timedelta(days=n)


@pytest.fixture
def active(world: World) -> Case:
    case = new_case(world)
    return transition(case, Stage.SCREENING, on=INTAKE, intake_date=INTAKE)


def test_procedure_events_land_on_the_case_timeline(active: Case) -> None:
    record_procedure_event(active, "application", on=d(1), source="lawyer")
    record_procedure_event(active, "decision_negative", on=d(20), source="authority")
    events = active.events.filter(kind=EventKind.PROCEDURE)
    assert [e.summary for e in events] == ["Negative decision", "Application"]
    assert events[0].source_type == "immigration.procedureevent"


def test_detention_and_release_drive_engagement_and_episodes(active: Case) -> None:
    record_procedure_event(active, "detained", on=d(10), place_type="police_station")
    assert active.engagement_on(d(10)) == Engagement.DETAINED
    with pytest.raises(CaseRuleError, match="already recorded as detained"):
        record_procedure_event(active, "detained", on=d(11))
    record_procedure_event(active, "released", on=d(14))
    assert active.engagement_on(d(14)) == Engagement.ENGAGED
    episode = active.detentions.get()
    assert (episode.started_on, episode.ended_on, episode.place_type) == (
        d(10),
        d(14),
        "police_station",
    )
    with pytest.raises(CaseRuleError, match="not recorded as detained"):
        record_procedure_event(active, "released", on=d(15))


def test_a_removal_ends_engagement_as_removed(active: Case) -> None:
    record_procedure_event(active, "detained", on=d(5))
    record_procedure_event(active, "removal", on=d(9))
    assert active.engagement_on(d(9)) == Engagement.REMOVED
    assert active.detentions.get().ended_on == d(9)


def test_legal_status_history_keeps_its_order(active: Case) -> None:
    set_legal_status(active, "asylum_pending", since=d(1))
    set_legal_status(active, "asylum_refused", since=d(40))
    with pytest.raises(CaseRuleError, match="newer legal status"):
        set_legal_status(active, "dublin", since=d(20))
    latest = active.legal_statuses.first()
    assert latest is not None and latest.status == "asylum_refused"


def test_a_reporting_appointment_becomes_a_procedure_event_when_it_happens(active: Case) -> None:
    today = timezone.localdate()
    future = schedule_appointment(active, "reporting", on=today + dt.timedelta(days=7))
    with pytest.raises(CaseRuleError, match="not happened yet"):
        record_appointment_outcome(future, "attended")
    past = schedule_appointment(active, "reporting", on=today - dt.timedelta(days=1))
    record_appointment_outcome(past, "missed")
    assert ProcedureEvent.objects.get(case=active).kind == "reporting_missed"
    with pytest.raises(CaseRuleError, match="already recorded"):
        record_appointment_outcome(past, "attended")
