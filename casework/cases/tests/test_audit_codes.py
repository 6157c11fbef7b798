"""Audit entries about people, households and cases name their pseudonymous codes."""

from __future__ import annotations

from casework.audit.models import Action, AuditEntry
from casework.audit.services import record
from casework.cases.models import Case


def test_entries_name_codes_not_database_ids(case: Case) -> None:
    opened = AuditEntry.objects.get(action=Action.CREATE, object_type="cases.case")
    assert (opened.object_id, opened.subject) == (case.code, f"{case.code} {case.person.code}")
    registered = AuditEntry.objects.get(action=Action.CREATE, object_type="people.person")
    assert registered.object_id == registered.subject == case.person.code
    assert str(case.pk) not in (opened.object_id, *opened.subject.split())


def test_a_row_under_a_case_names_the_case_code_even_when_not_loaded(case: Case) -> None:
    fresh = Case.objects.get(pk=case.pk)  # its person is not loaded: the code is looked up
    entry = record(Action.READ, obj=fresh)
    assert entry.subject.split() == [case.code, case.person.code]
