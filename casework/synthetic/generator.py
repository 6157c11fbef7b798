"""A synthetic network of cases, for demos, tests and benchmarks.

Outcome shares follow the 2020 evaluation (DOMAIN.md): of the people enrolled, 86% stay
engaged (25% of everyone reaching a resolution), 12% disengage and 2% are forcibly removed.
Everything is drawn from one `random.Random(seed)`, dated relative to `end`, so the same seed
and end date give the same data. Rows are written with bulk inserts (no audit entry per
synthetic row; one entry records the generation), identities are sealed like real ones.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import Promise

from casework.accounts.models import Membership, Organisation, Project
from casework.assessments.choices import OutcomeDimension, SubmissionStatus
from casework.assessments.models import FormVersion, OutcomeRating, Submission
from casework.assessments.services import load_standard
from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.choices import (
    OUTCOME_TYPE,
    TRANSITIONS,
    ContactMode,
    DetentionStatus,
    Engagement,
    EventKind,
    ExitReason,
    GoalDomain,
    ImmigrationStatus,
    ReferralSource,
    Stage,
    Vulnerability,
)
from casework.cases.models import (
    Case,
    CaseVulnerability,
    Contact,
    EngagementPeriod,
    Goal,
    TimelineEvent,
)
from casework.core.crypto import keyring
from casework.core.fields import SealedTextField
from casework.core.roles import Capability, roles_with
from casework.immigration.choices import AppointmentKind, ProcedureKind
from casework.immigration.models import Appointment, DetentionEpisode, LegalStatus, ProcedureEvent
from casework.people.identity import IdentityData, index_terms
from casework.people.models import (
    BlindIndex,
    Household,
    Identity,
    Person,
    identity_associated_data,
)
from casework.people.services import CODE_ALPHABET

SHARES = {"removed": 0.02, "disengaged": 0.12}  # the rest stay engaged
RESOLVED_SHARE = 0.25  # of everyone enrolled
GIVEN = [
    "Amina",
    "Omar",
    "Fatima",
    "Yusuf",
    "Leyla",
    "Ali",
    "Mariam",
    "Ibrahim",
    "Sara",
    "Hassan",
    "Aisha",
    "Mamadou",
    "Grace",
    "Samuel",
    "Nour",
    "Ahmad",
    "Zainab",
    "Daniel",
    "Hana",
    "Tariq",
    "Elena",
    "Arman",
    "Rahel",
    "Bilal",
    "Ruth",
    "Karim",
    "Meron",
    "Yaw",
    "Dilnoza",
    "Artem",
]
FAMILY = [
    "Haddad",
    "Diallo",
    "Mensah",
    "Rahimi",
    "Karimi",
    "Abebe",
    "Okafor",
    "Nasser",
    "Hussein",
    "Tesfaye",
    "Kamara",
    "Bah",
    "Sow",
    "Mahmoud",
    "Popescu",
    "Petrov",
    "Ali",
    "Khan",
    "Osei",
    "Yilmaz",
    "Barzani",
    "Sesay",
    "Conteh",
    "Hakimi",
    "Shevchenko",
    "Gashi",
    "Bello",
    "Tadesse",
]
NATIONALITIES = [
    "SY",
    "AF",
    "IQ",
    "ER",
    "NG",
    "GN",
    "SN",
    "PK",
    "MA",
    "DZ",
    "CM",
    "UA",
    "GE",
    "TR",
    "SO",
    "SD",
    "BD",
    "CD",
    "stateless",
    "unknown",
]
LANGUAGES = ["ar", "fa", "ps", "ti", "en", "fr", "ru", "uk", "ku", "so", "bn", "tr"]


@dataclass
class Batch:
    """Rows of one batch, in insert order."""

    households: list[Household] = field(default_factory=list)
    people: list[tuple[Person, IdentityData]] = field(default_factory=list)
    cases: list[tuple[Case, Person, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Counts:
    cases: int = 0
    people: int = 0
    events: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


class Generator:
    def __init__(self, seed: int, end: dt.date, organisations: list[Organisation]) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
        self.end = end
        self.ring = keyring()
        self.pilots = []
        for org in organisations:
            projects = list(Project.objects.filter(organisation=org))
            staff = [
                m.user
                for m in Membership.objects.filter(
                    organisation=org, is_active=True, role__in=roles_with(Capability.CASES_WORK)
                ).select_related("user")
            ]
            if projects:
                self.pilots.append((org, projects, staff))
        if not self.pilots:
            raise ValueError("No organisation with a project to generate cases in.")
        self.counts = Counts()
        self.now = timezone.now()
        self.ratings_form = self._ratings_form()

    @staticmethod
    def _ratings_form() -> FormVersion:
        """The outcome ratings form that synthetic ratings are 'filled' with."""
        wanted = {"form__form_id": "casework_outcome_ratings", "form__organisation": None}
        if not FormVersion.objects.filter(**wanted).exists():
            load_standard()
        version = FormVersion.objects.filter(**wanted).order_by("-number").first()
        if version is None:
            raise LookupError("the standard forms have no casework_outcome_ratings form")
        return version

    # -- drawing -------------------------------------------------------------------------------
    def code(self, prefix: str) -> str:
        chars = "".join(self.rng.choice(CODE_ALPHABET) for _ in range(8))
        return f"{prefix}-{chars[:4]}-{chars[4:]}"

    def day(self, start: dt.date, low: int, high: int) -> dt.date:
        return min(start + dt.timedelta(days=self.rng.randint(low, high)), self.end)

    def outcome(self) -> str:
        draw = self.rng.random()
        if draw < SHARES["removed"]:
            return "removed"
        if draw < SHARES["removed"] + SHARES["disengaged"]:
            return "disengaged"
        resolved_given_engaged = RESOLVED_SHARE / (1 - SHARES["removed"] - SHARES["disengaged"])
        return "resolved" if self.rng.random() < resolved_given_engaged else "engaged"

    def identity(self, year: int) -> IdentityData:
        rng = self.rng
        dob = dt.date(year, rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.8 else None
        return IdentityData(
            given_names=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            date_of_birth=dob,
            phone=f"+32 4{rng.randint(10, 99)} {rng.randint(100000, 999999)}",
            file_numbers=[f"F-{rng.randint(100000, 999999)}"] if rng.random() < 0.7 else [],
        )

    def person(
        self,
        org: Organisation,
        year: int,
        household: Household | None = None,
        relationship: str = "",
    ) -> tuple[Person, IdentityData]:
        rng = self.rng
        person = Person(
            organisation=org,
            code=self.code("P"),
            birth_year=year,
            gender=rng.choices(["male", "female", "non_binary", "declined"], [55, 42, 1, 2])[0],
            nationality=rng.choice(NATIONALITIES),
            languages=rng.sample(LANGUAGES, rng.randint(1, 2)),
            interpreter_needed=rng.random() < 0.6,
            household=household,
            relationship=relationship,
        )
        return person, self.identity(year)

    # -- one case ------------------------------------------------------------------------------
    def plan_case(self, batch: Batch) -> None:
        rng = self.rng
        org, projects, staff = rng.choice(self.pilots)
        project = rng.choice(projects)
        earliest = max(project.start_date, self.end - dt.timedelta(days=3 * 365))
        span = max((self.end - dt.timedelta(days=45) - earliest).days, 1)
        referral = earliest + dt.timedelta(days=rng.randint(0, span))
        household = None
        head_year = rng.randint(1965, 2006)
        if rng.random() < 0.2:
            household = Household(organisation=org, code=self.code("H"))
            batch.households.append(household)
        head, identity = self.person(org, head_year, household, "head" if household else "")
        batch.people.append((head, identity))
        if household is not None:
            for _ in range(rng.randint(1, 4)):
                batch.people.append(self.person(org, rng.randint(2008, 2024), household, "child"))
        case = Case(
            organisation=org,
            project=project,
            code=self.code("C"),
            case_manager=rng.choice(staff) if staff else None,
            referral_date=referral,
            referral_source=rng.choices(ReferralSource.values[:6], [30, 35, 15, 5, 12, 3])[0],
            detention_status=rng.choices(DetentionStatus.values[:3], [25, 45, 30])[0],
            immigration_status=rng.choice(ImmigrationStatus.values[:7]),
            legal_representation=rng.random() < 0.7,
            stage=Stage.REFERRAL,
            stage_since=referral,
        )
        plan = {"outcome": self.outcome(), "household": household}
        batch.cases.append((case, head, plan))

    def story(self, case: Case, plan: dict[str, Any]) -> Iterator[Row]:
        """The case's timeline: stage changes, engagement, contacts, procedure, closure."""
        rng, org = self.rng, case.organisation_id

        def row(model: type, **values: Any) -> Row:
            return Row(model, case, {"organisation_id": org, **values})

        events: list[tuple[str, dt.date, str | Promise, dict]] = []
        intake = self.day(case.referral_date, 0, 21)
        case.intake_date = intake
        events.append((EventKind.STAGE, case.referral_date, "Referred", {"to": Stage.REFERRAL}))
        stage, when = Stage.REFERRAL, intake
        for target in (Stage.SCREENING, Stage.ASSESSMENT, Stage.CASE_PLANNING, Stage.ACTIVE):
            if when >= self.end:
                break
            assert target in TRANSITIONS[stage]
            summary = f"{Stage(stage).label} → {Stage(target).label}"
            events.append((EventKind.STAGE, when, summary, {"from": stage, "to": target}))
            stage, case.stage_since = target, when
            when = self.day(when, 5, 20)
        case.stage = stage
        outcome = plan["outcome"]
        horizon = max((self.end - intake).days, 1)
        span = {"resolved": (60, 600), "disengaged": (20, 300), "removed": (30, 400)}
        low, high = span.get(outcome, (horizon, horizon))
        last_day = self.day(intake, min(low, horizon), min(high, horizon))
        periods = [
            row(EngagementPeriod, status=Engagement.ENGAGED, started_on=intake, ended_on=None)
        ]
        contact_day, last_attended = intake, None
        while contact_day < last_day:  # a contact every two to six weeks while engaged
            attended = rng.random() < (0.93 if outcome != "disengaged" else 0.8)
            yield row(
                Contact,
                occurred_on=contact_day,
                mode=rng.choices(ContactMode.values, [60, 30, 10])[0],
                attended=attended,
                interpreter_used=rng.random() < 0.5,
                duration_minutes=rng.choice([20, 30, 45, 60, 90]),
                note="",
            )
            events.append(
                (
                    EventKind.CONTACT,
                    contact_day,
                    "Contact, attended" if attended else "Contact, missed",
                    {"attended": attended},
                )
            )
            last_attended = contact_day if attended else last_attended
            contact_day += dt.timedelta(days=rng.randint(14, 45))
        case.last_contact_on = last_attended
        yield from self.reporting(row, intake, last_day, outcome)
        plan["ratings"] = self.ratings(intake, last_day)
        for on, _timepoint, _scores in plan["ratings"]:
            events.append(
                (EventKind.SUBMISSION, on, "Form submitted: Outcome ratings", {"form_id": RATINGS})
            )
        yield row(LegalStatus, status=case.immigration_status, since=intake)
        for kind, offset in (("application", 10), ("interview", 60), ("hearing", 150)):
            on = intake + dt.timedelta(days=offset + rng.randint(0, 20))
            if on < last_day and rng.random() < 0.7:
                yield row(ProcedureEvent, occurred_on=on, kind=kind, source="person")
                events.append((EventKind.PROCEDURE, on, ProcedureKind(kind).label, {"kind": kind}))
        if rng.random() < 0.8:
            yield row(
                Goal,
                domain=rng.choice(GoalDomain.values),
                description="Goal of the case plan",
                target_date=None,
                status="open",
            )
        closing = None
        if outcome == "resolved" and last_day < self.end:
            closing = (last_day, ExitReason.RESOLVED, rng.choice(list(OUTCOME_TYPE)))
            yield row(
                ProcedureEvent, occurred_on=last_day, kind="decision_positive", source="authority"
            )
            events.append(
                (EventKind.PROCEDURE, last_day, "Positive decision", {"kind": "decision_positive"})
            )
        elif outcome == "disengaged":
            periods[-1].values["ended_on"] = last_day
            periods.append(
                row(
                    EngagementPeriod,
                    status=Engagement.DISENGAGED,
                    started_on=last_day,
                    ended_on=None,
                )
            )
            events.append(
                (
                    EventKind.ENGAGEMENT,
                    last_day,
                    "Engaged → Disengaged",
                    {"from": "engaged", "to": "disengaged"},
                )
            )
            close_on = self.day(last_day, 30, 90)
            if rng.random() < 0.7 and close_on < self.end:
                closing = (close_on, ExitReason.DISENGAGED, "")
        elif outcome == "removed":
            detained = self.day(intake, 0, max((last_day - intake).days, 0))
            periods[-1].values["ended_on"] = detained
            periods.append(
                row(
                    EngagementPeriod,
                    status=Engagement.DETAINED,
                    started_on=detained,
                    ended_on=last_day,
                )
            )
            periods.append(
                row(EngagementPeriod, status=Engagement.REMOVED, started_on=last_day, ended_on=None)
            )
            yield row(
                DetentionEpisode,
                started_on=detained,
                ended_on=last_day,
                place_type="detention_centre",
            )
            for kind, on in (("detained", detained), ("removal", last_day)):
                yield row(ProcedureEvent, occurred_on=on, kind=kind, source="authority")
                events.append((EventKind.PROCEDURE, on, ProcedureKind(kind).label, {"kind": kind}))
            closing = (last_day, ExitReason.REMOVED, "")
        elif rng.random() < 0.12 and case.stage == Stage.ACTIVE:
            close_on = self.day(intake, 90, 700)
            if close_on < self.end:
                reason = rng.choice(
                    [ExitReason.TRANSFERRED, ExitReason.WITHDREW, ExitReason.PROJECT_ENDED]
                )
                closing = (close_on, reason, "")
        if closing is not None:
            on, reason, resolution = closing
            on = max(on, case.stage_since)
            events.append(
                (
                    EventKind.STAGE,
                    on,
                    f"Closed: {ExitReason(reason).label}",
                    {
                        "from": case.stage,
                        "to": Stage.CLOSED,
                        "exit_reason": reason,
                        "resolution": resolution,
                    },
                )
            )
            case.stage, case.stage_since, case.closed_on = Stage.CLOSED, on, on
            case.exit_reason, case.resolution = reason, resolution
            last = periods[-1].values
            last["ended_on"] = max(on, last["started_on"])
        yield from periods
        for flag in rng.sample(Vulnerability.values, rng.choice([0, 0, 1, 1, 2, 3])):
            yield row(CaseVulnerability, flag=flag)
        for kind, on, text, data in sorted(events, key=lambda e: e[1]):
            yield row(
                TimelineEvent,
                kind=kind,
                occurred_on=on,
                summary=text,
                data=data,
                recorded_at=self.now,
                recorded_by_id=None,
                source_type="",
                source_id=None,
            )
        self.counts.outcomes[outcome] = self.counts.outcomes.get(outcome, 0) + 1

    def reporting(
        self, row: Callable[..., Row], intake: dt.date, last_day: dt.date, outcome: str
    ) -> Iterator[Row]:
        """Reporting to the authorities every four to eight weeks; kept almost always, and
        missed more often in the weeks before someone disengages."""
        on = intake + dt.timedelta(days=self.rng.randint(7, 30))
        while on <= last_day:
            closing_in = (last_day - on).days
            keeps = 0.6 if outcome == "disengaged" and closing_in < 60 else 0.96
            kept = self.rng.random() < keeps
            yield row(Appointment, kind=AppointmentKind.REPORTING, on=on,
                      outcome="attended" if kept else "missed")  # fmt: skip
            on += dt.timedelta(days=self.rng.randint(28, 56))

    def ratings(self, intake: dt.date, last_day: dt.date) -> list[tuple[dt.date, str, dict]]:
        """Outcome ratings at intake and every three months while the person is followed;
        most people's scores grow by a step now and then, a few fall back."""
        rng = self.rng
        scores = {d: rng.choices([0, 1, 2], [35, 45, 20])[0] for d in OutcomeDimension.values}
        on, timepoint, out = self.day(intake, 0, 14), "intake", []
        while on < last_day:
            out.append((on, timepoint, dict(scores)))
            for dimension, score in scores.items():
                draw = rng.random()
                scores[dimension] = min(3, score + 1) if draw < 0.55 else score
                scores[dimension] = max(0, score - 1) if draw > 0.95 else scores[dimension]
            on, timepoint = on + dt.timedelta(days=rng.randint(80, 110)), "follow_up"
        return out

    # -- writing -------------------------------------------------------------------------------
    @transaction.atomic
    def write(self, batch: Batch) -> None:
        Household.objects.bulk_create(batch.households)
        for person, _ in batch.people:
            if person.household is not None:
                person.household_id = person.household.pk
        Person.objects.bulk_create([p for p, _ in batch.people])
        identities, indexes = [], []
        for person, data in batch.people:
            org = person.organisation_id
            associated = identity_associated_data(org, person.pk)
            identities.append(
                {
                    "organisation_id": org,
                    "person_id": person.pk,
                    "key_id": self.ring.active,
                    "sealed": self.ring.seal(data.to_bytes(), associated),
                }
            )
            for kind, value in index_terms(data, person.birth_year):
                indexes.append(
                    {
                        "organisation_id": org,
                        "person_id": person.pk,
                        "kind": kind,
                        "digest": self.ring.blind_index(kind, value, org),
                    }
                )
        insert(Identity, identities, self.now)
        insert(BlindIndex, indexes, self.now)
        rows: dict[type, list[Row]] = {}
        cases = []
        for case, head, plan in batch.cases:
            case.person_id, case.household_id = head.pk, getattr(plan["household"], "pk", None)
            cases.append(case)
            for item in self.story(case, plan):
                rows.setdefault(item.model, []).append(item)
        Case.objects.bulk_create(cases)
        for model, items in rows.items():
            insert(model, [{"case_id": item.case.pk, **item.values} for item in items], self.now)
        self.write_ratings(batch)
        self.counts.cases += len(cases)
        self.counts.people += len(batch.people)
        self.counts.events += len(rows.get(TimelineEvent, []))

    def write_ratings(self, batch: Batch) -> None:
        """Submissions of the outcome ratings form and the typed rows they map to."""
        form, planned = self.ratings_form, []
        for case, _head, plan in batch.cases:
            for on, timepoint, scores in plan.get("ratings", []):
                answers = {"rating_date": on.isoformat(), "timepoint": timepoint}
                answers |= {d: str(v) for d, v in scores.items()}
                answers["total_score"] = str(sum(scores.values()))
                submission = Submission(
                    organisation_id=case.organisation_id,
                    case_id=case.pk,
                    form_version=form,
                    status=SubmissionStatus.SUBMITTED,
                    answers=answers,
                    submitted_at=self.now,
                )
                planned.append((submission, on, timepoint, scores))
        Submission.objects.bulk_create([p[0] for p in planned], batch_size=500)
        insert(
            OutcomeRating,
            [
                {
                    "organisation_id": submission.organisation_id,
                    "case_id": submission.case_id,
                    "submission_id": submission.pk,
                    "rated_on": on,
                    "timepoint": timepoint,
                    "dimension": dimension,
                    "score": score,
                }
                for submission, on, timepoint, scores in planned
                for dimension, score in scores.items()
            ],
            self.now,
        )


