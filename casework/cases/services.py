"""Every change to a case: one named, transactional function each.

A stage change checks the transition and the data it needs, writes a timeline event, keeps
the engagement periods right and is audited, all in one transaction. A refused change raises
`CaseRuleError` with a message for the user, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Organisation, Project, User
from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.choices import (
    EXIT_ENGAGEMENT,
    OUTCOME_TYPE,
    TRANSITIONS,
    ApprovalKind,
    ApprovalStatus,
    Engagement,
    EventKind,
    ExitReason,
    GoalStatus,
    Stage,
)
from casework.cases.models import (
    Approval,
    Case,
    CaseQuerySet,
    CaseVulnerability,
    Contact,
    Document,
    DocumentContent,
    EngagementPeriod,
    Goal,
    Task,
    TimelineEvent,
)
from casework.core.access import principal_of
from casework.core.conflicts import StaleVersionError
from casework.core.files import content_type_of
from casework.core.roles import Capability
from casework.people.models import Consent, Household, Person
from casework.people.services import (
    merged_identity,
    record_consent,
    save_with_new_code,
    update_identity,
    withdraw_consent,
)


class CaseRuleError(ValidationError):
    """A change the case's rules do not allow; the message says why."""


def _today() -> dt.date:
    return timezone.localdate()


def _label(choices: Any, code: str) -> str:
    return str(dict(choices.choices).get(code, code))


def add_event(
    case: Case,
    kind: str,
    summary: str,
    *,
    on: dt.date,
    by: User | None = None,
    source: Any = None,
    data: dict[str, Any] | None = None,
) -> TimelineEvent:
    """Write one event on the case's timeline. The apps below `cases` write theirs here."""
    if on > _today():
        raise CaseRuleError(_("An event cannot be dated in the future."))
    return TimelineEvent.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=kind,
        occurred_on=on,
        recorded_by=by,
        summary=summary[:300],
        data=data or {},
        source_type=source._meta.label_lower if source is not None else "",
        source_id=source.pk if source is not None else None,
    )


def bump_version(case: Case, expected_version: int | None) -> None:
    """Optimistic locking: the save fails if the case changed since `expected_version`."""
    if expected_version is not None and expected_version != case.version:
        raise StaleVersionError(_("This case was changed by someone else meanwhile."))
    updated = Case.objects.filter(pk=case.pk, version=case.version).update(version=F("version") + 1)
    if not updated:
        raise StaleVersionError(_("This case was changed by someone else meanwhile."))
    case.version += 1


@transaction.atomic
def open_case(
    project: Project,
    person: Person,
    *,
    referral_date: dt.date,
    referral_source: str,
    detention_status: str,
    immigration_status: str,
    case_manager: User | None = None,
    household: Household | None = None,
    vulnerabilities: Iterable[str] = (),
    legal_representation: bool | None = None,
    by: User | None = None,
) -> Case:
    """A new case at the referral stage."""
    if person.organisation_id != project.organisation_id:
        raise CaseRuleError(_("The person and the project belong to different organisations."))
    if household is not None and household.organisation_id != project.organisation_id:
        raise CaseRuleError(_("The household belongs to another organisation."))
    if referral_date > _today():
        raise CaseRuleError(_("The referral date is in the future."))
    case = Case(
        organisation_id=project.organisation_id,
        project=project,
        person=person,
        household=household,
        case_manager=case_manager,
        referral_date=referral_date,
        referral_source=referral_source,
        detention_status=detention_status,
        immigration_status=immigration_status,
        legal_representation=legal_representation,
        stage=Stage.REFERRAL,
        stage_since=referral_date,
    )
    case.full_clean(exclude=["code"])
    save_with_new_code(case, "C")
    set_vulnerabilities(case, vulnerabilities)
    add_event(
        case,
        EventKind.STAGE,
        _("Referred by %(source)s") % {"source": case.get_referral_source_display()},
        on=referral_date,
        by=by,
        data={"to": Stage.REFERRAL},
    )
    return case


