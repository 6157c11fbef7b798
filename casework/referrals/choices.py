"""The referrals app's vocabularies, with the codes of DOMAIN.md."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceType(models.TextChoices):
    LEGAL_AID = "legal_aid", _("Legal aid")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")
    MEDICAL = "medical", _("Medical care")
    SHELTER = "shelter", _("Shelter and housing")
    MATERIAL_SUPPORT = "material_support", _("Material support")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment")
    RETURN_COUNSELLING = "return_counselling", _("Return counselling")
    OTHER = "other", _("Other")


class Cost(models.TextChoices):
    FREE = "free", _("Free")
    PAID = "paid", _("Paid")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WAITING_LIST = "waiting_list", _("On a waiting list")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("Did not attend")
    CANCELLED = "cancelled", _("Cancelled")


# A referral in one of these is over: no follow-up is due.
CLOSED = (
    ReferralStatus.DECLINED,
    ReferralStatus.COMPLETED,
    ReferralStatus.NO_SHOW,
    ReferralStatus.CANCELLED,
)
# A need the network could not meet (the unmet-needs indicator).
UNMET = (ReferralStatus.DECLINED, ReferralStatus.WAITING_LIST)
