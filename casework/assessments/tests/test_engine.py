"""The form engine: relevance, constraints, calculations, repeats and choice filters."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils.datastructures import MultiValueDict

from casework.assessments.engine import (
    MAX_INSTANCES,
    FormState,
    answers_from_json,
    answers_from_post,
    apply_action,
    pick_language,
    with_defaults,
)
from casework.assessments.tests.conftest import FIXTURES, md
from casework.assessments.xlsform import read_xlsform

FORM = (FIXTURES / "engine.md").read_bytes()
TODAY = dt.date(2026, 3, 1)


def definition() -> dict:
    return read_xlsform(FORM, "engine.md").definition


def state(answers: dict, **kw: str) -> FormState:
    return FormState(definition(), answers, today=TODAY, **kw)


def node(s: FormState, key: str):
    return next(n for n in s.all_nodes() if n.key == key)


def problems(s: FormState) -> dict[str, tuple[str, str]]:
    return {p.field: (p.rule, p.message) for p in s.problems}


def test_a_question_shows_only_while_its_condition_holds() -> None:
    assert not node(state({"domains": "other"}), "child_age").relevant
    assert node(state({"domains": "other child"}), "child_age").relevant
    assert "q-child_age" in state({"domains": "other"}).hidden_ids


def test_an_answer_to_a_question_no_longer_shown_is_dropped() -> None:
    s = state({"domains": "other", "child_age": "12", "services": []})
    assert "child_age" not in s.cleaned()
    assert "child_age" not in problems(s)


def test_required_and_constraint_messages_come_from_the_form() -> None:
    s = state({"domains": "child", "child_age": "20", "services": []})
    assert problems(s)["child_age"] == ("constraint", "Under 18 only")
    s = state({"domains": "child", "services": []})
    assert problems(s)["child_age"] == ("required", "This question is required.")
    assert problems(state({"services": []}))["domains"][0] == "required"


def test_while_typing_only_broken_answers_show_their_message() -> None:
    s = state({"domains": "child", "services": []})
    s.hide_unshown_errors(complete=False)
    assert node(s, "child_age").error == ""
    s = state({"domains": "child", "child_age": "40", "services": []})
    s.hide_unshown_errors(complete=False)
    assert node(s, "child_age").error == "Under 18 only"


def test_types_are_checked_before_rules() -> None:
    s = state({"domains": "child", "child_age": "twelve", "services": []})
    assert problems(s)["child_age"] == ("type", "Enter a whole number.")
    s = state({"domains": "child banana", "services": []})
    assert problems(s)["domains"] == ("type", "Choose from the answers offered.")


def test_choice_filters_and_labels_follow_earlier_answers() -> None:
    s = state({"country": "be", "services": []})
    city = node(s, "city")
    assert [name for name, _ in city.options] == ["ghent", "liege"]
    assert city.label == "City in be"
    s = state({"country": "pl", "city": "ghent", "services": []})
    assert [name for name, _ in node(s, "city").options] == ["lodz"]
    assert problems(s)["city"] == ("type", "Choose from the answers offered.")


def test_repeats_are_added_removed_counted_and_summed() -> None:
    d = definition()
    answers = with_defaults(d)
    assert answers["services"] == [{"cost": "0"}]
    assert apply_action(d, answers, "add:services")
    answers["services"][0].update(kind="legal", cost="12.5")
    answers["services"][1].update(kind="other", kind_other="Dentist", cost="30")
    s = FormState(d, answers, today=TODAY)
    assert (s.answers["n"], s.answers["total"]) == ("2", "42.5")
    assert node(s, "summary").label == "2 services, €42.5"
    assert node(s, "services.1.kind_other").relevant
    assert apply_action(d, answers, "remove:services.0")
    assert [i["kind"] for i in answers["services"]] == ["other"]
    assert not apply_action(d, answers, "remove:services.5")
    assert not apply_action(d, answers, "add:nothing")


def test_a_required_question_in_each_repeat_entry_is_checked() -> None:
    s = state({"domains": "other", "services": [{"cost": "1"}, {"kind": "legal", "cost": "-2"}]})
    assert problems(s) == {
        "services.0.kind": ("required", "This question is required."),
        "services.1.cost": ("constraint", "This answer is not allowed."),
    }


def test_posted_fields_become_answers_by_path() -> None:
    data = MultiValueDict(
        {
            "domains": ["child", "other"],
            "child_age": ["7"],
            "services.__count": ["2"],
            "services.0.kind": ["legal"],
            "services.1.kind": ["other"],
            "services.1.kind_other": ["Dentist"],
            "unknown": ["ignored"],
        }
    )
    answers = answers_from_post(definition(), data, {"n": "kept"})
    assert answers["domains"] == "child other"
    assert answers["services"][1] == {"kind": "other", "kind_other": "Dentist", "cost": ""}
    assert "unknown" not in answers
    assert answers["n"] == "kept"  # a calculation is never taken from the page


def test_what_a_person_does_not_answer_is_not_taken_from_the_client() -> None:
    d = definition()
    posted = MultiValueDict({"n": ["99"], "total": ["1000000"], "domains": ["other"]})
    answers = answers_from_post(d, posted, with_defaults(d))
    assert "99" not in answers.values() and "1000000" not in answers.values()
    with pytest.raises(ValueError, match="n is calculated or read-only"):
        answers_from_json(d, {"n": 5}, with_defaults(d))


def test_json_answers_are_checked_in_shape() -> None:
    d = definition()
    base = with_defaults(d)
    ok = answers_from_json(d, {"domains": ["child", "other"], "child_age": 7,
                               "services": [{"kind": "legal", "cost": 1.5}]}, base)  # fmt: skip
    assert ok["domains"] == "child other" and ok["services"][0]["cost"] == "1.5"
    for bad, message in (
        ({"services": ["legal"]}, "services.0.: expected an object"),
        ({"services": {"kind": "legal"}}, "services: expected a list"),
        ({"services": [{"kind": "legal", "junk": "x"}]}, "services.0.junk is not a question"),
        ({"child_age": {"years": 7}}, "child_age: expected a single answer"),
        ({"domains": [1, 2]}, "domains: expected a list of choice names"),
        ({"nope": 1}, "nope is not a question"),
        ([1, 2], "answers: expected an object"),
    ):
        with pytest.raises(ValueError, match=re.escape(message)):
            answers_from_json(d, bad, base)


def test_repeat_entries_are_capped_in_total() -> None:
    d = definition()
    data = MultiValueDict({"services.__count": [str(MAX_INSTANCES + 50)]})
    assert len(answers_from_post(d, data, {})["services"]) == MAX_INSTANCES
    answers: dict[str, list[dict[str, str]]] = {"services": [{} for _ in range(MAX_INSTANCES)]}
    assert not apply_action(d, answers, "add:services")
    with pytest.raises(ValueError, match="at most"):
        answers_from_json(d, {"services": [{}] * (MAX_INSTANCES + 1)}, {})


def test_odd_indexes_and_control_characters_are_harmless() -> None:
    d = definition()
    answers = with_defaults(d)
    assert not apply_action(d, answers, "remove:services.\u00b2")
    assert not apply_action(d, answers, "add:services.\u00b2.x")
    s = state({"domains": "other", "services": [{"kind": "other", "kind_other": "a\x0bb\x00"}]})
    assert s.cleaned()["services"][0]["kind_other"] == "ab"


def test_a_chain_of_calculations_settles_whatever_their_order() -> None:
    chain = read_xlsform(
        md(
            """
