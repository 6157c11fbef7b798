"""No identity value, and no free text about a person (a contact note, a goal, a task, an
approval's comment, a form answer, a referral's reason, outcome and notes), is stored in
clear: not in the SQLite file, not in a PostgreSQL dump."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
SECRETS = [
    "Zaïnab",
    "Okonkwo",
    "Lindqvist",
    "Zee Okon",
    "470 12 34 56",
    "Rue Imaginaire",
    "9876543",
    "afraid of her husband",  # a contact note
    "Quai des Brumes",  # a goal
    "Call the Zephyrine shelter",  # a task
    "Wait for the Xylander report",  # an approval's comment
    "Violet Hangar 7",  # a form answer
    "Sleeps in the Yarrowby depot",  # why a referral was made
    "Offered a room at Umberwick",  # its outcome
    "Waited at the Quenby desk",  # a note on a change of its status
]
NOTE_FORM = """
| survey |
| | type | name | label |
| | text | where_staying | Where are you staying? |
| settings |
| | form_title | form_id | version |
| | Plain text check | plain_text_check | 1 |
"""


def register_three() -> None:
    """Three people with known identities, through the public services."""
    from casework.accounts.models import Organisation
    from casework.people.identity import IdentityData
    from casework.people.services import create_household, register_person

    org = Organisation.objects.create(
        slug="plain", name="Plain Text Check", country="BE", closure_needs_approval=True
    )
    household = create_household(org)
    for i in range(3):
        data = IdentityData(
            given_names="Zaïnab",
            family_name=f"Okonkwo-Lindqvist{i}",
            aliases=["Zee Okon"],
            date_of_birth=dt.date(1991, 4, 17),
            phone="+32 470 12 34 56",
            address="Rue Imaginaire 12, Ghent",
            file_numbers=["OV-9876543"],
        )
        person = register_person(org, data, household=household)
    free_text(org, person)


def free_text(org, person) -> None:
    """A case with free text in every sealed field, through the public services."""
    from casework.accounts.models import Project, User
    from casework.accounts.services import add_membership
    from casework.assessments.services import import_form, submit
    from casework.cases.services import (
        add_goal,
        add_task,
        decide_approval,
        open_case,
        record_contact,
        request_transition,
        transition,
    )
    from casework.referrals.services import refer_case, update_referral

    on = dt.date(2025, 3, 1)
    project = Project.objects.create(organisation=org, name="Plain project", start_date=on)
    supervisor = User.objects.create(username="plain-supervisor")
    add_membership(supervisor, "supervisor", org)
    case = open_case(
        project,
        person,
        referral_date=on,
        referral_source="ngo",
        detention_status="released_from_detention",
        immigration_status="return_order",
    )
    case = transition(case, "screening", on=on, intake_date=on)
    record_contact(case, on=on, mode="in_person", note="She is afraid of her husband.")
    add_goal(case, domain="housing", description="A flat near Quai des Brumes")
    add_task(case, title="Call the Zephyrine shelter", due_on=on)
    approval = request_transition(case, "closed", on=on, exit_reason="withdrew", by=None)
    decide_approval(approval, approve=False, comment="Wait for the Xylander report", by=supervisor)
    version = import_form(NOTE_FORM.strip().encode(), "plain.md", organisation=org)
    submit(case, version, {"where_staying": "Violet Hangar 7"}, by=None)
    referral = refer_case(
        case,
        by=None,
        provider="Plain shelter",
        service_type="shelter",
        reason="Sleeps in the Yarrowby depot",
        sent_on=on,
    )
    update_referral(
        referral,
        by=None,
        status="completed",
        on=on,
        note="Waited at the Quenby desk",
        outcome="Offered a room at Umberwick",
    )


def erase_one() -> str:
    """Erase the person with free text through the public service; what their sealed
    values were, as stored, in hex: none of it may stay in the database afterwards."""
    from casework.accounts.models import User
    from casework.accounts.services import add_membership
    from casework.people.models import Person
    from casework.people.services import erase_person

    person = Person.objects.filter(cases__isnull=False).get()
    stored: list[bytes] = [bytes(person.identity.sealed)]
    queries = [
        "SELECT note FROM cases_contact",
        "SELECT description FROM cases_goal",
        "SELECT title FROM cases_task",
        "SELECT comment FROM cases_approval",
        "SELECT answers FROM assessments_submission",
        "SELECT reason FROM referrals_referral",
        "SELECT outcome FROM referrals_referral",
        "SELECT note FROM referrals_referralstep",
    ]
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(query)
            stored += [row[0].encode() for row in cursor.fetchall() if row[0]]
    admin = User.objects.create(username="plain-admin")
    add_membership(admin, "org_admin", person.organisation)
    erase_person(person, admin)
    return " ".join(value.hex() for value in stored)


def remnants(blob: bytes, hexes: str, *, dumped: bool = False) -> int:
    """How many of the erased values are still in `blob` (a dump writes bytea as hex)."""
    values = [bytes.fromhex(h) for h in hexes.split()]
    assert len(values) >= 9  # an identity and eight sealed texts were there to erase
    found = 0
    for value in values:
        forms = [value, value.hex().encode()] if dumped else [value]
        found += any(form in blob for form in forms)
    return found


REGISTER = (
    "import django; django.setup(); "
    "from tests.test_no_plain_text import register_three; "
    "register_three(); print('registered')"
)


def leaks(blob: bytes) -> list[str]:
    found = []
    for secret in SECRETS:
        for form in {secret, secret.lower(), secret.upper()}:
            for encoding in ("utf-8", "utf-16-le"):
                if form.encode(encoding) in blob:
                    found.append(f"{form!r} ({encoding})")
    return found


ERASE = (
    "import django; django.setup(); "
    "from tests.test_no_plain_text import erase_one; print(erase_one())"
)


def test_no_identity_value_appears_in_the_sqlite_file(tmp_path: Path) -> None:
    unset = ("CASEWORK_", "DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS")
    env = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    env.update({"CASEWORK_VAR_DIR": str(tmp_path), "CASEWORK_DEBUG": "1"})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )

    assert run("-m", "casework.cli", "migrate", "-v0").returncode == 0
    result = run("-c", REGISTER)
    assert result.stdout.strip() == "registered", result.stderr
    files = [p for p in tmp_path.iterdir() if p.name.startswith("casework.sqlite3")]
    assert files
    blob = b"".join(p.read_bytes() for p in files)  # the database and its WAL
    assert b"Plain Text Check" in blob  # the check can see plain text when it is there
    assert leaks(blob) == []
    sealed = blob
    erased = run("-c", ERASE)
    assert erased.returncode == 0, erased.stderr
    assert remnants(sealed, erased.stdout) >= 9  # the check finds them while they are there
    blob = b"".join(p.read_bytes() for p in files if p.exists())
    assert remnants(blob, erased.stdout) == 0
    assert leaks(blob) == []


@pytest.mark.django_db(transaction=True)
def test_no_identity_value_appears_in_a_postgresql_dump() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("runs in the PostgreSQL leg of CI")
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        pytest.fail("pg_dump is needed for this check")
    register_three()
    assert leaks(pg_dump_of(pg_dump)) == []
    sealed = pg_dump_of(pg_dump)
    assert b"Plain Text Check" in sealed
    erased = erase_one()
    assert remnants(sealed, erased, dumped=True) >= 9
    dump = pg_dump_of(pg_dump)
    assert remnants(dump, erased, dumped=True) == 0
    assert leaks(dump) == []


def pg_dump_of(pg_dump: str) -> bytes:
    conf = connection.settings_dict
    dump = subprocess.run(
        [
            pg_dump,
            "--data-only",
            "-h",
            conf["HOST"] or "127.0.0.1",
            "-p",
            str(conf["PORT"] or 5432),
            "-U",
            conf["USER"] or "postgres",
            conf["NAME"],
        ],
        capture_output=True,
        timeout=120,
        env={**os.environ, "PGPASSWORD": conf.get("PASSWORD") or ""},
    )
    assert dump.returncode == 0, dump.stderr
    return dump.stdout