def set_vulnerabilities(case: Case, flags: Iterable[str]) -> None:
    """Set the case's vulnerability groups; a change is one audit entry on the case."""
    wanted = set(flags)
    have = set(case.vulnerabilities.values_list("flag", flat=True))
    if wanted == have:
        return
    case.vulnerabilities.exclude(flag__in=wanted).delete()
    CaseVulnerability.objects.bulk_create(
        CaseVulnerability(organisation_id=case.organisation_id, case=case, flag=flag)
        for flag in sorted(wanted - have)
    )
    record(Action.UPDATE, obj=case, changed_fields=["vulnerabilities"])


def current_period(case: Case) -> EngagementPeriod | None:
    return case.engagement_periods.filter(ended_on__isnull=True).first()


def _start_period(case: Case, status: str, on: dt.date) -> EngagementPeriod:
    return EngagementPeriod.objects.create(
        organisation_id=case.organisation_id, case=case, status=status, started_on=on
    )


def _end_period(period: EngagementPeriod, on: dt.date) -> None:
    if on < period.started_on:
        raise CaseRuleError(
            _("The date is before the current engagement status began (%(date)s).")
            % {"date": period.started_on}
        )
    period.ended_on = on
    period.save()


@transaction.atomic
def transition(
    case: Case,
    to: str,
    *,
    on: dt.date | None = None,
    by: User | None = None,
    intake_date: dt.date | None = None,
    exit_reason: str = "",
    resolution: str = "",
    expected_version: int | None = None,
) -> Case:
    """Move a case to stage `to`, checking the move and the data it needs."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    on = on or _today()
    if to == Stage.CLOSED:
        return _close(case, on, by, exit_reason, resolution, expected_version)
    if to not in TRANSITIONS.get(case.stage, set()):
        raise CaseRuleError(
            _("A case cannot move from %(from)s to %(to)s.")
            % {"from": _label(Stage, case.stage), "to": _label(Stage, to)}
        )
    if exit_reason or resolution:
        raise CaseRuleError(_("An exit reason or resolution is only given when closing a case."))
    _check_date(case, on)
    if case.stage == Stage.REFERRAL:
        intake = intake_date or case.intake_date
        if intake is None:
            raise CaseRuleError(_("Give the intake date before screening starts."))
        if intake < case.referral_date or intake > on:
            raise CaseRuleError(
                _("The intake date must lie between the referral date and today's step.")
            )
        case.intake_date = intake
        _start_period(case, Engagement.ENGAGED, intake)
    bump_version(case, expected_version)
    previous = case.stage
    case.stage, case.stage_since = to, on
    case.save()
    add_event(
        case,
        EventKind.STAGE,
        _("%(from)s → %(to)s") % {"from": _label(Stage, previous), "to": _label(Stage, to)},
        on=on,
        by=by,
        data={"from": previous, "to": to},
    )
    return case


def _check_date(case: Case, on: dt.date) -> None:
    if on > _today():
        raise CaseRuleError(_("A stage change cannot be dated in the future."))
    if on < case.stage_since:
        raise CaseRuleError(
            _("The date is before the case entered its current stage (%(date)s).")
            % {"date": case.stage_since}
        )


def _close(
    case: Case,
    on: dt.date,
    by: User | None,
    exit_reason: str,
    resolution: str,
    expected_version: int | None,
) -> Case:
    if case.is_closed:
        raise CaseRuleError(_("This case is already closed."))
    if exit_reason not in ExitReason.values:
        raise CaseRuleError(_("Closing a case needs an exit reason."))
    if exit_reason == ExitReason.RESOLVED and resolution not in OUTCOME_TYPE:
        raise CaseRuleError(_("A resolved case needs its resolution outcome."))
    if exit_reason != ExitReason.RESOLVED and resolution:
        raise CaseRuleError(_("Only a resolved case has a resolution outcome."))
    _check_date(case, on)
    period = current_period(case)
    if period is not None:
        final = EXIT_ENGAGEMENT.get(exit_reason)
        if final and period.status != final:
            _end_period(period, on)
            period = _start_period(case, final, on)
        _end_period(period, on)
    bump_version(case, expected_version)
    previous = case.stage
    case.stage, case.stage_since, case.closed_on = Stage.CLOSED, on, on
    case.exit_reason, case.resolution = exit_reason, resolution
    case.save()
    summary = _("Closed: %(reason)s") % {"reason": _label(ExitReason, exit_reason)}
    if resolution:
        summary += f" ({case.get_resolution_display()})"
    add_event(
        case,
        EventKind.STAGE,
        summary,
        on=on,
        by=by,
        data={
            "from": previous,
            "to": Stage.CLOSED,
            "exit_reason": exit_reason,
            "resolution": resolution,
        },
    )
    return case


def close_case(case: Case, *, exit_reason: str, resolution: str = "", **kwargs: Any) -> Case:
    return transition(case, Stage.CLOSED, exit_reason=exit_reason, resolution=resolution, **kwargs)


@transaction.atomic
def reopen_case(
    case: Case,
    *,
    on: dt.date | None = None,
    by: User | None = None,
    expected_version: int | None = None,
) -> Case:
    """Reopen a closed case into the stage it was closed from; its history stays."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    on = on or _today()
    if not case.is_closed:
        raise CaseRuleError(_("Only a closed case can be reopened."))
    _check_date(case, on)
    closing = case.events.filter(kind=EventKind.STAGE, data__to=Stage.CLOSED).first()
    back_to = (closing.data.get("from") if closing else None) or Stage.ACTIVE
    bump_version(case, expected_version)
    case.stage, case.stage_since = back_to, on
    case.closed_on, case.exit_reason, case.resolution = None, "", ""
    case.save()
    if case.intake_date is not None:
        _start_period(case, Engagement.ENGAGED, on)
    add_event(
        case,
        EventKind.STAGE,
        _("Reopened (%(stage)s)") % {"stage": _label(Stage, back_to)},
        on=on,
        by=by,
        data={"from": Stage.CLOSED, "to": back_to},
    )
    return case