| survey |
|  | type      | name | label | calculation  | relevant  |
|  | calculate | c1   |       | ${c2} + 1    |           |
|  | calculate | c2   |       | ${c3} + 1    |           |
|  | calculate | c3   |       | 1            |           |
|  | integer   | x    | X     |              | ${c1} = 3 |
"""
        ),
        "chain.md",
    ).definition
    s = FormState(chain, {}, today=TODAY)
    assert (s.answers["c1"], s.answers["c2"], s.answers["c3"]) == ("3", "2", "1")
    assert node(s, "x").relevant


def test_a_repeat_that_is_not_asked_has_no_entries() -> None:
    form = read_xlsform(
        md(
            """
| survey |
|  | type          | name  | label | relevant     | calculation |
|  | select_one yn | any   | Any?  |              |             |
|  | begin repeat  | items | Items | ${any}='yes' |             |
|  | text          | what  | What  |              |             |
|  | end repeat    |       |       |              |             |
|  | calculate     | n     |       |              | count(${items}) |
| choices |
|  | list_name | name | label |
|  | yn        | yes  | Yes   |
|  | yn        | no   | No    |
"""
        ),
        "items.md",
    ).definition
    s = FormState(form, {"any": "no", "items": [{"what": "a"}, {"what": "b"}]}, today=TODAY)
    assert s.answers["n"] == "0"
    assert s.cleaned()["items"] == []


def test_labels_are_in_the_users_language_with_the_default_as_fallback() -> None:
    d = definition()
    assert pick_language(d, "fr") == "Français (fr)"
    assert pick_language(d, "pl") == "English (en)"
    s = state({"services": []}, language="Français (fr)")
    assert node(s, "child_age").label == "Âge de l'enfant"
    assert node(s, "domains").options[0] == ("child", "Enfant")
    assert node(s, "child_age").error == ""
