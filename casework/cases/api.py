"""API for cases: list, open, read, edit, the timeline, stage changes and closure.

Every write calls the same service the screens call; a refused change is a 400 whose message
says why, a stale `version` is a 409.
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import OuterRef, QuerySet, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from casework.accounts.models import Project, User
from casework.audit.mixins import AuditedObjectMixin
from casework.cases.choices import (
    ContactMode,
    Engagement,
    EventKind,
    ExitReason,
    GoalDomain,
    Resolution,
    Stage,
    Vulnerability,
)
from casework.cases.forms import CaseFilterForm, staff_of
from casework.cases.models import Approval, Case, EngagementPeriod, TimelineEvent
from casework.cases.querysets import filter_cases
from casework.cases.services import (
    add_goal,
    add_task,
    open_case,
    record_contact,
    record_engagement,
    request_transition,
    update_case,
)
from casework.core.access import principal_of
from casework.core.api.viewsets import AccessViewSetMixin
from casework.core.http import user_of
from casework.core.roles import CASEWORK
from casework.people.models import Person

WORK = CASEWORK
STALE = "Someone else changed the case since you read it (a stale version)."


class StaffField(serializers.SlugRelatedField):
    def get_queryset(self) -> QuerySet:
        user = self.context["request"].user
        return staff_of(principal_of(user).org_id)


class FlagsField(serializers.ListField):
    """A case's vulnerability flags: stored a row each, shown and written as a list of codes."""

    def get_attribute(self, instance: Case) -> list[str]:
        return sorted(v.flag for v in instance.vulnerabilities.all())


class CaseSerializer(serializers.ModelSerializer):
    person = serializers.SlugRelatedField(slug_field="code", queryset=Person.objects.none())
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.none())
    case_manager = StaffField(slug_field="username", allow_null=True, required=False)
    vulnerabilities = FlagsField(
        child=serializers.ChoiceField(choices=Vulnerability.choices),
        required=False,
        max_length=len(Vulnerability.choices),
    )
    engagement = serializers.CharField(read_only=True, allow_null=True)
    # blank until the case closes: declared so that the schema allows ""
    exit_reason = serializers.ChoiceField(
        choices=ExitReason.choices, read_only=True, allow_blank=True
    )
    resolution = serializers.ChoiceField(
        choices=Resolution.choices, read_only=True, allow_blank=True
    )

    class Meta:
        model = Case
        fields = [
            "code",
            "person",
            "household",
            "project",
            "case_manager",
            "referral_date",
            "referral_source",
            "intake_date",
            "detention_status",
            "immigration_status",
            "legal_representation",
            "vulnerabilities",
            "stage",
            "stage_since",
            "closed_on",
            "exit_reason",
            "resolution",
            "last_contact_on",
            "engagement",
            "version",
        ]
        read_only_fields = [
            "code",
            "household",
            "intake_date",
            "stage",
            "stage_since",
            "closed_on",
            "exit_reason",
            "resolution",
            "last_contact_on",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # ModelSerializer makes foreign keys related fields; the stubs type them as Field
            person = cast(serializers.RelatedField, self.fields["person"])
            person.queryset = Person.objects.visible_to(request.user)
            project = cast(serializers.RelatedField, self.fields["project"])
            project.queryset = Project.objects.visible_to(request.user)


class EventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    recorded_by: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="null: the system"
    )

    class Meta:
        model = TimelineEvent
        fields = ["id", "kind", "occurred_on", "summary", "data", "recorded_by", "recorded_at"]


class NewEventSerializer(serializers.Serializer):
    """Add to the timeline: `kind` says which record is made (contact, engagement, goal, task)."""

    kind = serializers.ChoiceField(
        choices=[EventKind.CONTACT, EventKind.ENGAGEMENT, EventKind.GOAL, EventKind.TASK]
    )
    on = serializers.DateField(required=False)
    mode = serializers.ChoiceField(choices=ContactMode.choices, required=False)
    attended = serializers.BooleanField(default=True)
    interpreter_used = serializers.BooleanField(default=False)
    duration_minutes = serializers.IntegerField(required=False, min_value=1, max_value=1440)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    status = serializers.ChoiceField(choices=Engagement.choices, required=False)
    domain = serializers.ChoiceField(choices=GoalDomain.choices, required=False)
    description = serializers.CharField(required=False, max_length=300)
    target_date = serializers.DateField(required=False)
    title = serializers.CharField(required=False, max_length=200)
    due_on = serializers.DateField(required=False)

    NEEDS = {
        EventKind.CONTACT: ("on", "mode"),
        EventKind.ENGAGEMENT: ("on", "status"),
        EventKind.GOAL: ("domain", "description"),
        EventKind.TASK: ("title", "due_on"),
    }

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        missing = [f for f in self.NEEDS[data["kind"]] if data.get(f) in (None, "")]
        if missing:
            raise ValidationError({f: ["This field is required for this kind."] for f in missing})
        return data


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Stage.choices)
    on = serializers.DateField(required=False)
    intake_date = serializers.DateField(required=False, allow_null=True)
    exit_reason = serializers.ChoiceField(
        choices=ExitReason.choices, required=False, allow_blank=True
    )
    resolution = serializers.ChoiceField(
        choices=Resolution.choices, required=False, allow_blank=True
    )
    version = serializers.IntegerField(
        required=False, help_text="The version you read; a stale one is refused (409)."
    )