@transaction.atomic
def record_engagement(
    case: Case, status: str, *, on: dt.date, by: User | None = None
) -> EngagementPeriod:
    """The person's engagement changed on `on` (only a person marks someone disengaged)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.is_closed:
        raise CaseRuleError(_("The case is closed; reopen it first."))
    if on > _today():
        raise CaseRuleError(_("An engagement change cannot be dated in the future."))
    period = current_period(case)
    if period is None:
        raise CaseRuleError(_("Engagement is recorded from intake; move the case to screening."))
    if period.status == status:
        raise CaseRuleError(
            _("The person is already %(status)s.") % {"status": _label(Engagement, status)}
        )
    _end_period(period, on)
    new = _start_period(case, status, on)
    add_event(
        case,
        EventKind.ENGAGEMENT,
        _("%(from)s → %(to)s")
        % {"from": _label(Engagement, period.status), "to": _label(Engagement, status)},
        on=on,
        by=by,
        data={"from": period.status, "to": status},
    )
    return new


def require_open(case: Case) -> None:
    if case.is_closed:
        raise CaseRuleError(_("The case is closed; reopen it first."))


@transaction.atomic
def record_contact(
    case: Case,
    *,
    on: dt.date,
    mode: str,
    attended: bool = True,
    interpreter_used: bool = False,
    duration_minutes: int | None = None,
    note: str = "",
    by: User | None = None,
) -> Contact:
    require_open(case)
    contact = Contact(
        organisation_id=case.organisation_id,
        case=case,
        occurred_on=on,
        mode=mode,
        attended=attended,
        interpreter_used=interpreter_used,
        duration_minutes=duration_minutes,
        note=note,
    )
    contact.full_clean()
    contact.save()
    if attended:  # only ever moves forward, even with two contacts saved at once
        newer = Q(last_contact_on__isnull=True) | Q(last_contact_on__lt=on)
        if Case.objects.filter(newer, pk=case.pk).update(last_contact_on=on):
            case.last_contact_on = on
    state = _("attended") if attended else _("missed")
    add_event(
        case,
        EventKind.CONTACT,
        _("%(mode)s contact, %(state)s") % {"mode": contact.get_mode_display(), "state": state},
        on=on,
        by=by,
        source=contact,
        data={"mode": mode, "attended": attended, "interpreter": interpreter_used},
    )
    return contact


@transaction.atomic
def add_goal(
    case: Case,
    *,
    domain: str,
    description: str,
    target_date: dt.date | None = None,
    by: User | None = None,
) -> Goal:
    require_open(case)
    goal = Goal(
        organisation_id=case.organisation_id,
        case=case,
        domain=domain,
        description=description,
        target_date=target_date,
    )
    goal.full_clean()
    goal.save()
    add_event(
        case,
        EventKind.GOAL,
        _("Goal set: %(domain)s") % {"domain": goal.get_domain_display()},
        on=_today(),
        by=by,
        source=goal,
        data={"domain": domain, "status": goal.status},
    )
    return goal


@transaction.atomic
def set_goal_status(goal: Goal, status: str, *, by: User | None = None) -> Goal:
    if status not in GoalStatus.values or status == goal.status:
        raise CaseRuleError(_("Choose a different status for this goal."))
    goal.status = status
    goal.save()
    add_event(
        goal.case,
        EventKind.GOAL,
        _("Goal %(status)s: %(domain)s")
        % {"status": goal.get_status_display().lower(), "domain": goal.get_domain_display()},
        on=_today(),
        by=by,
        source=goal,
        data={"domain": goal.domain, "status": status},
    )
    return goal


@transaction.atomic
def add_task(
    case: Case,
    *,
    title: str,
    due_on: dt.date,
    assignee: User | None = None,
    by: User | None = None,
) -> Task:
    require_open(case)
    if assignee is not None and not _works_in(assignee, case.organisation_id):
        raise CaseRuleError(_("Tasks can only be assigned to the organisation's staff."))
    task = Task(
        organisation_id=case.organisation_id,
        case=case,
        title=title,
        due_on=due_on,
        assignee=assignee,
    )
    task.full_clean()
    task.save()
    add_event(
        case,
        EventKind.TASK,
        _("Task due %(date)s") % {"date": due_on},
        on=_today(),
        by=by,
        source=task,
        data={"due_on": due_on.isoformat()},
    )
    return task


@transaction.atomic
def complete_task(task: Task, *, on: dt.date | None = None, by: User | None = None) -> Task:
    if task.done_on is not None:
        raise CaseRuleError(_("This task is already done."))
    task.done_on = on or _today()
    task.save()
    add_event(task.case, EventKind.TASK, _("Task done"), on=task.done_on, by=by, source=task)
    return task


def _works_in(user: User, organisation_id: int) -> bool:
    return user.memberships.filter(organisation_id=organisation_id, is_active=True).exists()


@transaction.atomic
def reassign_cases(cases: CaseQuerySet, case_manager: User, *, by: User) -> int:
    """Give many cases to one case manager at once (no cap); each change is on its timeline."""
    principal = principal_of(by)
    if not principal.can(Capability.CASES_SUPERVISE):
        raise CaseRuleError(_("Only a supervisor can reassign cases."))
    if not _works_in(case_manager, principal.org_id):
        raise CaseRuleError(_("The new case manager does not work in this organisation."))
    moved = list(
        cases.visible_to(by).exclude(case_manager=case_manager).select_for_update(of=("self",))
    )
    for case in moved:
        case.case_manager = case_manager
        case.version += 1  # an edit form opened before this cannot put the old manager back
        case.save()
        add_event(
            case,
            EventKind.ASSIGNMENT,
            _("Case manager: %(name)s") % {"name": case_manager},
            on=_today(),
            by=by,
            data={"case_manager": case_manager.pk},
        )
    return len(moved)


APPROVAL_FOR: dict[str, ApprovalKind] = {
    Stage.ACTIVE: ApprovalKind.PLAN,
    Stage.CLOSED: ApprovalKind.CLOSURE,
}


def approval_needed(case: Case, to: str, by: User | None) -> str | None:
    """The kind of approval moving `case` to `to` needs from a supervisor, if any."""
    kind = APPROVAL_FOR.get(to)
    if kind is None or (kind == ApprovalKind.PLAN and case.stage != Stage.CASE_PLANNING):
        return None
    if by is not None and principal_of(by).can(Capability.CASES_SUPERVISE):
        return None  # a supervisor's own change is approved by making it
    org = case.organisation
    required = org.plan_needs_approval if kind == ApprovalKind.PLAN else org.closure_needs_approval
    return kind if required else None


@transaction.atomic
def request_transition(case: Case, to: str, *, by: User | None = None, **kwargs: Any) -> Any:
    """Make a stage change, or send it to a supervisor where the organisation requires it.

    Returns the case when the change was made, the pending `Approval` otherwise. A request is
    checked against every rule first: a change that could not be made is refused now.
    """
    case = Case.objects.select_for_update().get(pk=case.pk)  # one request at a time
    kind = approval_needed(case, to, by)
    if kind is None:
        return transition(case, to, by=by, **kwargs)
    if case.approvals.filter(kind=kind, status=ApprovalStatus.PENDING).exists():
        raise CaseRuleError(_("This change is already waiting for a supervisor."))
    savepoint = transaction.savepoint()
    try:
        transition(case, to, by=by, **kwargs)  # a dry run: every rule is checked
    finally:
        transaction.savepoint_rollback(savepoint)
    on = kwargs.get("on") or _today()
    payload = {
        key: (value.isoformat() if isinstance(value, dt.date) else value)
        for key, value in {**kwargs, "on": on, "to": to}.items()
        if key != "expected_version" and value not in (None, "")
    }
    approval = Approval.objects.create(
        organisation_id=case.organisation_id,
        case=case,
        kind=kind,
        request=payload,
        requested_by=by,
    )
    add_event(
        case,
        EventKind.APPROVAL,
        _("%(kind)s sent for approval") % {"kind": approval.get_kind_display()},
        on=_today(),
        by=by,
        source=approval,
        data={"kind": kind, "status": "pending"},
    )
    return approval


@transaction.atomic
def decide_approval(approval: Approval, *, approve: bool, comment: str = "", by: User) -> Approval:
    """A supervisor approves (the change is made as asked) or rejects, with a comment."""
    approval = Approval.objects.select_for_update().get(pk=approval.pk)
    principal = principal_of(by)
    if not (principal.can(Capability.CASES_SUPERVISE) and principal.owns(approval)):
        raise CaseRuleError(_("Only a supervisor of this organisation can decide."))
    if approval.status != ApprovalStatus.PENDING:
        raise CaseRuleError(_("This request was already decided."))
    if not approve and not comment.strip():
        raise CaseRuleError(_("Say why the request is rejected."))
    if approve:
        request = dict(approval.request)
        to = request.pop("to")
        for key in ("on", "intake_date"):
            if key in request:
                request[key] = dt.date.fromisoformat(request[key])
        transition(approval.case, to, by=by, **request)
    approval.status = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    approval.decided_by, approval.decided_on, approval.comment = by, _today(), comment.strip()
    approval.save()
    add_event(
        approval.case,
        EventKind.APPROVAL,
        _("%(kind)s %(status)s")
        % {"kind": approval.get_kind_display(), "status": approval.get_status_display().lower()},
        on=_today(),
        by=by,
        source=approval,
        data={"kind": approval.kind, "status": approval.status},
    )
    return approval


def at_risk(
    cases: CaseQuerySet, organisation: Organisation, today: dt.date | None = None
) -> CaseQuerySet:
    """Open, engaged cases of `organisation` with no attended contact for its alert period."""
    cutoff = (today or _today()) - dt.timedelta(days=organisation.disengagement_alert_days)
    engaged_now = EngagementPeriod.objects.filter(
        case=OuterRef("pk"), ended_on__isnull=True, status=Engagement.ENGAGED
    )
    return (
        cases.open()
        .filter(organisation=organisation)
        .filter(Exists(engaged_now))
        .annotate(quiet_since=Coalesce("last_contact_on", "intake_date"))
        .filter(quiet_since__lte=cutoff)
    )


@transaction.atomic
def attach_document(
    case: Case, upload: Any, *, kind: str, about_person: bool = False, by: User | None = None
) -> Document:
    """Encrypt and store an uploaded file on the case, or on the person (`about_person`:
    shown on all their cases). The size and the kind of file are checked."""
    limit = settings.CASEWORK_MAX_UPLOAD_MB * 1024 * 1024
    if upload.size > limit:
        raise CaseRuleError(
            _("The file is larger than %(mb)d MB.") % {"mb": settings.CASEWORK_MAX_UPLOAD_MB}
        )
    data = upload.read()
    content_type = content_type_of(upload.name, data[:2048])
    document = Document(
        organisation_id=case.organisation_id,
        person_id=case.person_id,
        case=None if about_person else case,
        kind=kind,
        content_type=content_type,
        size=len(data),
        uploaded_by=by,
    )
    document.full_clean(exclude=["key_id", "sealed"])
    document.seal_bytes(upload.name.encode())
    document.save()
    content = DocumentContent(organisation_id=case.organisation_id, document=document)
    content.seal_bytes(data)
    content.save()
    add_event(
        case,
        EventKind.DOCUMENT,
        _("Document added: %(kind)s") % {"kind": document.get_kind_display()},
        on=_today(),
        by=by,
        source=document,
        data={"kind": kind},
    )
    return document


def read_document(document: Document, user: Any) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) for a user of the document's organisation; audited."""
    principal = principal_of(user)
    if not (principal.can(Capability.PERSONAL_DATA_VIEW) and principal.owns(document)):
        raise PermissionDenied
    record(Action.READ, obj=document, user=user)
    return document.filename, document.content_type, document.content.open_bytes()


