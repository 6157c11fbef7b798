"""The network-building API: `/api/v1/stakeholders/`, `/api/v1/activities/`,
`/api/v1/expansion/`, `/api/v1/risks/` and `/api/v1/glossary/`, with the pages' rules
(casework.network.services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from casework.accounts.models import Organisation
from casework.core.api.fields import CountryCode, Untrimmed, text
from casework.core.api.viewsets import UUID_PATTERN, AccessViewSetMixin
from casework.core.http import user_of
from casework.core.roles import Capability
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
from casework.network.models import Activity, Expansion, ExpansionStep, Risk, Stakeholder, Term
from casework.network.services import (
    keeps_network_records,
    may_edit,
    move,
    review_risk,
    save_activity,
    save_expansion,
    save_risk,
    save_stakeholder,
    save_term,
)


class VisibleStakeholders(serializers.SlugRelatedField):
    """Stakeholders named by id, among those the caller sees."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="uid", many=False, **kwargs)

    def get_queryset(self) -> QuerySet:
        return Stakeholder.objects.visible_to(self.context["request"].user)


class StakeholderSerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    kind = serializers.ChoiceField(StakeholderKind.choices)
    country = CountryCode()
    level = serializers.ChoiceField(Level.choices)
    relationship = serializers.ChoiceField(Relationship.choices)
    stance = serializers.ChoiceField(Stance.choices, default=Stance.UNKNOWN)
    city = text(100)
    website = serializers.URLField(trim_whitespace=False, allow_blank=True, default="")
    description = text(2000)
    recorded_by: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        source="organisation", slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = Stakeholder
        fields = [
            "id",
            "name",
            "kind",
            "country",
            "city",
            "level",
            "relationship",
            "stance",
            "website",
            "description",
            "recorded_by",
        ]


class EditableViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """List, read, add and change (PUT or PATCH) through the app's services; a row is named
    by its id."""

    lookup_field = "uid"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = self.save(None, dict(serializer.validated_data))

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = self.save(serializer.instance, dict(serializer.validated_data))


EDIT = {
    "create": (Capability.NETWORK_BUILD,),
    "update": (Capability.NETWORK_BUILD,),
    "partial_update": (Capability.NETWORK_BUILD,),
}


class StakeholderViewSet(EditableViewSet):
    """The directory of stakeholders: every one for network building, the allies in one's
    own country for case managers and supervisors. Coordinators change every row,
    organisation admins the rows their organisation recorded."""

    capabilities = {"*": (Capability.NETWORK_DIRECTORY,), **EDIT}
    queryset = Stakeholder.objects.select_related("organisation").order_by("name", "pk")
    serializer_class = StakeholderSerializer

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        return save_stakeholder(user_of(self.request), instance, **data)


class ActivitySerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    kind = serializers.ChoiceField(ActivityKind.choices)
    lived_experience = serializers.ChoiceField(
        LivedExperience.choices, default=LivedExperience.NONE, allow_blank=True
    )
    status = serializers.ChoiceField(ApplicationStatus.choices, allow_blank=True, default="")
    members = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Organisation.objects.all(), default=list
    )
    stakeholders = VisibleStakeholders(many=True, default=list)
    outcome = text(2000)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "title",
            "on",
            "high_profile",
            "lived_experience",
            "status",
            "members",
            "stakeholders",
            "outcome",
        ]


class ActivityViewSet(EditableViewSet):
    """Network-building activities: meetings, approaches, presentations, trainings, concept
    notes and applications (with their status), campaigns, statements, publications."""

    capabilities = {"*": (Capability.NETWORK_BUILDING,), **EDIT}
    queryset = Activity.objects.prefetch_related("members", "stakeholders").order_by("-on", "pk")
    serializer_class = ActivitySerializer

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        if instance is not None:  # PATCH: what is not sent stays as it was
            data.setdefault("members", list(instance.members.all()))
            data.setdefault("stakeholders", list(instance.stakeholders.all()))
        return save_activity(user_of(self.request), instance, **data)


class StepSerializer(Untrimmed):
    class Meta:
        model = ExpansionStep
        fields = ["on", "stage", "note"]


class ExpansionSerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    place_kind = serializers.ChoiceField(PlaceKind.choices)
    country = CountryCode()
    city = text(100)
    stage = serializers.ChoiceField(Stage.choices, read_only=True)
    partners = VisibleStakeholders(many=True, default=list)
    note = text(2000)
    steps = StepSerializer(many=True, read_only=True)

    class Meta:
        model = Expansion
        fields = [
            "id",
            "place_kind",
            "country",
            "city",
            "stage",
            "launched_on",
            "partners",
            "note",
            "steps",
        ]
        read_only_fields = ["launched_on"]


class MoveSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(Stage.choices)
    on = serializers.DateField(required=False, help_text="default: today")
    note = text(2000)


class ExpansionViewSet(EditableViewSet):
    """The expansion pipeline: cities and countries with their stage (`scoping`,
    `dialogue`, `partnership_agreed`, `pilot_launched`, `paused`) and every dated step. A
    new place starts at `scoping`; `POST …/stage/` moves it."""

    capabilities = {
        "*": (Capability.NETWORK_BUILDING,),
        **EDIT,
        "stage": (Capability.NETWORK_BUILD,),
    }
    queryset = Expansion.objects.prefetch_related("partners", "steps").order_by("country", "city")
    serializer_class = ExpansionSerializer

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        if instance is not None:
            data.setdefault("partners", list(instance.partners.all()))
        return save_expansion(user_of(self.request), instance, **data)

    @extend_schema(request=MoveSerializer, responses={201: ExpansionSerializer})
    @action(detail=True, methods=["post"])
    def stage(self, request: Request, id: str) -> Response:
        """Move the place to a stage on a date (default today), or add a note at its stage."""
        expansion = self.get_object()
        if not may_edit(user_of(request), expansion):
            raise PermissionDenied
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        move(user_of(request), expansion, **body.validated_data)
        fresh = self.get_queryset().get(pk=expansion.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


class RiskSerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    area = serializers.ChoiceField(RiskArea.choices)
    likelihood = serializers.ChoiceField(Level3.choices, allow_blank=True, default="")
    impact = serializers.ChoiceField(Level3.choices, allow_blank=True, default="")
    status = serializers.ChoiceField(RiskStatus.choices, default=RiskStatus.OPEN)
    owner = text(200)

    class Meta:
        model = Risk
        fields = [
            "id",
            "area",
            "risk",
            "likelihood",
            "impact",
            "mitigation",
            "owner",
            "status",
            "reviewed_on",
            "review_note",
        ]
        read_only_fields = ["reviewed_on", "review_note"]


class ReviewSerializer(serializers.Serializer):
    on = serializers.DateField()
    likelihood = serializers.ChoiceField(Level3.choices, allow_blank=True)
    impact = serializers.ChoiceField(Level3.choices, allow_blank=True)
    status = serializers.ChoiceField(RiskStatus.choices)
    note = text(2000)


class RiskViewSet(EditableViewSet):
    """The network's risk register (the plan's table 4.4), with each risk's last review.
    Coordinators keep it; `POST …/review/` records a review."""

    capabilities = {
        "*": (Capability.NETWORK_BUILDING,),
        **EDIT,
        "review": (Capability.NETWORK_BUILD,),
    }
    queryset = Risk.objects.order_by("area", "created_at", "pk")
    serializer_class = RiskSerializer

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        return save_risk(user_of(self.request), instance, **data)

    @extend_schema(request=ReviewSerializer, responses={200: RiskSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request: Request, id: str) -> Response:
        """Record a review: the likelihood, impact and status on a date, and what it found."""
        risk = self.get_object()
        if not keeps_network_records(user_of(request)):  # refused before the body is read
            raise PermissionDenied
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return Response(
            self.get_serializer(review_risk(user_of(request), risk, **body.validated_data)).data
        )


class TermSerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    translations = serializers.JSONField(
        default=dict,
        help_text='language code → {"term": …, "definition": …}',
    )

    class Meta:
        model = Term
        fields = ["id", "slug", "term", "definition", "translations"]


class GlossaryViewSet(EditableViewSet):
    """The network's agreed terms with their translations; everyone in the network reads
    them, coordinators keep them. A term is named by its short name."""

    capabilities = {"*": (Capability.ORG_VIEW,), **EDIT}
    queryset = Term.objects.order_by("term", "pk")
    serializer_class = TermSerializer
    lookup_field = "slug"
    lookup_url_kwarg = "slug"
    lookup_value_regex = "[-a-zA-Z0-9_]+"

    def save(self, instance: Any, data: dict[str, Any]) -> Any:
        return save_term(user_of(self.request), instance, **data)
