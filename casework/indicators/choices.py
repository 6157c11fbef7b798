"""The indicators app's vocabularies."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReflectionKind(models.TextChoices):
    """The MEL plan's moments of learning: a reflection every six months, and the midline
    and endline evaluations."""

    REFLECTION = "reflection", _("Six-month reflection")
    MIDLINE = "midline", _("Midline evaluation")
    ENDLINE = "endline", _("Endline evaluation")
