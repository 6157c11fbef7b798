from __future__ import annotations

import datetime as dt
import math
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery

from casework.accounts.demo import create_demo_network
from casework.accounts.models import Organisation
from casework.cases.models import Case, EngagementPeriod
from casework.people.models import Person
from casework.people.services import find_people, read_identity
from casework.synthetic.generator import generate

END = dt.date(2026, 6, 30)


@pytest.fixture
def network(db: None, settings) -> list[Organisation]:
    create_demo_network(settings.DEMO_PASSWORD)
    return list(Organisation.objects.order_by("slug"))


def snapshot() -> list[tuple]:
    return list(
        Case.objects.order_by("code")
        .annotate(n_events=Count("events"))
        .values_list(
            "code", "person__code", "stage", "exit_reason", "resolution", "intake_date", "n_events"
        )
    )


def test_the_same_seed_gives_the_same_network(network: list[Organisation]) -> None:
    runs = []
    for _ in range(2):
        savepoint = transaction.savepoint()
        generate(150, 42, END, network)
        runs.append(snapshot())
        transaction.savepoint_rollback(savepoint)
    assert runs[0] == runs[1] and len(runs[0]) == 150
    generate(150, 43, END, network)
    assert snapshot() != runs[0]


def test_outcomes_follow_the_2020_evaluation_within_sampling_error(
    network: list[Organisation],
) -> None:
    n = 2000
    generate(n, 7, END, network)
    latest = EngagementPeriod.objects.filter(case=OuterRef("pk")).order_by("-started_on", "-pk")
    cases = Case.objects.annotate(latest=Subquery(latest.values("status")[:1]))
    shares = Counter(cases.values_list("latest", flat=True))
    resolved = cases.filter(exit_reason="resolved").count()
    for observed, expected in (
        (shares["engaged"], 0.86),
        (shares["disengaged"], 0.12),
        (shares["removed"], 0.02),
        (resolved, 0.25),
    ):
        sigma = math.sqrt(expected * (1 - expected) / n)
        assert abs(observed / n - expected) < 4 * sigma, (observed / n, expected)


def test_generated_records_keep_every_rule_of_the_real_ones(
    network: list[Organisation], django_user_model
) -> None:
    generate(300, 9, END, network)
    for case in Case.objects.all()[:50]:
        case.full_clean()
    assert (
        not Case.objects.annotate(
            open=Count("engagement_periods", filter=Q(engagement_periods__ended_on=None))
        )
        .filter(open__gt=1)
        .exists()
    )
    assert not Case.objects.filter(stage="closed", engagement_periods__ended_on=None).exists()
    assert (
        not Case.objects.exclude(stage="closed")
        .filter(intake_date__isnull=False)
        .annotate(open=Count("engagement_periods", filter=Q(engagement_periods__ended_on=None)))
        .filter(open=0)
        .exists()
    )
    assert not Case.objects.filter(events__occurred_on__gt=END).exists()
    person = Person.objects.filter(organisation__slug="be").first()
    assert person is not None
    caseworker = django_user_model.objects.get(username="caseworker.be")
    identity = read_identity(person, caseworker)
    found = find_people(caseworker, name=identity.full_name, date_of_birth=identity.date_of_birth)
    assert person in found
    assert Person.objects.exclude(household=None).exists()


def test_a_seed_cannot_be_used_twice_and_the_command_reports_shares(
    network: list[Organisation],
) -> None:
    from io import StringIO

    out = StringIO()
    call_command("generate", cases=100, seed=5, end=END, stdout=out)
    assert "100 cases" in out.getvalue() and "Outcomes:" in out.getvalue()
    with pytest.raises(CommandError, match="already used"):
        call_command("generate", cases=10, seed=5, end=END, stdout=StringIO())
    with pytest.raises(CommandError, match="No organisation nowhere"):
        call_command("generate", cases=10, seed=6, organisation=["nowhere"], stdout=StringIO())
