"""The demo network's own records: each pilot's involvement of people with lived experience
and last year's feedback, as the demo's first release publishes them."""

from __future__ import annotations

from django.utils import timezone

from casework.accounts.demo import create_demo_network as create_pilots
from casework.core import releases
from casework.network.demo import create_demo_network
from casework.network.models import FeedbackResponse, Involvement
from casework.testing.personas import PASSWORD

LAST_YEAR = timezone.localdate().year - 1


def test_the_demo_pilots_record_involvement_and_most_answered_last_years_feedback(
    db: None,
) -> None:
    create_pilots(PASSWORD)
    assert create_demo_network() > 0
    assert Involvement.objects.count() == 14  # seven pilots, last year and this year
    assert all(0 <= row.people <= 3 for row in Involvement.objects.all())
    answered = FeedbackResponse.objects.filter(year=LAST_YEAR)
    assert answered.count() == 6  # all but Cyprus
    assert all(3 <= response.score <= 5 for response in answered)
    figures = releases.build().figures.filter(period=str(LAST_YEAR))
    involved = figures.get(table="lived_experience_involved")
    assert (involved.suppressed, involved.value) == (False, 12)
    assert figures.get(table="network_feedback_responses").value == 6
    assert create_demo_network() == 0  # once only
