"""The finance API: budgets and spending (`/api/v1/budgets/`), unit costs
(`/api/v1/costs/`) and detention comparators (`/api/v1/detention-costs/`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.viewsets import GenericViewSet

from casework.accounts.models import Project
from casework.core.access import principal_of
from casework.core.api.fields import CountryCode
from casework.core.api.viewsets import UUID_PATTERN, AccessViewSetMixin
from casework.core.http import user_of
from casework.core.periods import PeriodError, parse_period
from casework.core.roles import Capability
from casework.finance.choices import EURO, Category, FundingSource, Kind
from casework.finance.costs import METHOD, costs_of
from casework.finance.models import Amount, DetentionCost
from casework.finance.services import (
    correct_amount,
    record_amount,
    set_detention_cost,
    withdraw_amount,
)


class ProjectField(serializers.PrimaryKeyRelatedField):
    """A project of the caller's organisation (another's is "does not exist")."""

    def get_queryset(self) -> QuerySet:
        request = self.context["request"]
        return Project.objects.visible_to(request.user).filter(
            organisation_id=principal_of(request.user).organisation_id
        )


class AmountSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    project = ProjectField()
    kind = serializers.ChoiceField(Kind.choices)
    category = serializers.ChoiceField(Category.choices)
    # A declared field named like Field.source: the serializer takes it out of the class.
    source = serializers.ChoiceField(FundingSource.choices)  # type: ignore[assignment]
    currency = serializers.RegexField(r"^[A-Z]{3}$", max_length=3, default=EURO)
    period = serializers.CharField(max_length=10)
    note = serializers.CharField(max_length=300, allow_blank=True, default="")
    in_euros = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True)

    class Meta:
        model = Amount
        fields = [
            "id",
            "project",
            "kind",
            "period",
            "starts_on",
            "ends_on",
            "category",
            "amount",
            "currency",
            "rate",
            "rate_on",
            "in_euros",
            "source",
            "sustainable",
            "note",
            "withdrawn_at",
        ]
        read_only_fields = ["starts_on", "ends_on", "withdrawn_at"]


PERIOD = OpenApiParameter(
    "period", OpenApiTypes.STR, description="Lines overlapping this period (2025, 2025-Q2, …)."
)


@extend_schema(parameters=[PERIOD])
class BudgetViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    """The organisation's budget and spending lines (supervisors and admins). A line is
    never changed: withdraw it, or correct it (withdrawn and replaced in one step)."""

    capabilities = {
        "*": (Capability.FINANCE_VIEW,),
        "create": (Capability.FINANCE_MANAGE,),
        "withdraw": (Capability.FINANCE_MANAGE,),
        "correct": (Capability.FINANCE_MANAGE,),
    }
    queryset = Amount.objects.select_related("project")
    serializer_class = AmountSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet:
        lines = super().get_queryset()
        text = self.request.query_params.get("period")
        if self.action == "list" and text:
            try:
                start, end = parse_period(text)
            except PeriodError as error:
                raise ValidationError({"period": [str(error)]}) from None
            lines = lines.filter(starts_on__lte=end, ends_on__gte=start)
        return lines

    def perform_create(self, serializer: serializers.BaseSerializer[Amount]) -> None:
        serializer.instance = record_amount(user_of(self.request), **serializer.validated_data)

    @extend_schema(request=None, responses=AmountSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, id: str) -> Response:
        """Take the line back: it no longer counts (withdrawing it again changes nothing)."""
        line = withdraw_amount(user_of(request), self.get_object())
        return Response(self.get_serializer(line).data)

    @extend_schema(request=AmountSerializer, responses={201: AmountSerializer})
    @action(detail=True, methods=["post"])
    def correct(self, request: Request, id: str) -> Response:
        """Replace the line by a corrected one (the body is a whole line, as when adding
        one): the old line is withdrawn and the new one recorded together, or neither is."""
        line = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        new = correct_amount(user_of(request), line, **serializer.validated_data)
        return Response(self.get_serializer(new).data, status=status.HTTP_201_CREATED)


class DetentionCostSerializer(serializers.ModelSerializer):
    country = CountryCode()

    class Meta:
        model = DetentionCost
        fields = ["id", "country", "per_day", "year", "source", "note"]


class DetentionCostViewSet(
    AccessViewSetMixin, mixins.ListModelMixin, mixins.CreateModelMixin, GenericViewSet
):
    """Published detention costs per person per day; coordinators add and correct them (a
    figure for the same country, year and source replaces the one before)."""

    capabilities = {
        "*": (Capability.INDICATORS_AGGREGATED,),
        "create": (Capability.FINANCE_COMPARATORS,),
    }
    queryset = DetentionCost.objects.all()
    serializer_class = DetentionCostSerializer

    def get_queryset(self) -> QuerySet:
        return DetentionCost.objects.all()  # published figures, nobody's data

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cost = set_detention_cost(user_of(request), **serializer.validated_data)
        return Response(self.get_serializer(cost).data, status=status.HTTP_201_CREATED)


def _money(**kwargs: Any) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=18, decimal_places=2, **kwargs)


class UnitCostSerializer(serializers.Serializer):
    project = serializers.CharField(allow_null=True, help_text="null: all projects together")
    country = serializers.CharField()
    budget = _money(help_text="the budget lines of the period, spread like spending")
    spending = _money()
    share_of_budget = serializers.DecimalField(
        max_digits=8, decimal_places=3, allow_null=True, help_text="spending / budget"
    )
    case_days = serializers.IntegerField()
    person_days = serializers.IntegerField()
    months_with_spending = serializers.IntegerField()
    months = serializers.IntegerField()
    per_person_day = _money(allow_null=True)
    per_case_month = _money(allow_null=True)
    detention_per_day = _money(allow_null=True)
    share_saved = serializers.DecimalField(
        max_digits=8, decimal_places=3, allow_null=True, help_text="1 - cost / detention cost"
    )
    saving = _money(allow_null=True)
    saving_low = _money(allow_null=True)
    saving_high = _money(allow_null=True)


class CostsSerializer(serializers.Serializer):
    period = serializers.CharField()
    method = serializers.CharField()
    projects = UnitCostSerializer(many=True)
    total = UnitCostSerializer()


class CostView(APIView):
    """The caller's organisation's unit costs for a period (default: last year), project by
    project and in total, with the method."""

    capabilities = (Capability.FINANCE_VIEW,)

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="Default: last year.")
        ],
        responses=CostsSerializer,
    )
    def get(self, request: Request) -> Response:
        text = request.query_params.get("period") or str(timezone.localdate().year - 1)
        try:
            start, end = parse_period(text)
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from None
        rows = costs_of(request.user, start, end)

        data = {
            "period": text,
            "method": METHOD,
            "projects": [r.as_dict() for r in rows[:-1]],
            "total": rows[-1].as_dict(),
        }
        return Response(CostsSerializer(data).data)
