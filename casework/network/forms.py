"""Forms of the network pages; the services check the rules (casework.network.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from casework.accounts.models import Organisation
from casework.core.forms import DATE
from casework.network.choices import (
    ActivityKind,
    ApplicationStatus,
    Level,
    Level3,
    LivedExperience,
    PlaceKind,
    Relationship,
    RiskArea,
    RiskStatus,
    Stage,
    StakeholderKind,
    Stance,
)

ANY = [("", _("Any"))]


class StakeholderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=StakeholderKind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=list(countries))
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    relationship = forms.ChoiceField(
        label=_("Relationship to the network"), choices=Relationship.choices
    )
    stance = forms.ChoiceField(
        label=_("Stance on community-based solutions"),
        choices=Stance.choices,
        initial=Stance.UNKNOWN,
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    description = forms.CharField(
        label=_("What it does"), max_length=2000, required=False, widget=forms.Textarea
    )


class StakeholderFilter(forms.Form):
    q = forms.CharField(label=_("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + StakeholderKind.choices, required=False)
    country = forms.ChoiceField(label=_("Country"), choices=ANY + list(countries), required=False)
    relationship = forms.ChoiceField(
        label=_("Relationship"), choices=ANY + Relationship.choices, required=False
    )
    level = forms.ChoiceField(label=_("Level"), choices=ANY + Level.choices, required=False)

    def filtered(self, rows: QuerySet) -> QuerySet:
        """`rows` with the filters chosen (a name or city searched for, where asked)."""
        if not self.is_valid():
            return rows
        wanted = self.cleaned_data
        if wanted["q"]:
            rows = rows.filter(Q(name__icontains=wanted["q"]) | Q(city__icontains=wanted["q"]))
        for name in ("kind", "country", "relationship", "level"):
            if wanted[name]:
                rows = rows.filter(**{name: wanted[name]})
        return rows


class NoteForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DATE)
    text = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea)


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    role = forms.CharField(label=_("Role or title"), max_length=200, required=False)
    email = forms.EmailField(label=_("Work email"), required=False)
    phone = forms.CharField(label=_("Work phone"), max_length=40, required=False)
    consented = forms.BooleanField(
        label=_("They agreed to be listed in the network's directory"), required=False
    )
    consented_on = forms.DateField(label=_("Agreed on"), widget=DATE, required=False)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    on = forms.DateField(label=_("Date"), widget=DATE)
    high_profile = forms.BooleanField(label=_("High-profile event"), required=False)
    lived_experience = forms.ChoiceField(
        label=_("People with lived experience of detention"),
        choices=LivedExperience.choices,
        required=False,
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), *ApplicationStatus.choices],
        required=False,
        help_text=_("For concept notes and funding applications."),
    )
    members = forms.ModelMultipleChoiceField(
        Organisation.objects.none(), label=_("Network members involved"), required=False
    )
    stakeholders = forms.ModelMultipleChoiceField(
        Organisation.objects.none(), label=_("Stakeholders"), required=False
    )
    outcome = forms.CharField(
        label=_("Outcome"), max_length=2000, required=False, widget=forms.Textarea
    )

    def __init__(self, *args: Any, stakeholders: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = self.fields["members"]
        assert isinstance(members, forms.ModelMultipleChoiceField)
        members.queryset = Organisation.objects.order_by("name")
        chosen = self.fields["stakeholders"]
        assert isinstance(chosen, forms.ModelMultipleChoiceField)
        chosen.queryset = stakeholders


class ActivityFilter(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ANY + ActivityKind.choices, required=False)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class ExpansionForm(forms.Form):
    place_kind = forms.ChoiceField(label=_("A city or a country"), choices=PlaceKind.choices)
    country = forms.ChoiceField(label=_("Country"), choices=list(countries))
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    partners = forms.ModelMultipleChoiceField(
        Organisation.objects.none(), label=_("Partners"), required=False
    )
    note = forms.CharField(
        label=_("Why here"), max_length=2000, required=False, widget=forms.Textarea
    )
    on = forms.DateField(
        label=_("In the pipeline since"),
        widget=DATE,
        required=False,
        help_text=_("Default: today. Later steps are dated on the place's page."),
    )

    def __init__(self, *args: Any, stakeholders: QuerySet, new: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not new:
            del self.fields["on"]
        partners = self.fields["partners"]
        assert isinstance(partners, forms.ModelMultipleChoiceField)
        partners.queryset = stakeholders


class MoveForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(
        label=_("What happened"), max_length=2000, required=False, widget=forms.Textarea
    )


class RiskForm(forms.Form):
    area = forms.ChoiceField(label=_("Area of risk"), choices=RiskArea.choices)
    risk = forms.CharField(label=_("Risk"), max_length=2000, widget=forms.Textarea)
    mitigation = forms.CharField(
        label=_("Strategies for mitigation"), max_length=2000, widget=forms.Textarea
    )
    owner = forms.CharField(label=_("Owner"), max_length=200, required=False)


class ReviewForm(forms.Form):
    on = forms.DateField(label=_("Reviewed on"), widget=DATE)
    likelihood = forms.ChoiceField(label=_("Likelihood"), choices=Level3.choices)
    impact = forms.ChoiceField(label=_("Impact"), choices=Level3.choices)
    status = forms.ChoiceField(label=_("Status"), choices=RiskStatus.choices)
    note = forms.CharField(
        label=_("What the review found"), max_length=2000, required=False, widget=forms.Textarea
    )


class TermForm(forms.Form):
    slug = forms.SlugField(label=_("Short name (in the address)"), max_length=60)
    term = forms.CharField(label=_("Term"), max_length=100)
    definition = forms.CharField(label=_("Definition"), max_length=2000, widget=forms.Textarea)


class InvolvementForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    people = forms.IntegerField(
        label=_("People with lived experience of detention involved"),
        help_text=_(
            "In your organisation's case management during the year: as staff, volunteers, "
            "peer mentors or advisers. A number only."
        ),
    )
    note = forms.CharField(
        label=_("How they were involved"),
        max_length=200,
        required=False,
        help_text=_("A few words. No names."),
    )
