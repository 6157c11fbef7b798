from __future__ import annotations

from io import StringIO

from django.contrib.auth import authenticate
from django.core.management import call_command
from django.http import HttpRequest

from casework.accounts.demo import PILOTS, demo_usernames
from casework.accounts.models import Membership, Organisation, Project, User
from casework.core.access import principal_of


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
