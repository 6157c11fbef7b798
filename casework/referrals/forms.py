"""Forms of the service directory; the services check the rules (casework.referrals.services)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework.core.forms import DATE, LANGUAGE_CODE, language_codes
from casework.referrals.choices import Cost, ReferralStatus, ServiceType
from casework.referrals.models import Service

ANY = [("", _("Any"))]


class CountryChoiceField(forms.ChoiceField):
    """A country by its two-letter code, in either case (be, BE)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).upper()


YES = frozenset({"on", "true", "1"})
NO = frozenset({"", "off", "false", "0"})


class FlagInput(forms.CheckboxInput):
    """A checkbox that hands on what was sent, for `Flag` to read (Django's own reads any
    text as ticked)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, check_test=lambda value: str(value).lower() in YES)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class Flag(forms.BooleanField):
    """A yes-or-no filter: a ticked box ("on"), or true/false in an API query; any other
    value is refused rather than read as yes."""

    widget = FlagInput

    def to_python(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        text = "" if value is None else str(value).strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise forms.ValidationError(_("Give true or false."), code="invalid")


class ServiceForm(forms.Form):
    provider = forms.CharField(label=_("Provider"), max_length=200)
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices)
    description = forms.CharField(
        label=_("What it offers"), max_length=2000, required=False, widget=forms.Textarea
    )
    country = forms.ChoiceField(label=_("Country"), choices=list(countries))
    city = forms.CharField(label=_("City"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    languages = forms.CharField(
        label=_("Languages"),
        max_length=300,
        required=False,
        help_text=_("Language codes separated by commas (ISO 639: en, fr, ar, prs)."),
    )
    serves_undocumented = forms.BooleanField(
        label=_("Serves people without a residence permit"), required=False
    )
    cost = forms.ChoiceField(label=_("Cost"), choices=Cost.choices, initial=Cost.FREE)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    opening_hours = forms.CharField(label=_("Opening hours"), max_length=300, required=False)
    capacity = forms.CharField(
        label=_("Capacity"),
        max_length=500,
        required=False,
        help_text=_("Places, waiting times, who it takes: as the provider said."),
    )
    verified_on = forms.DateField(
        label=_("Last verified"),
        widget=DATE,
        required=False,
        help_text=_("When someone last checked these details with the provider."),
    )
    active = forms.BooleanField(
        label=_("Still offered"),
        required=False,
        initial=True,
        help_text=_("Untick to withdraw it from the directory (it stays on referrals made)."),
    )

    def __init__(self, *args: Any, new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if new:
            del self.fields["active"]  # a new entry is offered

    def clean_languages(self) -> list[str]:
        return language_codes(self.cleaned_data["languages"])


class ServiceFilter(forms.Form):
    """The directory's search, on the page and as the API's query parameters."""

    ACTIVE = [("yes", _("Still offered")), ("no", _("Withdrawn")), ("all", _("All"))]

    q = forms.CharField(label=_("Provider or city"), required=False, max_length=100)
    service_type = forms.ChoiceField(
        label=_("Service"), choices=ANY + ServiceType.choices, required=False
    )
    country = CountryChoiceField(label=_("Country"), choices=ANY + list(countries), required=False)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    language = forms.CharField(
        label=_("Language"),
        required=False,
        max_length=12,
        help_text=_("A language code: ar, fr, prs."),
    )
    serves_undocumented = Flag(label=_("Serves people without a residence permit"), required=False)
    free = Flag(label=_("Free only"), required=False)
    active = forms.ChoiceField(label=_("Status"), choices=ACTIVE, required=False)

    def clean_language(self) -> str:
        code = self.cleaned_data["language"].strip().lower()
        if code and not re.fullmatch(LANGUAGE_CODE, code):
            raise forms.ValidationError(_("Not a language code: %(code)s.") % {"code": code})
        return code

    def chosen(self) -> list[tuple[str, str]]:
        """The filters chosen, as label and value: what a printed list says it holds."""
        if not self.is_valid():
            return []
        out = []
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if not value or (name == "active" and value == "yes"):
                continue
            if isinstance(field, forms.ChoiceField):
                labels: dict[Any, Any] = dict(field.choices)  # type: ignore[arg-type]  # flat
                value = labels.get(value, value)
            out.append((str(field.label), str(_("yes")) if value is True else str(value)))
        return out

    def filtered(self, rows: QuerySet) -> QuerySet:
        """`rows` with the filters chosen; the services still offered unless asked otherwise
        (also when the filters cannot be read: the form says why)."""
        if not self.is_valid():
            return rows.filter(active=True)
        wanted = self.cleaned_data
        if wanted["q"]:
            rows = rows.filter(Q(provider__icontains=wanted["q"]) | Q(city__icontains=wanted["q"]))
        for name in ("service_type", "country"):
            if wanted[name]:
                rows = rows.filter(**{name: wanted[name]})
        if wanted["city"]:
            rows = rows.filter(city__iexact=wanted["city"].strip())
        if wanted["language"]:
            # The list is kept as JSON text on SQLite and PostgreSQL alike: a code in quotes
            # is that language; `"pt-` finds the regional variants of pt too.
            code = wanted["language"]
            rows = rows.filter(
                Q(languages__icontains=f'"{code}"') | Q(languages__icontains=f'"{code}-')
            )
        if wanted["serves_undocumented"]:
            rows = rows.filter(serves_undocumented=True)
        if wanted["free"]:
            rows = rows.filter(cost=Cost.FREE)
        if wanted["active"] != "all":
            rows = rows.filter(active=wanted["active"] != "no")
        return rows


# Referrals of a case


class ServiceChoice(forms.ModelChoiceField):
    """A service of the directory, by its id; marked where the person agreed to share their
    details with its provider."""

    agreed: frozenset[str] = frozenset()

    def label_from_instance(self, obj: Any) -> str:
        label = str(obj)
        if obj.provider.strip().lower() in self.agreed:
            return f"{label} — {_('consent to share on file')}"
        return label


class ReferralForm(forms.Form):
    """Refer the case: a service of the directory, or a provider typed in."""

    service = ServiceChoice(
        label=_("Service in the directory"),
        queryset=Service.objects.none(),
        to_field_name="uid",
        required=False,
        empty_label=_("None: the provider is typed in below"),
    )
    provider = forms.CharField(label=_("Or the provider, typed in"), max_length=200, required=False)
    service_type = forms.ChoiceField(
        label=_("Kind of service (when typed in)"),
        choices=[("", "—"), *ServiceType.choices],
        required=False,
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept sealed; it is printed on the referral letter."),
    )
    sent_on = forms.DateField(label=_("Sent on"), widget=DATE)
    follow_up_on = forms.DateField(label=_("Follow up on"), widget=DATE, required=False)
    share_details = forms.BooleanField(label=_("Share the person's details"), required=False)

    def __init__(
        self, *args: Any, services: QuerySet[Service], agreed: Iterable[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        names = sorted({name.strip() for name in agreed if name.strip()}, key=str.lower)
        field: Any = self.fields["service"]
        field.queryset = services
        field.agreed = frozenset(name.lower() for name in names)
        share = self.fields["share_details"]
        if names:
            # The help text is shown as HTML: the names typed on consents are escaped.
            share.help_text = format_html(
                "{} <strong>{}</strong>. {}",
                _("The person agreed to share their details with"),
                format_html_join(", ", "{}", ((name,) for name in names)),
                _(
                    "With any other provider there is no consent on file: leave this unticked "
                    "(the letter then names them by their case code only)."
                ),
            )
        else:
            share.help_text = format_html(
                "<strong>{}</strong> {}",
                _("No consent to share the person's details with any provider is on file."),
                _(
                    "Leave this unticked (the letter names them by their case code only), or "
                    "record their consent to share with that provider first."
                ),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("service") is None:
            if not data.get("provider", "").strip():
                self.add_error(
                    "provider", _("Pick a service from the directory or type in the provider.")
                )
            elif not data.get("service_type"):
                self.add_error("service_type", _("Say what kind of service it is."))
        return data


class ReferralStatusForm(forms.Form):
    """A dated change of a referral's status."""

    status = forms.ChoiceField(label=_("Status"), choices=ReferralStatus.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What came of the referral, kept with it (empty: unchanged)."),
    )
    follow_up_on = forms.DateField(
        label=_("Next follow-up"),
        widget=DATE,
        required=False,
        help_text=_("Cleared once the referral is over (completed, declined, …)."),
    )
