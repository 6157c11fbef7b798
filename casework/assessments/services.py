"""Every write of the assessments app: importing forms, saving drafts, submitting."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import Organisation, User
from casework.assessments.choices import SubmissionStatus
from casework.assessments.engine import FormState, Problem
from casework.assessments.mappings import apply_mapping
from casework.assessments.models import Form, FormVersion, Submission
from casework.assessments.xlsform import FormError, FormRejected, read_xlsform
from casework.cases.choices import EventKind
from casework.cases.models import Case
from casework.cases.services import CaseRuleError, add_event, require_open
from casework.core.access import Principal, principal_of
from casework.core.conflicts import StaleVersionError
from casework.core.roles import Capability

STANDARD_DIR = Path(__file__).resolve().parent / "standard"


class InvalidAnswers(ValidationError):
    """Answers that break the form's rules; `problems` says which field and which rule."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__([f"{p.field}: {p.message}" for p in problems])


def may_add_forms(principal: Principal) -> bool:
    """Coordinators publish network forms; organisation admins add their organisation's."""
    if principal.is_network:
        return principal.can(Capability.FORMS_PUBLISH)
    return principal.is_organisation and principal.can(Capability.FORMS_MANAGE)


def _owner_for(user: User) -> Organisation | None:
    """Who a new form belongs to: the network (coordinators) or the caller's organisation."""
    principal = principal_of(user)
    if not may_add_forms(principal):
        raise PermissionDenied
    if principal.is_network:
        return None
    return Organisation.objects.get(pk=principal.org_id)


@transaction.atomic
def import_form(
    data: bytes,
    filename: str,
    *,
    by: User | None = None,
    organisation: Organisation | None = None,
) -> FormVersion:
    """Import an XLSForm as a new form, or as a new version of the form with its form_id.

    Network coordinators publish network-standard forms; organisation admins add their
    organisation's own (`by` decides). Commands pass no user and name the `organisation`
    (None: the network). Refused forms raise FormRejected and store nothing.
    """
    if by is not None:
        organisation = _owner_for(by)
    parsed = read_xlsform(data, filename)
    form, _created = Form.objects.select_for_update().get_or_create(
        organisation=organisation,
        form_id=parsed.form_id,
        defaults={"title": parsed.title, "created_by": by},
    )
    versions = form.versions.all()
    for existing in versions:
        if existing.definition == parsed.definition:
            raise FormRejected(
                [
                    FormError(
                        _("This form is already imported, as version %(v)s.")
                        % {"v": existing.version}
                    )
                ]
            )
    number = (versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = parsed.version or str(number)
    if versions.filter(version=version).exists():
        raise FormRejected(
            [
                FormError(
                    _(
                        "Version %(v)s of this form exists with other questions: change 'version' "
                        "on the settings sheet to import it as a new version."
                    )
                    % {"v": version},
                    sheet="settings",
                    column="version",
                )
            ]
        )
    if form.title != parsed.title:
        form.title = parsed.title
        form.save(update_fields=["title", "updated_at"])
    try:
        return FormVersion.objects.create(
            form=form,
            number=number,
            version=version,
            definition=parsed.definition,
            languages=parsed.languages,
            default_language=parsed.default_language,
            source_name=Path(filename).name[:255],
            source=data,
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=by,
        )
    except IntegrityError:
        raise FormRejected(
            [FormError(_("Someone imported this form at the same moment; try again."))]
        ) from None


def load_standard(*, stdout: Any = None) -> list[FormVersion]:
    """Import the network's standard forms shipped in the repository (new versions only)."""
    loaded = []
    for path in sorted(STANDARD_DIR.glob("*.xlsx")):
        try:
            loaded.append(import_form(path.read_bytes(), path.name))
        except FormRejected as rejected:
            if stdout is not None:
                stdout.write(f"{path.name}: {rejected}")
    return loaded


def _lock_open(case: Case) -> None:
    """The case, locked for this transaction, must be open (a closure racing a submission
    waits for it, then refuses it)."""
    require_open(Case.objects.select_for_update().get(pk=case.pk))


def _evaluate(version: FormVersion, answers: Mapping[str, Any]) -> FormState:
    """The answers checked against the form, which must be one that is filled on a case."""
    if not version.form.on_cases:
        raise CaseRuleError(_("This form is answered by the network's members, not on a case."))
    return FormState(version.definition, answers)


@transaction.atomic
def save_draft(
    case: Case,
    version: FormVersion,
    answers: Mapping[str, Any],
    *,
    by: User | None,
    submission: Submission | None = None,
    expected_version: int | None = None,
) -> Submission:
    """Keep answers unfinished: nothing is checked but the case being open."""
    _lock_open(case)
    state = _evaluate(version, answers)
    if submission is None:
        return Submission.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            form_version=version,
            answers=state.cleaned(),
            created_by=by,
        )
    _update_draft(submission, expected_version, answers=state.cleaned())
    return submission


