"""API for indicators: the registry, and values for a scope, a period and a breakdown.

Indicators are the one place that reads across organisations, and they return aggregates
only: any figure about cases outside the caller's own organisation passes disclosure control.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from casework.accounts.models import Organisation
from casework.cases.models import Case
from casework.core.access import principal_of
from casework.core.roles import Capability
from casework.indicators.compute import case_rates, published
from casework.indicators.periods import PeriodError, parse_period
from casework.indicators.registry import REGISTRY


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    unit = serializers.CharField()
    disaggregations = serializers.ListField(child=serializers.CharField())
    time_rule = serializers.CharField()


class CellSerializer(serializers.Serializer):
    group = serializers.CharField(allow_null=True, help_text="null: the total")
    value = serializers.FloatField(allow_null=True, source="rate")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class IndicatorViewSet(viewsets.ViewSet):
    """The indicator registry, and each indicator's values."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)
    lookup_field = "code"
    lookup_value_regex = "[a-z_]+"

    @extend_schema(responses=IndicatorSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(IndicatorSerializer(REGISTRY.values(), many=True).data)

    @extend_schema(responses=IndicatorSerializer)
    def retrieve(self, request: Request, code: str) -> Response:
        return Response(IndicatorSerializer(self.indicator(code)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, description="network, or organisation:<slug>"),
            OpenApiParameter("period", str, description="2025, 2025-Q2, 2025-03 or a..b"),
            OpenApiParameter("by", str, description="a disaggregation of the indicator"),
        ],
        responses=CellSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def values(self, request: Request, code: str) -> Response:
        indicator = self.indicator(code)
        params = request.query_params
        try:
            start, end = parse_period(params.get("period", ""))
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from None
        by = params.get("by") or None
        if by is not None and by not in indicator.disaggregations:
            raise ValidationError(
                {"by": [f"Choose one of {', '.join(indicator.disaggregations)}."]}
            )
        cases, inside = self.scope(request, params.get("scope", "network"))
        cells = case_rates(code, cases, start, end, by) if by else []
        cells += case_rates(code, cases, start, end)
        shown = published(cells, inside_organisation=inside)
        return Response(
            {
                "indicator": code,
                "scope": params.get("scope", "network"),
                "period": {"start": start, "end": end},
                "threshold": settings.DISCLOSURE_THRESHOLD,
                "cells": CellSerializer(shown, many=True).data,
            }
        )

    @staticmethod
    def indicator(code: str) -> Any:
        if code not in REGISTRY:
            raise Http404
        return REGISTRY[code]

    @staticmethod
    def scope(request: Request, scope: str) -> tuple[Any, bool]:
        """The cases a scope covers, and whether the caller works inside all of them."""
        principal = principal_of(request.user)
        if scope == "network":
            return Case.objects.all(), False
        if scope.startswith("organisation:"):
            organisation = Organisation.objects.filter(slug=scope.split(":", 1)[1]).first()
            if organisation is None:
                raise ValidationError({"scope": ["No such organisation."]})
            inside = principal.is_organisation and principal.organisation_id == organisation.pk
            return Case.objects.filter(organisation=organisation), inside
        raise ValidationError({"scope": ["Use network or organisation:<slug>."]})