class CloseSerializer(serializers.Serializer):
    exit_reason = serializers.ChoiceField(choices=ExitReason.choices)
    resolution = serializers.ChoiceField(
        choices=Resolution.choices, required=False, allow_blank=True
    )
    on = serializers.DateField(required=False)
    version = serializers.IntegerField(required=False)


FILTERS = [
    OpenApiParameter(name, str)
    for name in (
        "q",
        "person",
        "stage",
        "project",
        "case_manager",
        "engagement",
        "vulnerability",
        "sort",
    )
]


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class CaseViewSet(
    AuditedObjectMixin,
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """Cases of the caller's organisation, with the same filters as the case list page."""

    capabilities = WORK
    queryset = Case.objects.select_related("person", "project", "case_manager").prefetch_related(
        "vulnerabilities"
    )
    serializer_class = CaseSerializer
    lookup_field = "code"
    conflicts = {
        "update": STALE,
        "partial_update": STALE,
        "transition": STALE,
        "close": STALE,
    }

    def get_queryset(self) -> QuerySet:
        current = EngagementPeriod.objects.filter(case=OuterRef("pk"), ended_on__isnull=True)
        cases = super().get_queryset().annotate(engagement=Subquery(current.values("status")[:1]))
        if self.action != "list":
            return cases
        form = CaseFilterForm(
            self.request.query_params,
            organisation_id=principal_of(self.request.user).org_id,
        )
        if not form.is_valid():
            raise ValidationError(form.errors)  # type: ignore[arg-type]  # a dict of lists
        return filter_cases(cases, form.cleaned_data, self.request.user)

    def perform_create(self, serializer: serializers.BaseSerializer[Case]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = open_case(
            data.pop("project"), data.pop("person"), by=user_of(self.request), **data
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """PUT sends the whole case, as its schema requires (the fields that never change
        once it is open included, with their values); PATCH sends only what changes."""
        case = self.get_object()
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(case, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        for frozen in ("person", "project", "referral_date"):
            if frozen in data and data[frozen] != getattr(case, frozen):
                raise ValidationError({frozen: ["This cannot change once the case is open."]})
            data.pop(frozen, None)
        update_case(case, expected_version=data.pop("version", None), **data)
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)

    @extend_schema(request=NewEventSerializer, responses=EventSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def events(self, request: Request, code: str) -> Response:
        """The case's timeline, newest first (`?kind=` filters); POST adds a record to it."""
        case = self.get_object()
        if request.method == "POST":
            incoming = NewEventSerializer(data=request.data)
            incoming.is_valid(raise_exception=True)
            add_record(case, incoming.validated_data, user_of(request))
        events = case.events.select_related("recorded_by")
        if request.query_params.get("kind"):
            events = events.filter(kind=request.query_params["kind"])
        page = self.paginate_queryset(events)
        data = EventSerializer(page, many=True).data
        response = self.get_paginated_response(data)
        if request.method == "POST":
            response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=TransitionSerializer, responses={200: CaseSerializer, 202: None})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, code: str) -> Response:
        """Change stage (202 when it waits for a supervisor's approval)."""
        self.case = self.get_object()  # not found before invalid: no hint that it exists
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        return self._change(data.pop("to"), data)

    @extend_schema(request=CloseSerializer, responses={200: CaseSerializer, 202: None})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, code: str) -> Response:
        """Close with an exit reason (and, when resolved, the resolution outcome)."""
        self.case = self.get_object()
        payload = CloseSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._change(Stage.CLOSED, dict(payload.validated_data))

    def _change(self, to: str, data: dict[str, Any]) -> Response:
        case = self.case
        data["expected_version"] = data.pop("version", None)
        result = request_transition(case, to, by=user_of(self.request), **data)
        if isinstance(result, Approval):
            return Response(
                {"detail": "Waiting for a supervisor's approval.", "approval": str(result.uid)},
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)


def add_record(case: Case, data: dict[str, Any], user: User) -> None:
    kind = data["kind"]
    if kind == EventKind.CONTACT:
        record_contact(
            case,
            on=data["on"],
            mode=data["mode"],
            attended=data["attended"],
            interpreter_used=data["interpreter_used"],
            duration_minutes=data.get("duration_minutes"),
            note=data.get("note", ""),
            by=user,
        )
    elif kind == EventKind.ENGAGEMENT:
        record_engagement(case, data["status"], on=data["on"], by=user)
    elif kind == EventKind.GOAL:
        add_goal(
            case,
            domain=data["domain"],
            description=data["description"],
            target_date=data.get("target_date"),
            by=user,
        )
    else:
        add_task(case, title=data["title"], due_on=data["due_on"], by=user)
