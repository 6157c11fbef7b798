from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.core.forms import DATE, language_codes, split_list
from casework.core.limits import (
    ADDRESS_LENGTH,
    FILE_NUMBER_LENGTH,
    FILE_NUMBERS_LENGTH,
    NAME_LENGTH,
    PHONE_LENGTH,
)
from casework.people.choices import (
    ConsentMethod,
    ConsentPurpose,
    Gender,
    Relationship,
    nationality_choices,
)
from casework.people.identity import IdentityData
from casework.people.models import Person


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    service = forms.CharField(
        label=_("Service"),
        required=False,
        max_length=200,
        help_text=_("Only for sharing with a named service."),
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE)
    method = forms.ChoiceField(label=_("How given"), choices=ConsentMethod.choices)
    language = forms.CharField(
        label=_("Language"),
        max_length=10,
        help_text=_("The language the person was informed in (code)."),
    )

    def clean_given_on(self) -> Any:
        if self.cleaned_data["given_on"] > timezone.localdate():
            raise forms.ValidationError(_("Consent cannot be dated in the future."))
        return self.cleaned_data["given_on"]


class WithdrawForm(forms.Form):
    on = forms.DateField(label=_("Withdrawn on"), widget=DATE)


class PersonForm(forms.Form):
    """A person's identity (encrypted on save) and coded profile."""

    given_names = forms.CharField(label=_("Given names"), max_length=NAME_LENGTH)
    family_name = forms.CharField(label=_("Family name"), max_length=NAME_LENGTH, required=False)
    aliases = forms.CharField(
        label=_("Other names"), required=False, help_text=_("Separate names with a semicolon.")
    )
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    birth_year = forms.IntegerField(
        label=_("Birth year"),
        required=False,
        min_value=1900,
        help_text=_("When the full date of birth is not known."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, initial="not_collected")
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=nationality_choices, initial="not_collected"
    )
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Language codes separated by commas, e.g. ar, fr."),
    )
    interpreter_needed = forms.NullBooleanField(label=_("Needs an interpreter"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=PHONE_LENGTH, required=False)
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=ADDRESS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    file_numbers = forms.CharField(
        label=_("File numbers with the authorities"),
        max_length=FILE_NUMBERS_LENGTH,
        required=False,
        help_text=_("Separate numbers with a semicolon."),
    )

    PROFILE = ("gender", "nationality", "languages", "interpreter_needed")

    def clean_languages(self) -> list[str]:
        return language_codes(self.cleaned_data["languages"])

    def clean_aliases(self) -> list[str]:
        return split_list(self.cleaned_data["aliases"], what=_("other names"), each=NAME_LENGTH)

    def clean_file_numbers(self) -> list[str]:
        return split_list(
            self.cleaned_data["file_numbers"], what=_("file numbers"), each=FILE_NUMBER_LENGTH
        )

    def identity(self) -> IdentityData:
        data = self.cleaned_data
        return IdentityData(
            given_names=data["given_names"].strip(),
            family_name=data["family_name"].strip(),
            aliases=data["aliases"],
            date_of_birth=data["date_of_birth"],
            phone=data["phone"].strip(),
            address=data["address"].strip(),
            file_numbers=data["file_numbers"],
        )

    def profile(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.PROFILE}

    @staticmethod
    def initial_for(person: Person, identity: IdentityData) -> dict[str, Any]:
        return {
            "given_names": identity.given_names,
            "family_name": identity.family_name,
            "aliases": "; ".join(identity.aliases),
            "date_of_birth": identity.date_of_birth,
            "birth_year": None if identity.date_of_birth else person.birth_year,
            "gender": person.gender,
            "nationality": person.nationality,
            "languages": ", ".join(person.languages),
            "interpreter_needed": person.interpreter_needed,
            "phone": identity.phone,
            "address": identity.address,
            "file_numbers": "; ".join(identity.file_numbers),
        }


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class HouseholdMemberForm(PersonForm):
    relationship = forms.ChoiceField(
        label=_("Relationship to the household head"),
        choices=[c for c in Relationship.choices if c[0] != "head"],
    )


class ErasureForm(forms.Form):
    """Erasure is confirmed by typing the person's code: it cannot be undone."""

    confirm = forms.CharField(
        label=_("Type the person's code to confirm"),
        max_length=20,
        help_text=_("Erasure cannot be undone."),
    )

    def __init__(self, *args: Any, code: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.code = code

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip().upper()
        if typed != self.code:
            raise forms.ValidationError(_("That is not this person's code."))
        return typed
