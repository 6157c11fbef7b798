"""The demo pilots' budgets and spending, as their supervisors see them."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.core.periods import parse_period
from casework.finance.costs import costs_of


def test_every_demo_pilot_has_plausible_costs(db: None) -> None:
    call_command("demo", stdout=StringIO())
    # Every pilot's supervisor sees last year's cost per person per day within its budget,
    # and a saving where the country has a detention cost (Belgium, the UK).
    start, end = parse_period(str(timezone.localdate().year - 1))
    pilots = Organisation.objects.all()
    assert pilots.count() == 7
    for organisation in pilots:
        supervisor = User.objects.get(username=f"supervisor.{organisation.slug}")
        total = costs_of(supervisor, start, end)[-1]
        assert total.per_person_day and total.complete, organisation
        assert total.budget > total.spending > 0, organisation
        has_comparator = str(organisation.country) in {"BE", "GB"}
        assert (total.saving() is not None) == has_comparator, organisation
