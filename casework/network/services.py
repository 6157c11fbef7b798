"""Recording network building: every change goes through these functions, which check who
may make it and refuse bad input with a clear reason (nothing stored)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from statistics import mean
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.assessments.engine import FormState
from casework.assessments.models import FormVersion
from casework.assessments.services import InvalidAnswers
from casework.core.access import principal_of
from casework.core.roles import Capability
from casework.network.choices import APPLICATIONS, CONFIDENCE, FEEDBACK_FORM, PlaceKind, Stage
from casework.network.models import (
    Activity,
    Contact,
    Expansion,
    ExpansionStep,
    FeedbackResponse,
    Involvement,
    Risk,
    Stakeholder,
    StakeholderNote,
    Term,
)

STAKEHOLDER_FIELDS = (
    "name",
    "kind",
    "country",
    "city",
    "level",
    "relationship",
    "stance",
    "website",
    "description",
)


def _recorder(user: User) -> int | None:
    """The organisation a new row is recorded by (None: the network's coordinators); only
    those who may record network building get one."""
    principal = principal_of(user)
    if not principal.can(Capability.NETWORK_BUILD):
        raise PermissionDenied
    return principal.organisation_id if principal.is_organisation else None


def may_edit(user: User, row: Any) -> bool:
    """Coordinators edit every row; an organisation admin the rows their organisation
    recorded."""
    principal = principal_of(user)
    if not principal.can(Capability.NETWORK_BUILD):
        return False
    if principal.is_network:
        return True
    return row.organisation_id is not None and row.organisation_id == principal.organisation_id


def _check_edit(user: User, row: Any) -> None:
    if not may_edit(user, row):
        raise PermissionDenied


def _not_in_future(field: str, on: dt.date) -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("The date is in the future: record it once it happened.")})


def _clean(value: Any) -> Any:
    """Text as kept: without the spaces around it (the API checks lengths as sent)."""
    return value.strip() if isinstance(value, str) else value


def _save(row: Any) -> Any:
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def save_stakeholder(
    user: User, stakeholder: Stakeholder | None = None, **fields: Any
) -> Stakeholder:
    """Add a stakeholder (`stakeholder` None) or change one."""
    if stakeholder is None:
        stakeholder = Stakeholder(organisation_id=_recorder(user))
    else:
        _check_edit(user, stakeholder)
    for name in STAKEHOLDER_FIELDS:
        if name in fields:
            setattr(stakeholder, name, _clean(fields[name]))
    same = Stakeholder.objects.filter(
        name__iexact=stakeholder.name, country=stakeholder.country
    ).exclude(pk=stakeholder.pk)
    if same.exists():
        raise ValidationError({"name": _("This stakeholder is in the directory already.")})
    return _save(stakeholder)


@transaction.atomic
def add_note(user: User, stakeholder: Stakeholder, *, on: dt.date, text: str) -> StakeholderNote:
    organisation = _recorder(user)
    _not_in_future("on", on)
    note = StakeholderNote(
        stakeholder=stakeholder,
        on=on,
        text=text.strip(),
        organisation_id=organisation,
        written_by=user,
    )
    return _save(note)


@transaction.atomic
def add_contact(
    user: User,
    stakeholder: Stakeholder,
    *,
    name: str,
    consented: bool,
    consented_on: dt.date | None = None,
    role: str = "",
    email: str = "",
    phone: str = "",
) -> Contact:
    """A professional contact person, only once they agreed to be listed."""
    organisation = _recorder(user)
    if not consented:
        raise ValidationError(
            {
                "consented": _(
                    "Record a contact person only once they agreed to be in the network's "
                    "directory."
                )
            }
        )
    on = consented_on or timezone.localdate()
    _not_in_future("consented_on", on)
    contact = Contact(
        stakeholder=stakeholder,
        name=name.strip(),
        role=role,
        email=email,
        phone=phone,
        consented_on=on,
        organisation_id=organisation,
    )
    return _save(contact)


@transaction.atomic
def remove_contact(user: User, contact: Contact) -> None:
    """The contact withdrew their consent, or left: their details are deleted (the audit
    log keeps that a contact was removed, never their details)."""
    _check_edit(user, contact)
    contact.delete()


@transaction.atomic
def save_activity(
    user: User,
    activity: Activity | None = None,
    *,
    members: Iterable[Any] = (),
    stakeholders: Iterable[Any] = (),
    **fields: Any,
) -> Activity:
    """Record an activity (`activity` None) or change one. Concept notes and funding
    applications carry a status; other kinds none."""
    if activity is None:
        activity = Activity(organisation_id=_recorder(user))
    else:
        _check_edit(user, activity)
    for name, value in fields.items():
        setattr(activity, name, _clean(value))
    _not_in_future("on", activity.on)
    if activity.kind in APPLICATIONS and not activity.status:
        raise ValidationError({"status": _("Say where the concept note or application stands.")})
    if activity.kind not in APPLICATIONS:
        activity.status = ""
    _save(activity)
    activity.members.set(list(members))
    activity.stakeholders.set(list(stakeholders))
    return activity


@transaction.atomic
def save_expansion(
    user: User,
    expansion: Expansion | None = None,
    *,
    partners: Iterable[Any] = (),
    on: dt.date | None = None,
    **fields: Any,
) -> Expansion:
    """Add a place the network means to expand to (its first step is its stage on `on`,
    default today), or change its details. The stage changes through `move`."""
    new = expansion is None
    fields.pop("stage", None)  # a new place starts at scoping; `move` changes the stage
    if expansion is None:
        expansion = Expansion(organisation_id=_recorder(user), stage=Stage.SCOPING)
    else:
        _check_edit(user, expansion)
    for name, value in fields.items():
        setattr(expansion, name, _clean(value))
    if expansion.place_kind == PlaceKind.CITY and not expansion.city:
        raise ValidationError({"city": _("Name the city.")})
    if expansion.place_kind == PlaceKind.COUNTRY:
        expansion.city = ""
    same = Expansion.objects.filter(country=expansion.country, city__iexact=expansion.city)
    if same.exclude(pk=expansion.pk).exists():
        raise ValidationError({"city": _("This place is in the pipeline already.")})
    on = on or timezone.localdate()
    if new:
        _not_in_future("on", on)
    _save(expansion)
    expansion.partners.set(list(partners))
    if new:
        ExpansionStep.objects.create(
            expansion=expansion,
            on=on,
            stage=expansion.stage,
            note=_("Added to the pipeline."),
            organisation_id=expansion.organisation_id,
            taken_by=user,
        )
    return expansion


@transaction.atomic
def move(
    user: User, expansion: Expansion, *, stage: str, on: dt.date | None = None, note: str = ""
) -> ExpansionStep:
    """Move a place to another stage on a date (default today), or add a dated note at the
    same stage. A pilot's launch date is the first move to `pilot_launched`."""
    _check_edit(user, expansion)
    on = on or timezone.localdate()
    _not_in_future("on", on)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Choose one of the stages.")})
    latest = expansion.steps.order_by("-on", "-created_at").first()
    if latest is not None and on < latest.on:
        raise ValidationError(
            {
                "on": _("The last step is dated %(date)s: a new one comes after it.")
                % {"date": latest.on}
            }
        )
    if stage == expansion.stage and not note.strip():
        raise ValidationError({"note": _("It is at this stage already: write what happened.")})
    expansion.stage = stage
    if stage == Stage.PILOT_LAUNCHED and expansion.launched_on is None:
        expansion.launched_on = on
    _save(expansion)
    return ExpansionStep.objects.create(
        expansion=expansion,
        on=on,
        stage=stage,
        note=note.strip(),
        organisation_id=principal_of(user).organisation_id,
        taken_by=user,
    )


RISK_FIELDS = ("area", "risk", "likelihood", "impact", "mitigation", "owner", "status")


def keeps_network_records(user: User) -> bool:
    """The risk register and the glossary are the network's: its coordinators keep them."""
    principal = principal_of(user)
    return principal.is_network and principal.can(Capability.NETWORK_BUILD)


def _coordinator_only(user: User) -> None:
    if not keeps_network_records(user):
        raise PermissionDenied


@transaction.atomic
def save_risk(user: User, row: Risk | None = None, **fields: Any) -> Risk:
    """Add a risk to the register (`row` None), or change one."""
    _coordinator_only(user)
    risk = row or Risk()
    for name in RISK_FIELDS:
        if name in fields:
            setattr(risk, name, _clean(fields[name]))
    return _save(risk)


@transaction.atomic
def review_risk(
    user: User,
    risk: Risk,
    *,
    on: dt.date,
    likelihood: str,
    impact: str,
    status: str,
    note: str = "",
) -> Risk:
    """A review of a risk (at a six-month reflection): its likelihood, impact and status on
    a date, with what was found."""
    _coordinator_only(user)
    _not_in_future("on", on)
    if risk.reviewed_on and on < risk.reviewed_on:
        raise ValidationError(
            {
                "on": _("It was last reviewed on %(date)s: a review comes after it.")
                % {"date": risk.reviewed_on}
            }
        )
    risk.reviewed_on, risk.likelihood, risk.impact, risk.status = on, likelihood, impact, status
    risk.review_note = note.strip()
    return _save(risk)


TERM_FIELDS = ("slug", "term", "definition", "translations")


@transaction.atomic
def save_term(user: User, row: Term | None = None, **fields: Any) -> Term:
    """Add a term the network agreed on (`row` None), or change its definition or
    translations."""
    _coordinator_only(user)
    term = row or Term()
    for name in TERM_FIELDS:
        if name in fields:
            setattr(term, name, _clean(fields[name]))
    translations = term.translations or {}
    if not isinstance(translations, dict) or not all(
        isinstance(v, dict) and set(v) <= {"term", "definition"} for v in translations.values()
    ):
        raise ValidationError(
            {"translations": _('Give each language as {"term": …, "definition": …}.')}
        )
    return _save(term)


# An organisation's own records: involvement of people with lived experience, feedback ----


def answers_for_organisation(user: User) -> bool:
    """Involvement and feedback are an organisation's: its admins record them."""
    principal = principal_of(user)
    return principal.is_organisation and principal.can(Capability.NETWORK_BUILD)


def _organisation_admin(user: User) -> int:
    if not answers_for_organisation(user):
        raise PermissionDenied
    return principal_of(user).org_id


def _not_a_future_year(year: int) -> None:
    if year > timezone.localdate().year:
        raise ValidationError({"year": _("This year has not started: record it once it has.")})


@transaction.atomic
def record_involvement(user: User, *, year: int, people: int, note: str = "") -> Involvement:
    """Record, or correct, how many people with lived experience of detention were
    involved in the caller's organisation's case management in `year`."""
    organisation = _organisation_admin(user)
    _not_a_future_year(year)
    if people < 0:
        raise ValidationError({"people": _("Give a number of people: 0 or more.")})
    row = (
        Involvement.objects.select_for_update().filter(organisation_id=organisation, year=year)
    ).first() or Involvement(organisation_id=organisation, year=year)
    row.people, row.note = people, note.strip()
    return _save(row)


def feedback_form() -> FormVersion | None:
    """The current version of the network's feedback questionnaire (None: not loaded yet,
    `casework forms load-standard` loads it)."""
    return (
        FormVersion.objects.filter(form__organisation__isnull=True, form__form_id=FEEDBACK_FORM)
        .select_related("form")
        .order_by("-number")
        .first()
    )


def score_of(answers: Mapping[str, Any]) -> Decimal | None:
    """The mean of the confidence statements answered (1 to 5), to two decimals."""
    given = [int(answers[name]) for name in CONFIDENCE if str(answers.get(name, "")).isdigit()]
    return Decimal(str(round(mean(given), 2))) if given else None


@transaction.atomic
def answer_feedback(
    user: User, answers: Mapping[str, Any], year: int | None = None
) -> FeedbackResponse:
    """The caller's organisation's answers to the network's feedback questionnaire for
    `year` (default: this year), checked against the form's rules. Answering again the same
    year replaces that year's answers."""
    organisation = _organisation_admin(user)
    year = year or timezone.localdate().year
    _not_a_future_year(year)
    version = feedback_form()
    if version is None:
        raise ValidationError(_("The network's feedback questionnaire is not loaded yet."))
    state = FormState(version.definition, answers)
    if state.problems:
        raise InvalidAnswers(state.problems)
    cleaned = state.cleaned()
    score = score_of(cleaned)
    if score is None:
        raise ValidationError(_("Answer at least one of the statements on confidence."))
    response = (
        FeedbackResponse.objects.select_for_update()
        .filter(organisation_id=organisation, year=year)
        .first()
    ) or FeedbackResponse(organisation_id=organisation, year=year)
    response.form_version = version
    response.answers = cleaned
    response.score = score
    response.answered_by = user
    response.answered_on = timezone.localdate()
    return _save(response)