RATINGS = "casework_outcome_ratings"


@dataclass
class Row:
    """A child row of a case, written once the case has its id."""

    model: type
    case: Case
    values: dict[str, Any]


def _converter(field: Any) -> Callable[[Any], Any] | None:
    """How to pass one column's values to the database driver (None: as they are)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "JSONField":
        return lambda v: None if v is None else json.dumps(v)
    if kind == "DateField":
        return lambda v: None if v is None else ops.adapt_datefield_value(v)
    if kind == "DateTimeField":
        return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
    if kind in ("CharField", "TextField"):
        return lambda v: str(v) if isinstance(v, Promise) else v  # lazy choice labels
    return None


def insert(model: type[models.Model], rows: list[dict[str, Any]], now: dt.datetime) -> None:
    """Many rows of one model in one executemany: no model instances, no signals."""
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    names = list(rows[0])
    stamps = [n for n in ("created_at", "updated_at") if n in fields and n not in names]
    # A random uid names the row in URLs and the API: a fresh one each, as the model's default.
    uid = fields["uid"] if "uid" in fields and "uid" not in names else None
    columns = [fields[n].column for n in names + stamps] + ([uid.column] if uid else [])
    stamp = connection.ops.adapt_datetimefield_value(now)
    convert = [_converter(fields[n]) for n in names]
    for i, name in enumerate(names):  # free text is sealed with its row's organisation
        if isinstance(fields[name], SealedTextField):
            convert[i] = None
    sealed = {n: f for n in names if isinstance(f := fields[n], SealedTextField)}
    if sealed:
        rows = [
            {
                **r,
                **{
                    n: str(f.seal(SimpleNamespace(organisation_id=r["organisation_id"]), r[n]))
                    for n, f in sealed.items()
                },
            }
            for r in rows
        ]

    # Table and column names come from the model's own metadata, quoted; values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        connection.ops.quote_name(model._meta.db_table),
        ", ".join(connection.ops.quote_name(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    params = [
        [c(r[n]) if c else r[n] for c, n in zip(convert, names, strict=True)]
        + [stamp] * len(stamps)
        + ([uid.get_db_prep_value(uuid.uuid4(), connection)] if uid else [])
        for r in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def generate(
    cases: int,
    seed: int,
    end: dt.date,
    organisations: list[Organisation],
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> Counts:
    """Create `cases` synthetic cases spread over `organisations`."""
    generator = Generator(seed, end, organisations)
    done = 0
    while done < cases:
        batch = Batch()
        for _ in range(min(batch_size, cases - done)):
            generator.plan_case(batch)
        codes = [c.code for c, _, _ in batch.cases] + [p.code for p, _ in batch.people]
        if (
            Case.objects.filter(code__in=codes[: len(batch.cases)]).exists()
            or Person.objects.filter(code__in=codes[len(batch.cases) :]).exists()
        ):
            raise ValueError(f"Seed {seed} was already used on this database; choose another.")
        generator.write(batch)
        done += len(batch.cases)
        if progress is not None:
            progress(len(batch.cases))
    record(
        Action.CREATE,
        object_type="synthetic.generation",
        object_id=f"seed-{seed}",
        organisation_id=None,
        user=None,
    )
    return generator.counts
