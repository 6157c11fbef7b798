"""The referrals app's writes: the service directory, and referrals of a case to a service.
Every change goes through these functions, which check who may make it and refuse bad input
with a clear reason (nothing stored)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casework.accounts.models import User
from casework.cases.choices import EventKind
from casework.cases.models import Case
from casework.cases.services import CaseRuleError, add_event, require_open
from casework.core.access import principal_of
from casework.core.forms import LANGUAGE_CODE
from casework.core.limits import LIST_ITEMS
from casework.core.roles import Capability
from casework.people.choices import ConsentPurpose
from casework.people.services import consent_for
from casework.referrals.choices import CLOSED, ReferralStatus
from casework.referrals.models import Referral, ReferralStep, Service

# The service directory

SERVICE_FIELDS = (
    "provider",
    "service_type",
    "description",
    "country",
    "city",
    "address",
    "languages",
    "serves_undocumented",
    "cost",
    "phone",
    "email",
    "website",
    "opening_hours",
    "capacity",
    "verified_on",
    "active",
)
# An entry last checked longer ago than this is flagged on the pages ("not verified for
# over a year"): opening hours, capacity and phone numbers change.
VERIFIED_FOR = dt.timedelta(days=365)


def may_change_service(user: User, service: Service) -> bool:
    """Coordinators change every entry; an organisation's supervisors and admins the
    entries their organisation keeps."""
    principal = principal_of(user)
    if not principal.can(Capability.SERVICES_MANAGE):
        return False
    if principal.is_network:
        return True
    return service.organisation_id is not None and service.organisation_id == (
        principal.organisation_id
    )


def not_verified_since(today: dt.date | None = None) -> dt.date:
    """Entries verified before this day (or never) are flagged as not verified for a year."""
    return (today or timezone.localdate()) - VERIFIED_FOR


def _keeper(user: User) -> int | None:
    """The organisation a new entry is kept by (None: the network's coordinators)."""
    principal = principal_of(user)
    if not principal.can(Capability.SERVICES_MANAGE):
        raise PermissionDenied
    return principal.organisation_id if principal.is_organisation else None


def _languages(value: Any) -> list[str]:
    """Language codes (ISO 639, as the people app keeps them): lower-cased, each once."""
    if not isinstance(value, list | tuple) or not all(isinstance(c, str) for c in value):
        raise ValidationError({"languages": _("Give the languages as a list of codes.")})
    codes = list(dict.fromkeys(c.strip().lower() for c in value if c.strip()))
    bad = [c for c in codes if not re.fullmatch(LANGUAGE_CODE, c)]
    if bad:
        raise ValidationError(
            {"languages": _("Not a language code: %(codes)s.") % {"codes": ", ".join(bad)}}
        )
    if len(codes) > LIST_ITEMS:
        raise ValidationError({"languages": _("At most %(n)d languages.") % {"n": LIST_ITEMS}})
    return codes


def _check_verified_on(on: dt.date | None) -> None:
    if on is not None and on > timezone.localdate():
        raise ValidationError(
            {"verified_on": _("The date is in the future: record a check once it is done.")}
        )


@transaction.atomic
def save_service(user: User, service: Service | None = None, **fields: Any) -> Service:
    """Add an entry to the directory (`service` None) or change one: a withdrawn service is
    `active=False`, and comes back with `active=True`. Kept by the caller's organisation
    (coordinators: by the network)."""
    unknown = set(fields) - set(SERVICE_FIELDS)
    if unknown:
        raise TypeError(f"Not a field of a service: {', '.join(sorted(unknown))}")
    if service is None:
        service = Service(organisation_id=_keeper(user))
    elif not may_change_service(user, service):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(service, name, value.strip() if isinstance(value, str) else value)
    service.languages = _languages(service.languages)
    _check_verified_on(service.verified_on)
    service.full_clean()
    same = Service.objects.filter(
        provider__iexact=service.provider,
        service_type=service.service_type,
        country=service.country,
        city__iexact=service.city,
    ).exclude(pk=service.pk)
    if same.exists():
        raise ValidationError(
            {
                "provider": _(
                    "This provider's %(service)s in %(city)s is in the directory already."
                )
                % {"service": service.get_service_type_display().lower(), "city": service.city}
            }
        )
    service.save()
    return service


@transaction.atomic
def verify_service(user: User, service: Service, on: dt.date | None = None) -> Service:
    """Someone checked the entry's details with the provider: on `on` (default today)."""
    if not may_change_service(user, service):
        raise PermissionDenied
    on = on or timezone.localdate()
    _check_verified_on(on)
    if service.verified_on is not None and on < service.verified_on:
        raise ValidationError(
            {
                "verified_on": _("It was last verified on %(date)s: a check comes after it.")
                % {"date": service.verified_on}
            }
        )
    service.verified_on = on
    service.save(update_fields=["verified_on", "updated_at"])
    return service


# Referrals

# Free text kept on a referral and its steps (sealed; the API checks lengths as sent).
TEXT_LIMIT = 2000


def _text(field: str, value: str) -> str:
    """Free text as kept: without the spaces around it, at most TEXT_LIMIT characters."""
    kept = value.strip()
    if len(kept) > TEXT_LIMIT:
        raise ValidationError(
            {
                field: _("At most %(n)d characters (it has %(len)d).")
                % {"n": TEXT_LIMIT, "len": len(kept)}
            }
        )
    return kept


def _summary(referral: Referral) -> str:
    """The timeline's words for a referral: the service and the provider, never the person."""
    return _("Referral to %(service)s (%(provider)s): %(status)s") % {
        "service": referral.get_service_type_display(),
        "provider": referral.provider,
        "status": referral.get_status_display(),
    }


def _event(case: Case, referral: Referral, on: dt.date, by: User | None) -> None:
    add_event(
        case,
        EventKind.REFERRAL,
        _summary(referral),
        on=on,
        by=by,
        source=referral,
        data={
            "referral": str(referral.uid),
            "service_type": referral.service_type,
            "status": referral.status,
        },
    )


@transaction.atomic
def refer_case(
    case: Case,
    *,
    by: User | None,
    service: Service | None = None,
    provider: str = "",
    service_type: str = "",
    reason: str = "",
    sent_on: dt.date | None = None,
    follow_up_on: dt.date | None = None,
    share_details: bool = False,
) -> Referral:
    """Refer the case to a service of the directory (its provider and type are taken from
    it) or to one typed in. With `share_details`, the person must have agreed to share their
    details with that provider (`consent_for`, in force on the day it is sent and today): the
    consent relied on is kept with the referral, and only then does the letter name them."""
    case = Case.objects.select_for_update().get(pk=case.pk)  # a closure waits, or we do
    require_open(case)
    today = timezone.localdate()
    sent_on = sent_on or today
    if service is not None:
        if not service.active:
            raise ValidationError({"service": _("This service is no longer offered.")})
        provider, service_type = service.provider, service.service_type
    provider = provider.strip()
    errors: dict[str, str] = {}
    if not provider:
        errors["provider"] = _("Pick a service from the directory or type in the provider.")
    if not service_type:
        errors["service_type"] = _("Say what kind of service it is.")
    if sent_on > today:
        errors["sent_on"] = _("A referral cannot be dated in the future.")
    elif sent_on < case.referral_date:
        errors["sent_on"] = _("The date is before the case was opened (%(date)s).") % {
            "date": case.referral_date
        }
    if follow_up_on is not None and follow_up_on < sent_on:
        errors["follow_up_on"] = _("The follow-up cannot be before the referral is sent.")
    if errors:
        raise ValidationError(errors)
    reason = _text("reason", reason)
    consent = None
    if share_details:
        consent = consent_for(
            case.person, ConsentPurpose.SHARE_WITH_SERVICE, on=sent_on, service=provider
        )
        if consent is None or not consent.in_force(today):
            raise ValidationError(
                {
                    "share_details": _(
                        "The person has not agreed to share their details with %(provider)s: "
                        "record their consent first, or refer them without sharing."
                    )
                    % {"provider": provider}
                }
            )
    referral = Referral(
        organisation_id=case.organisation_id,
        case=case,
        service=service,
        service_type=service_type,
        provider=provider,
        reason=reason,
        sent_on=sent_on,
        follow_up_on=follow_up_on,
        status=ReferralStatus.SENT,
        status_on=sent_on,
        consent=consent,
        created_by=by,
    )
    # The related rows were checked above (or come from the caller's scoped reads).
    referral.full_clean(exclude=["organisation", "case", "service", "consent", "created_by"])
    referral.save()
    ReferralStep.objects.create(
        organisation_id=case.organisation_id,
        referral=referral,
        status=ReferralStatus.SENT,
        on=sent_on,
        taken_by=by,
    )
    _event(case, referral, sent_on, by)
    return referral


@transaction.atomic
def update_referral(
    referral: Referral,
    *,
    by: User | None,
    status: str,
    on: dt.date | None = None,
    note: str = "",
    outcome: str | None = None,
    follow_up_on: dt.date | None = None,
) -> Referral:
    """A dated change of the referral's status, with what happened: a step and a timeline
    event. Completed, declined, did not attend and cancelled close the referral (no
    follow-up is due any more); a closed referral or a closed case takes no change."""
    case = Case.objects.select_for_update().get(pk=referral.case_id)  # case first, always
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    require_open(case)
    if referral.status in CLOSED:
        raise CaseRuleError(
            _("This referral is over (%(status)s): refer the case again if needed.")
            % {"status": referral.get_status_display().lower()}
        )
    today = timezone.localdate()
    on = on or today
    errors: dict[str, str] = {}
    if status not in ReferralStatus.values:
        errors["status"] = _("Not a status of a referral.")
    elif status == ReferralStatus.SENT and referral.status != ReferralStatus.SENT:
        errors["status"] = _("A referral cannot go back to sent.")
    if on > today:
        errors["on"] = _("A change cannot be dated in the future.")
    elif on < referral.status_on:
        errors["on"] = _("The date is before the referral's last change (%(date)s).") % {
            "date": referral.status_on
        }
    closing = status in CLOSED
    if follow_up_on is not None and not closing and follow_up_on < on:
        errors["follow_up_on"] = _("The follow-up cannot be before the change.")
    if errors:
        raise ValidationError(errors)
    note = _text("note", note)
    if outcome is not None:
        referral.outcome = _text("outcome", outcome)
    referral.status, referral.status_on = status, on
    if closing:
        referral.follow_up_on = None
    elif follow_up_on is not None:
        referral.follow_up_on = follow_up_on
    referral.save()
    ReferralStep.objects.create(
        organisation_id=case.organisation_id,
        referral=referral,
        status=status,
        on=on,
        note=note,
        taken_by=by,
    )
    _event(case, referral, on, by)
    referral.case = case
    return referral