@transaction.atomic
def merge_people(keep: Person, other: Person, *, by: User) -> Person:
    """Two records of one person become one: `other`'s cases, consents and names move to
    `keep`; `other` stays, hidden, pointing at `keep`, so both histories remain."""
    principal = principal_of(by)
    if not principal.can(Capability.CASES_SUPERVISE):
        raise CaseRuleError(_("Only a supervisor can merge person records."))
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, other.pk])
        .order_by("pk")
    }
    keep, other = locked[keep.pk], locked.get(other.pk, keep)
    if keep.pk == other.pk:
        raise CaseRuleError(_("Choose two different people."))
    if not (principal.owns(keep) and principal.owns(other)):
        raise CaseRuleError(_("Both people must belong to your organisation."))
    if keep.merged_into_id or other.merged_into_id:
        raise CaseRuleError(_("One of these records was already merged."))
    combined = merged_identity(keep.identity.open(), other.identity.open())
    update_identity(keep, combined)
    if keep.household_id is None and other.household_id is not None:
        keep.household_id, keep.relationship = other.household_id, other.relationship
    keep.version += 1
    keep.save()
    for case in other.cases.all():
        case.person = keep
        case.save()
        add_event(
            case,
            EventKind.ASSIGNMENT,
            _("Person record %(old)s merged into %(new)s") % {"old": other.code, "new": keep.code},
            on=_today(),
            by=by,
            data={"merged": other.code, "into": keep.code},
        )
    for consent in other.consents.all():
        consent.person = keep
        consent.save()
    other.identity.delete()
    other.blind_indexes.all().delete()
    other.merged_into, other.household = keep, None
    other.save()
    record(Action.MERGED, obj=other, user=by)
    return keep


