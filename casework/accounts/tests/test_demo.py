from __future__ import annotations

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.http import HttpRequest
from django.utils import timezone

from casework.accounts.demo import PILOTS, demo_usernames
from casework.accounts.models import Membership, Organisation, Project, User
from casework.core.access import principal_of
from casework.core.periods import parse_period
from casework.finance.costs import costs_of


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_the_demo_network_has_seven_pilots_and_a_user_per_role(db: None, settings) -> None:
    output = run_demo()
    assert Organisation.objects.count() == 7
    assert Project.objects.count() == 7
    assert {o.slug for o in Organisation.objects.all()} == {
        "be",
        "bg",
        "cy",
        "gr",
        "it",
        "pl",
        "uk",
    }
    assert User.objects.count() == 24
    for username, role in demo_usernames():
        assert f"  {username}" in output
        user = authenticate(HttpRequest(), username=username, password=settings.DEMO_PASSWORD)
        assert user is not None, username
        granted = principal_of(user).role
        assert granted is not None and granted.code == role
    be = Organisation.objects.get(slug="be")
    assert principal_of(User.objects.get(username="caseworker.be")).organisation_id == be.pk
    assert "casework-demo" in output
    # Every pilot's supervisor sees last year's cost per person per day within its budget,
    # and a saving where the country has a detention cost (Belgium, the UK).
    start, end = parse_period(str(timezone.localdate().year - 1))
    for organisation in Organisation.objects.all():
        supervisor = User.objects.get(username=f"supervisor.{organisation.slug}")
        total = costs_of(supervisor, start, end)[-1]
        assert total.per_person_day and total.complete, organisation
        assert total.budget > total.spending > 0, organisation
        has_comparator = str(organisation.country) in {"BE", "GB"}
        assert (total.saving() is not None) == has_comparator, organisation


def test_running_the_demo_twice_adds_nothing(db: None) -> None:
    run_demo()
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    run_demo()
    skipped = run_demo("--if-empty")
    assert "already has data" in skipped
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts
    assert len(PILOTS) == 7
