"""Form pieces shared by every app."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from casework.core.limits import LIST_ITEMS

StrOrPromise = str | Promise

# The browser's own date picker; values travel as YYYY-MM-DD.
DATE = forms.DateInput(attrs={"type": "date"})

# A language code: ISO 639-1 or 639-3 (fr, prs), with a region or script (pt-br, zh-hant).
LANGUAGE_CODE = r"[a-z]{2,3}(-[a-z0-9]{2,8})?"


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal on the form: each reason by its field where it has one, the
    others above the form."""
    problems: dict[str, list[str]] = (
        error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
    )
    for name, reasons in problems.items():
        form.add_error(name if name in form.fields else None, reasons)


def language_codes(text: str) -> list[str]:
    """Language codes typed separated by commas: lower-cased, each once, each checked."""
    codes = [c.strip().lower() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if not re.fullmatch(LANGUAGE_CODE, c)]
    if bad:
        raise forms.ValidationError(
            _("Not a language code: %(codes)s.") % {"codes": ", ".join(bad)}
        )
    codes = list(dict.fromkeys(codes))
    if len(codes) > LIST_ITEMS:
        raise forms.ValidationError(_("At most %(n)d languages.") % {"n": LIST_ITEMS})
    return codes


def split_list(text: str, *, what: StrOrPromise, each: int) -> list[str]:
    """Items typed separated by semicolons; at most LIST_ITEMS, each at most `each` long."""
    items = [part.strip() for part in text.split(";") if part.strip()]
    if len(items) > LIST_ITEMS:
        raise forms.ValidationError(_("At most %(n)d %(what)s.") % {"n": LIST_ITEMS, "what": what})
    if any(len(item) > each for item in items):
        raise forms.ValidationError(
            _("Each of the %(what)s has at most %(n)d characters.") % {"what": what, "n": each}
        )
    return items
