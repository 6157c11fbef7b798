"""API for persons and households. Identity is decrypted only on a single person's read,
for organisation staff, and every such read is audited; lists carry codes only."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from casework.accounts.models import Organisation
from casework.audit.mixins import AuditedObjectMixin
from casework.core.access import principal_of
from casework.core.api.viewsets import AccessViewSetMixin
from casework.core.forms import LANGUAGE_CODE
from casework.core.limits import (
    ADDRESS_LENGTH,
    FILE_NUMBER_LENGTH,
    FILE_NUMBERS_LENGTH,
    LIST_ITEMS,
    NAME_LENGTH,
    PHONE_LENGTH,
    SEARCH_NAME_LENGTH,
)
from casework.core.roles import CASEWORK
from casework.people.choices import Gender, nationality_choices
from casework.people.identity import IdentityData
from casework.people.models import Household, Person
from casework.people.services import (
    create_household,
    find_people,
    likely_duplicates,
    read_identity,
    register_person,
    update_person,
)

WORK = CASEWORK
STALE = "Someone else changed this person since you read it (a stale version)."


def bounded_list(child: serializers.Field, **kwargs: Any) -> serializers.ListField:
    """A list of at most LIST_ITEMS items (casework.core.limits), as the web forms allow."""
    return serializers.ListField(child=child, max_length=LIST_ITEMS, default=list, **kwargs)


class IdentitySerializer(serializers.Serializer):
    """The same fields and limits as the person form (casework.people.forms.PersonForm)."""

    given_names = serializers.CharField(allow_blank=True, default="", max_length=NAME_LENGTH)
    family_name = serializers.CharField(allow_blank=True, default="", max_length=NAME_LENGTH)
    aliases = bounded_list(serializers.CharField(max_length=NAME_LENGTH))
    date_of_birth = serializers.DateField(allow_null=True, default=None)
    phone = serializers.CharField(allow_blank=True, default="", max_length=PHONE_LENGTH)
    address = serializers.CharField(allow_blank=True, default="", max_length=ADDRESS_LENGTH)
    file_numbers = bounded_list(
        serializers.CharField(max_length=FILE_NUMBER_LENGTH),
        help_text=f"At most {LIST_ITEMS}, together at most {FILE_NUMBERS_LENGTH} characters.",
    )

    def validate_file_numbers(self, numbers: list[str]) -> list[str]:
        if len("; ".join(numbers)) > FILE_NUMBERS_LENGTH:
            raise ValidationError(
                f"The file numbers together have at most {FILE_NUMBERS_LENGTH} characters."
            )
        return numbers


class SearchSerializer(serializers.Serializer):
    name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=SEARCH_NAME_LENGTH
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    file_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=FILE_NUMBER_LENGTH
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not any(data.values()):
            raise ValidationError("Give a name, a date of birth or a file number.")
        return data


class PersonSerializer(serializers.ModelSerializer):
    household = serializers.SlugRelatedField(
        slug_field="code", queryset=Household.objects.none(), allow_null=True, required=False
    )
    gender = serializers.ChoiceField(choices=Gender.choices, default="not_collected")
    nationality = serializers.ChoiceField(choices=nationality_choices(), default="not_collected")
    languages = bounded_list(
        serializers.RegexField(rf"^{LANGUAGE_CODE}\Z", max_length=12),
        help_text="Language codes (ISO 639: fr, prs; with a region: pt-br), lower case.",
    )
    birth_year = serializers.IntegerField(
        min_value=1900, max_value=9999, allow_null=True, required=False
    )

    class Meta:
        model = Person
        fields = [
            "code",
            "birth_year",
            "age_band",
            "gender",
            "nationality",
            "languages",
            "interpreter_needed",
            "household",
            "relationship",
        ]
        read_only_fields = ["code"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # ModelSerializer makes a foreign key a related field; the stubs type it as Field
            household = cast(serializers.RelatedField, self.fields["household"])
            household.queryset = Household.objects.visible_to(request.user)


class PersonDetailSerializer(PersonSerializer):
    identity = IdentitySerializer(required=False)
    confirm_new = serializers.BooleanField(
        write_only=True, default=False, help_text="Register even though likely duplicates exist."
    )

    class Meta(PersonSerializer.Meta):
        fields = [*PersonSerializer.Meta.fields, "version", "identity", "confirm_new"]
        read_only_fields = ["code"]
        extra_kwargs = {"version": {"required": False}}


class PersonViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """People of the caller's organisation. Searching by name, date of birth or file number
    is exact-match through keyed hashes: names are never stored or compared in clear."""

    capabilities = WORK
    queryset = Person.objects.select_related("household").order_by("code")
    lookup_field = "code"
    conflicts = {
        "create": "Likely duplicates exist (listed): send confirm_new to register anyway.",
        "update": STALE,
        "partial_update": STALE,
    }

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PersonSerializer if self.action == "list" else PersonDetailSerializer

    @extend_schema(request=SearchSerializer, responses=PersonSerializer(many=True))
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        """People matching a full name (any word order, accents), a date of birth and/or a
        file number, exactly. A POST, so that names never appear in a URL or a log."""
        criteria = SearchSerializer(data=request.data)
        criteria.is_valid(raise_exception=True)
        matches = find_people(request.user, **criteria.validated_data)
        page = self.paginate_queryset(matches.select_related("household").order_by("code"))
        return self.get_paginated_response(PersonSerializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        data = PersonDetailSerializer(person, context=self.get_serializer_context()).data
        data["identity"] = IdentitySerializer(read_identity(person, request.user)).data
        return Response(data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = PersonDetailSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        identity = IdentityData(**data.pop("identity", {}))
        confirm = data.pop("confirm_new")
        organisation = Organisation.objects.get(pk=principal_of(request.user).org_id)
        duplicates = likely_duplicates(organisation, identity, data.get("birth_year"))
        if duplicates and not confirm:
            return Response(
                {
                    "detail": (
                        "This person may already be registered; "
                        "send confirm_new to register anyway."
                    ),
                    "duplicates": [
                        {"code": d.person.code, "reasons": d.reasons} for d in duplicates
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        person = register_person(organisation, identity, **data)
        return Response({"code": person.code}, status=status.HTTP_201_CREATED)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the profile and/or identity; identity fields not sent are kept."""
        person = self.get_object()
        serializer = PersonDetailSerializer(
            person, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("confirm_new", None)
        version = data.pop("version", person.version)
        identity = read_identity(person, request.user)
        # a partial update validates only the identity fields sent: those change
        for field, value in data.pop("identity", {}).items():
            setattr(identity, field, value)
        update_person(person, identity, expected_version=version, **data)
        person.refresh_from_db()
        return self.retrieve(request, *args, **kwargs)


class HouseholdSerializer(serializers.ModelSerializer):
    members: serializers.SlugRelatedField[Person] = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Household
        fields = ["code", "members"]
        read_only_fields = ["code"]


class HouseholdViewSet(
    AuditedObjectMixin,
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    """Households (families followed together); add members by setting a person's household."""

    capabilities = WORK
    queryset = Household.objects.prefetch_related("members").order_by("code")
    serializer_class = HouseholdSerializer
    lookup_field = "code"

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organisation = Organisation.objects.get(pk=principal_of(request.user).org_id)
        household = create_household(organisation)
        return Response(HouseholdSerializer(household).data, status=status.HTTP_201_CREATED)