def _update_draft(submission: Submission, expected_version: int | None, **fields: Any) -> None:
    if not submission.is_draft:
        raise CaseRuleError(_("This form is already submitted; it cannot be changed."))
    if expected_version is not None and expected_version != submission.version:
        raise StaleVersionError(_("Someone else saved this draft meanwhile; reload it first."))
    updated = Submission.objects.filter(
        pk=submission.pk, version=submission.version, status=SubmissionStatus.DRAFT
    ).update(version=F("version") + 1)
    if not updated:
        raise StaleVersionError(_("Someone else saved this draft meanwhile; reload it first."))
    for name, value in fields.items():
        setattr(submission, name, value)
    submission.version += 1
    submission.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def submit(
    case: Case,
    version: FormVersion,
    answers: Mapping[str, Any],
    *,
    by: User | None,
    submission: Submission | None = None,
    expected_version: int | None = None,
    on: dt.date | None = None,
) -> Submission:
    """Check every answer against the form's rules, store the submission with its form
    version, put it on the case's timeline and write the typed rows of standard forms."""
    _lock_open(case)
    state = _evaluate(version, answers)
    if state.problems:
        raise InvalidAnswers(state.problems)
    now = timezone.now()
    cleaned = _stamp(version.definition, state.cleaned(), now)
    if submission is None:
        submission = Submission.objects.create(
            organisation_id=case.organisation_id,
            case=case,
            form_version=version,
            answers=cleaned,
            created_by=by,
            status=SubmissionStatus.SUBMITTED,
            submitted_at=now,
            submitted_by=by,
        )
    else:
        _update_draft(
            submission,
            expected_version,
            answers=cleaned,
            status=SubmissionStatus.SUBMITTED,
            submitted_at=now,
            submitted_by=by,
        )
    on = on or timezone.localdate()
    add_event(
        case,
        EventKind.SUBMISSION,
        _("Form submitted: %(title)s (version %(version)s)")
        % {"title": version.form.title, "version": version.version},
        on=on,
        by=by,
        source=submission,
        data={"form_id": version.form.form_id, "version": version.version},
    )
    apply_mapping(submission)
    return submission


def _stamp(definition: Mapping[str, Any], answers: dict[str, Any], now: Any) -> dict[str, Any]:
    """Fill the `end` metadata question, if the form has one."""
    for element in definition["children"]:
        if element["type"] == "end" and element.get("name"):
            answers[element["name"]] = timezone.localtime(now).strftime("%Y-%m-%dT%H:%M:%S")
    return answers


@transaction.atomic
def discard_draft(
    submission: Submission, *, by: User | None = None, expected_version: int | None = None
) -> None:
    """Throw a draft away (its creation and deletion stay in the audit log)."""
    _lock_open(submission.case)
    if not submission.is_draft:
        raise CaseRuleError(_("A submitted form cannot be discarded."))
    if expected_version is not None and expected_version != submission.version:
        raise StaleVersionError(_("Someone else saved this draft meanwhile; reload it first."))
    submission.delete()
