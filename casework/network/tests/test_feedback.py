"""Feedback from network members: each organisation's admins answer the network's standard
questionnaire once a year; the network's coordinators and evaluators read every answer, and
releases publish the mean confidence and the number of members who answered."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from casework.assessments.services import STANDARD_DIR, InvalidAnswers, import_form
from casework.audit.models import Action, AuditEntry
from casework.core import releases
from casework.network import services
from casework.network.choices import CONFIDENCE, FEEDBACK_FORM
from casework.network.indicators import counts
from casework.network.models import FeedbackResponse
from casework.testing.personas import World

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


@pytest.fixture
def questionnaire(world: World) -> World:
    """The network's feedback questionnaire, from the form library."""
    path = STANDARD_DIR / f"{FEEDBACK_FORM}.xlsx"
    import_form(path.read_bytes(), path.name)
    return world


def answers(*scores: int, **comments: str) -> dict[str, str]:
    return {name: str(n) for name, n in zip(CONFIDENCE, scores, strict=False)} | comments


def test_an_admin_answers_on_the_page_and_answering_again_replaces(
    questionnaire: World, client: Any
) -> None:
    url = reverse("network:feedback-answer")
    client.force_login(questionnaire.olga)
    form = client.get(url, {"lang": "Français (fr)"}).content.decode()
    assert 'name="confidence_messaging"' in form and "Tout à fait d&#x27;accord" in form
    wrong = client.post(url, {**answers(4, 9), "_lang": "English (en)"})
    assert wrong.status_code == 400 and "Choose from the answers offered" in wrong.content.decode()
    empty = client.post(url, {"most_useful": "The meetings"})
    assert empty.status_code == 400 and "at least one" in empty.content.decode()
    assert not FeedbackResponse.objects.exists()
    sent = client.post(url, answers(4, 5, 3, most_useful="The shared forms"))
    assert sent.status_code == 302 and sent["Location"] == reverse("network:feedback")
    response = FeedbackResponse.objects.get()
    assert (response.organisation, response.year, str(response.score)) == (
        questionnaire.alpha,
        TODAY.year,
        "4.00",  # the mean of the three statements answered
    )
    assert response.answers["most_useful"] == "The shared forms"
    assert response.answered_by == questionnaire.olga and response.answered_on == TODAY
    again = client.get(url).content.decode()  # opens with this year's answers
    assert "The shared forms" in again
    assert client.post(url, answers(2, 2, 2, 2, 3)).status_code == 302
    response = FeedbackResponse.objects.get()  # still one for the year
    assert str(response.score) == "2.20" and "most_useful" not in response.answers
    assert AuditEntry.objects.filter(action=Action.UPDATE, object_id=str(response.uid)).exists()


def test_the_network_reads_every_answer_and_an_admin_their_own(
    questionnaire: World, client: Any
) -> None:
    w = questionnaire
    services.answer_feedback(w.olga, answers(4, 4, 4, 4, 4, improve="Alpha wants shorter calls"))
    services.answer_feedback(w.boris, answers(3, 3, 3, 3, 2, improve="Beta wants translations"))
    services.answer_feedback(w.boris, answers(5), year=LAST_YEAR)
    url = reverse("network:feedback")
    client.force_login(w.eva)
    page = client.get(url).content.decode()
    assert "Alpha wants shorter calls" in page and "Beta wants translations" in page
    assert "2 members answered; mean confidence 3.40 of 5." in page
    assert "One member answered; confidence 5.00 of 5." in page  # last year's round
    assert "Answer the questionnaire" not in page  # the network does not answer
    client.force_login(w.olga)
    own = client.get(url).content.decode()
    assert "Alpha wants shorter calls" in own and "Beta wants" not in own
    assert "Change your organisation's answers for" in own
    assert set(FeedbackResponse.objects.visible_to(w.boris)) == set(
        FeedbackResponse.objects.filter(organisation=w.beta)
    )
    for user in (w.otto, w.amina, w.sam):
        assert not FeedbackResponse.objects.visible_to(user).exists()
    for user in (w.nora, w.eva, w.amina):
        with pytest.raises(PermissionDenied):
            services.answer_feedback(user, answers(4))
    with pytest.raises(InvalidAnswers):
        services.answer_feedback(w.olga, answers(0))
    with pytest.raises(ValidationError):
        services.answer_feedback(w.olga, answers(4), year=TODAY.year + 1)


def test_the_feedback_page_asks_the_same_queries_for_more_answers(
    questionnaire: World, client: Any, django_assert_num_queries: Any
) -> None:
    w = questionnaire
    client.force_login(w.nora)
    url = reverse("network:feedback")
    client.get(url)  # the first request after signing in stamps the session
    for year in range(LAST_YEAR - 3, TODAY.year + 1):
        services.answer_feedback(w.olga, answers(4, 3), year=year)
        services.answer_feedback(w.boris, answers(2, 5, 4), year=year)
    # Session, user, memberships, the second-factor check; the answers with their
    # organisations.
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    client.force_login(w.olga)
    client.get(url)
    # The same, and whether the questionnaire is loaded (to answer this year's).
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


def test_releases_publish_the_mean_confidence_and_the_members_who_answered(
    questionnaire: World,
) -> None:
    w = questionnaire
    services.answer_feedback(w.olga, answers(4, 4, 4, 3), year=LAST_YEAR)  # 3.75
    services.answer_feedback(w.boris, answers(3, 3), year=LAST_YEAR)
    services.save_activity(w.nora, kind="approach", title="This year's approach", on=TODAY)
    found = counts(*(TODAY.replace(year=LAST_YEAR, month=m, day=d) for m, d in ((1, 1), (12, 31))))
    assert (found["network_feedback_score"], found["network_feedback_responses"]) == (3.38, 2)
    release = releases.build(periods=[str(LAST_YEAR)])
    year = {f.table: f for f in release.figures.filter(period=str(LAST_YEAR))}
    score, members = year["network_feedback_score"], year["network_feedback_responses"]
    assert (score.value, score.numerator, score.suppressed) == (3.38, None, False)
    assert (members.value, members.numerator) == (2, 2)  # one member too few: still published
    to_date = {f.table: f.value for f in release.figures.filter(period=f"{TODAY.year}-YTD")}
    assert to_date["network_feedback_score"] is None  # nobody answered yet: no mean, not 0
    assert to_date["network_feedback_responses"] == 0 and to_date["approaches"] == 1
    assert not releases.has_news()  # an unanswered year stays no news
    services.answer_feedback(w.olga, answers(5, 5))
    assert releases.has_news()
    later = releases.build()
    assert later.figures.get(period=f"{TODAY.year}-YTD", table="network_feedback_score").value == 5
