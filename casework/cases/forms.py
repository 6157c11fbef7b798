"""Forms of the cases app. They validate input; the services apply the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.accounts.models import Project, User
from casework.cases.choices import (
    ContactMode,
    DetentionStatus,
    DocumentKind,
    Engagement,
    ExitReason,
    GoalDomain,
    GoalStatus,
    ImmigrationStatus,
    ReferralSource,
    Resolution,
    Stage,
    Vulnerability,
)
from casework.cases.models import Case
from casework.core.forms import DATE
from casework.core.limits import FILE_NUMBER_LENGTH, SEARCH_NAME_LENGTH
from casework.people.forms import PersonForm


def staff_of(organisation_id: int) -> Any:
    return User.objects.filter(
        memberships__organisation_id=organisation_id, memberships__is_active=True
    ).order_by("first_name", "last_name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.username


class OrganisationForm(forms.Form):
    """A form whose choices are limited to the caller's organisation."""

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id
        if "case_manager" in self.fields:
            case_manager_field = cast(forms.ModelChoiceField, self.fields["case_manager"])
            case_manager_field.queryset = staff_of(organisation_id)
        if "project" in self.fields:
            project_field = cast(forms.ModelChoiceField, self.fields["project"])
            project_field.queryset = Project.objects.filter(organisation_id=organisation_id)


class RegisterForm(PersonForm, OrganisationForm):
    """A new person and their case, in one go (the identity is encrypted on save)."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    case_manager = StaffChoiceField(label=_("Case manager"), queryset=User.objects.none())
    referral_date = forms.DateField(label=_("Referral date"), widget=DATE)
    referral_source = forms.ChoiceField(label=_("Referred by"), choices=ReferralSource.choices)
    detention_status = forms.ChoiceField(
        label=_("Detention status at referral"), choices=DetentionStatus.choices
    )
    immigration_status = forms.ChoiceField(
        label=_("Immigration status"), choices=ImmigrationStatus.choices
    )
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    not_a_duplicate = forms.BooleanField(
        label=_("I checked: this is a different person"), required=False
    )

    def clean_referral_date(self) -> Any:
        value = self.cleaned_data["referral_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The referral date is in the future."))
        return value


class CaseForm(OrganisationForm):
    """The case's own details; `version` guards against overwriting someone else's change."""

    case_manager = StaffChoiceField(
        label=_("Case manager"), queryset=User.objects.none(), required=False
    )
    referral_source = forms.ChoiceField(label=_("Referred by"), choices=ReferralSource.choices)
    detention_status = forms.ChoiceField(
        label=_("Detention status at referral"), choices=DetentionStatus.choices
    )
    immigration_status = forms.ChoiceField(
        label=_("Immigration status at intake"), choices=ImmigrationStatus.choices
    )
    legal_representation = forms.NullBooleanField(label=_("Has a lawyer"), required=False)
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def initial_for(case: Case) -> dict[str, Any]:
        return {
            "case_manager": case.case_manager_id,
            "referral_source": case.referral_source,
            "detention_status": case.detention_status,
            "immigration_status": case.immigration_status,
            "legal_representation": case.legal_representation,
            "vulnerabilities": list(case.vulnerabilities.values_list("flag", flat=True)),
            "version": case.version,
        }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"), choices=Stage.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    intake_date = forms.DateField(label=_("Intake date"), required=False, widget=DATE)
    exit_reason = forms.ChoiceField(
        label=_("Exit reason"), required=False, choices=[("", "—"), *ExitReason.choices]
    )
    resolution = forms.ChoiceField(
        label=_("Resolution outcome"), required=False, choices=[("", "—"), *Resolution.choices]
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class EngagementForm(forms.Form):
    status = forms.ChoiceField(label=_("Engagement"), choices=Engagement.choices)
    on = forms.DateField(label=_("From"), widget=DATE)


class ContactForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    mode = forms.ChoiceField(label=_("Mode"), choices=ContactMode.choices)
    attended = forms.BooleanField(label=_("The person attended"), required=False, initial=True)
    interpreter_used = forms.BooleanField(label=_("Interpreter used"), required=False)
    duration_minutes = forms.IntegerField(
        label=_("Minutes"), required=False, min_value=1, max_value=1440
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_on(self) -> Any:
        if self.cleaned_data["on"] > timezone.localdate():
            raise forms.ValidationError(_("A contact cannot be recorded in the future."))
        return self.cleaned_data["on"]


class GoalForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=GoalDomain.choices)
    description = forms.CharField(label=_("Goal"), max_length=300)
    target_date = forms.DateField(label=_("Target date"), required=False, widget=DATE)


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=GoalStatus.choices)


class TaskForm(OrganisationForm):
    title = forms.CharField(label=_("Task"), max_length=200)
    due_on = forms.DateField(label=_("Due"), widget=DATE)
    assignee = StaffChoiceField(
        label=_("Assigned to"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee_field = cast(forms.ModelChoiceField, self.fields["assignee"])
        assignee_field.queryset = staff_of(self.organisation_id)


class CaseFilterForm(OrganisationForm):
    q = forms.CharField(label=_("Case or person code"), required=False, max_length=20)
    person = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    stage = forms.ChoiceField(
        label=_("Stage"),
        required=False,
        choices=[("", _("Open cases")), ("all", _("All cases, closed ones too")), *Stage.choices],
    )
    project = forms.ModelChoiceField(
        label=_("Project"), required=False, queryset=Project.objects.none()
    )
    case_manager = StaffChoiceField(
        label=_("Case manager"), required=False, queryset=User.objects.none()
    )
    engagement = forms.ChoiceField(
        label=_("Engagement"), required=False, choices=[("", _("Any")), *Engagement.choices]
    )
    vulnerability = forms.ChoiceField(
        label=_("Vulnerability"), required=False, choices=[("", _("Any")), *Vulnerability.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("-referral_date", _("Newest referral")),
            ("referral_date", _("Oldest referral")),
            ("code", _("Case code")),
            ("stage", _("Stage")),
            ("last_contact_on", _("Longest without contact")),
        ],
    )


class IdentitySearchForm(forms.Form):
    """Find people by who they are. Sent by POST: names never appear in a URL."""

    name = forms.CharField(label=_("Full name"), required=False, max_length=SEARCH_NAME_LENGTH)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    file_number = forms.CharField(
        label=_("File number"), required=False, max_length=FILE_NUMBER_LENGTH
    )

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean() returns self.cleaned_data
        data = self.cleaned_data
        if not any(data.get(f) for f in ("name", "date_of_birth", "file_number")):
            raise forms.ValidationError(_("Give a name, a date of birth or a file number."))
        return data


class ReassignForm(OrganisationForm):
    case_manager = StaffChoiceField(label=_("New case manager"), queryset=User.objects.none())


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    about_person = forms.BooleanField(
        label=_("About the person (shown on all their cases)"), required=False
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG, PNG, DOCX, ODT or text, up to %(mb)d MB; stored encrypted.")
        % {"mb": settings.CASEWORK_MAX_UPLOAD_MB},
    )


class DateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)


class EmptyForm(forms.Form):
    """For actions that need nothing but the button."""


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MergeForm(forms.Form):
    keep = forms.CharField(label=_("Keep this person (code)"), max_length=20)
    other = forms.CharField(label=_("Merge this person into it (code)"), max_length=20)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