@transaction.atomic
def give_consent(case: Case, *, by: User | None = None, **fields: Any) -> Consent:
    """The person consented to a purpose; recorded on the person and on the case's timeline."""
    consent = record_consent(case.person, **fields)
    add_event(
        case,
        EventKind.CONSENT,
        _("Consent given: %(purpose)s") % {"purpose": consent.get_purpose_display()},
        on=consent.given_on,
        by=by,
        source=consent,
        data={"purpose": consent.purpose},
    )
    return consent


@transaction.atomic
def end_consent(case: Case, consent: Consent, *, on: dt.date, by: User | None = None) -> Consent:
    """The person withdrew a consent: from `on`, the purpose no longer applies anywhere."""
    if consent.person_id != case.person_id:
        raise CaseRuleError(_("This consent belongs to someone else."))
    withdraw_consent(consent, on)
    add_event(
        case,
        EventKind.CONSENT,
        _("Consent withdrawn: %(purpose)s") % {"purpose": consent.get_purpose_display()},
        on=on,
        by=by,
        source=consent,
        data={"purpose": consent.purpose, "withdrawn": True},
    )
    return consent


EDITABLE = (
    "case_manager",
    "referral_source",
    "detention_status",
    "immigration_status",
    "legal_representation",
)


@transaction.atomic
def update_case(
    case: Case,
    *,
    expected_version: int | None,
    vulnerabilities: Iterable[str] | None = None,
    **fields: Any,
) -> Case:
    """Change a case's own details; refused if someone saved it since `expected_version`."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise CaseRuleError(
            _("These cannot change once the case is open: %(f)s.")
            % {"f": ", ".join(sorted(unknown))}
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    bump_version(case, expected_version)
    for field, value in fields.items():
        setattr(case, field, value)
    case.full_clean()
    case.save()
    if vulnerabilities is not None:
        set_vulnerabilities(case, vulnerabilities)
    return case
