from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import Membership, Organisation, Project, Site, User
from casework.core.forms import language_codes
from casework.core.roles import ORGANISATION_ROLES, ROLE_CHOICES

ORGANISATION_ROLE_CHOICES = [
    (code, label) for code, label in ROLE_CHOICES if code in ORGANISATION_ROLES
]


class LoginForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The 6-digit code your authenticator app shows now, or a recovery code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolmentForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the app"),
        max_length=12,
        help_text=_("The 6-digit code the app shows for Casework."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ApiTokenForm(forms.Form):
    """A new API token: what it is for, and how many days it lasts (at most the setting)."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. laptop script."),
    )
    days = forms.IntegerField(label=_("Days until it expires"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        most = settings.CASEWORK_API_TOKEN_DAYS
        days = cast(forms.IntegerField, self.fields["days"])
        days.max_value = most
        days.validators.append(MaxValueValidator(most))
        days.widget.attrs["max"] = most
        days.initial = most
        days.help_text = _("At most %(n)d.") % {"n": most}


class StaffCreateForm(UserCreationForm):
    """A new staff account: who they are, their role, and a first password to hand over."""

    role = forms.ChoiceField(label=_("Role"), choices=ORGANISATION_ROLE_CHOICES)

    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # absent from django-stubs
        model = User
        fields = ("username", "first_name", "last_name", "email")


class MembershipForm(forms.ModelForm):
    role = forms.ChoiceField(label=_("Role"), choices=ORGANISATION_ROLE_CHOICES)

    class Meta:
        model = Membership
        fields = ("role", "is_active")
        help_texts = {"is_active": _("An inactive member can no longer see anything here.")}


class OrgScopedForm(forms.ModelForm):
    """A form for a row of the caller's organisation (`organisation_id` from the view)."""

    def __init__(self, *args: Any, organisation_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organisation_id is not None and self.instance.pk is None:
            self.instance.organisation_id = organisation_id
        self.organisation_id = self.instance.organisation_id

    def _get_validation_exclusions(self) -> set[str]:
        # `organisation` is not a field of the form, but "unique within the organisation"
        # constraints must still be checked here, as a form error, not an IntegrityError.
        exclude = super()._get_validation_exclusions()  # type: ignore[misc]  # private, not in stubs
        exclude.discard("organisation")
        return exclude


class OrganisationForm(forms.ModelForm):
    languages = forms.CharField(
        label=_("Working languages"),
        required=False,
        help_text=_("Language codes separated by commas, for example: fr, nl, en."),
    )

    class Meta:
        model = Organisation
        fields = (
            "name",
            "languages",
            "disengagement_alert_days",
            "plan_needs_approval",
            "closure_needs_approval",
            "require_two_factor",
            "session_idle_minutes",
            "retention_months",
        )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial["languages"] = ", ".join(self.instance.languages or [])

    def clean_languages(self) -> list[str]:
        return language_codes(self.cleaned_data["languages"])


class SiteForm(OrgScopedForm):
    class Meta:
        model = Site
        fields = ("name", "city")


class ProjectForm(OrgScopedForm):
    class Meta:
        model = Project
        fields = ("name", "start_date", "end_date", "target_cohort", "referral_pathways", "sites")
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "sites": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        sites_field = cast(forms.ModelChoiceField, self.fields["sites"])
        sites_field.queryset = Site.objects.filter(organisation_id=self.organisation_id)
