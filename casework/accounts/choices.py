"""Enumerations of the accounts app, with the codes of DOMAIN.md."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetCohort(models.TextChoices):
    RETURN_ORDER = "return_order", _("People with a return order")
    RELEASED_FROM_DETENTION = "released_from_detention", _("People released from detention")
    FAMILIES_WITH_CHILDREN = "families_with_children", _("Families with children")
    ASYLUM = "asylum", _("People in the asylum procedure")
    STATELESSNESS = "statelessness", _("Stateless people")
    OTHER = "other", _("Other")
