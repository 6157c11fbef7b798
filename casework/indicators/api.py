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
from casework.core.access import principal_of
from casework.core.disclosure import rate_withheld
from casework.core.roles import Capability
from casework.indicators.compute import (
    Value,
    baseline_period,
    publish,
    published_curve,
    survival,
    values_of,
)
from casework.indicators.dashboard import scope_for
from casework.indicators.periods import PeriodError, check_outside, parse_period
from casework.indicators.registry import REGISTRY, family_of


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


class PointSerializer(serializers.Serializer):
    day = serializers.IntegerField(help_text="days since intake")
    at_risk = serializers.IntegerField(allow_null=True, help_text="null outside one's organisation")
    events = serializers.IntegerField(help_text="events since the previous point")
    survival = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()


class CurveSerializer(serializers.Serializer):
    group = serializers.CharField(allow_null=True, help_text="null: the total")
    suppressed = serializers.BooleanField()
    people = serializers.IntegerField(allow_null=True)
    median = serializers.IntegerField(allow_null=True, help_text="days; null if not reached")
    median_low = serializers.IntegerField(allow_null=True)
    median_high = serializers.IntegerField(allow_null=True)
    points = PointSerializer(many=True)


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
        """Each cell: value, numerator, denominator, 95% interval and `suppressed`. For
        `time_to_resolution` the value is the median in days; for `retention`, the share
        still engaged a year after intake (numerator: events; denominator: people); for the
        counts (`beneficiaries`, `new_groups`) the number of people, without denominator."""
        _indicator, start, end, by = self.query(code)
        params = request.query_params
        scope = params.get("scope", "network")
        cases, inside, own = self.scope(request, scope)
        family = family_of(code)
        baseline = baseline_period(
            principal_of(request.user).organisation_id if scope != "network" else None
        )

        def cells(of: Any, against: Any = None) -> dict[str, list[Value]]:
            return {
                c: (values_of(c, of, start, end, by, baseline, against) if by else [])
                + values_of(c, of, start, end, None, baseline, against)
                for c in family
            }

        known = cells(own, against=cases) if own is not None else None
        shown = publish(cells(cases), inside_organisation=inside, known=known)[code]
        return Response(
            {
                "indicator": code,
                "scope": params.get("scope", "network"),
                "period": {"start": start, "end": end},
                "threshold": settings.DISCLOSURE_THRESHOLD,
                "cells": CellSerializer(shown, many=True).data,
            }
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("scope", str, description="network, or organisation:<slug>"),
            OpenApiParameter("period", str, description="2025, 2025-Q2, 2025-03 or a..b"),
            OpenApiParameter("by", str, description="a disaggregation of the indicator"),
        ],
        responses=CurveSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def curve(self, request: Request, code: str) -> Response:
        """The Kaplan-Meier curve of a survival indicator (retention, time to resolution),
        the total's and one per group; coarsened outside one's own organisation."""
        indicator, start, end, by = self.query(code)
        if indicator.kind != "survival":
            raise ValidationError({"indicator": [f"{code} has no curve."]})
        cases, inside, own = self.scope(request, request.query_params.get("scope", "network"))
        if by and not inside:
            raise ValidationError(
                {"by": ["Outside your organisation, curves are given for the whole scope only."]}
            )
        curves = (survival(code, cases, start, end, by) if by else []) + survival(
            code, cases, start, end
        )
        k = settings.DISCLOSURE_THRESHOLD
        shown = []
        for curve in curves:
            # Staff looking at the network know their own organisation's curve exactly: its
            # points could be taken apart, so they get none of the network's.
            withheld = not inside and (
                own is not None or rate_withheld(curve.events, curve.cases, k)
            )
            median = (None, None, None) if withheld else curve.median
            shown.append(
                {
                    "group": curve.group,
                    "suppressed": withheld,
                    "people": curve.cases if inside else None,
                    "median": median[0],
                    "median_low": median[1],
                    "median_high": median[2],
                    "points": []
                    if withheld
                    else published_curve(curve, inside_organisation=inside),
                }
            )
        return Response(
            {
                "indicator": code,
                "scope": request.query_params.get("scope", "network"),
                "period": {"start": start, "end": end},
                "threshold": k,
                "curves": CurveSerializer(shown, many=True).data,
            }
        )

    def query(self, code: str) -> tuple[Any, Any, Any, str | None]:
        """The indicator, the period and the breakdown asked for, checked."""
        indicator = self.indicator(code)
        params = self.request.query_params
        try:
            start, end = parse_period(params.get("period", ""))
            if not self.scope(self.request, params.get("scope", "network"))[1]:
                check_outside(params.get("period", ""))
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from None
        by = params.get("by") or None
        if by is not None and by not in indicator.disaggregations:
            raise ValidationError(
                {"by": [f"Choose one of {', '.join(indicator.disaggregations)}."]}
            )
        return indicator, start, end, by

    @staticmethod
    def indicator(code: str) -> Any:
        if code not in REGISTRY:
            raise Http404
        return REGISTRY[code]

    @staticmethod
    def scope(request: Request, scope: str) -> tuple[Any, bool, Any]:
        """The cases a scope covers, whether the caller works inside them, and the caller's
        own organisation's cases within the scope when they look from inside one (figures
        they know exactly, which disclosure control must not let them subtract).

        An organisation's figures are for its own staff: everyone else sees the network,
        whose breakdown by organisation is disclosure-controlled as one table."""
        principal = principal_of(request.user)
        if scope == "network":
            network = scope_for(principal, "network")
            return network.cases, network.inside, network.own
        if scope.startswith("organisation:"):
            organisation = Organisation.objects.filter(slug=scope.split(":", 1)[1]).first()
            if organisation is None:
                raise ValidationError({"scope": ["No such organisation."]})
            if not (principal.is_organisation and principal.organisation_id == organisation.pk):
                raise ValidationError(
                    {
                        "scope": [
                            "Only its own staff see an organisation's figures: ask for the "
                            "network, broken down by organisation."
                        ]
                    }
                )
            own = scope_for(principal, "organisation")
            return own.cases, own.inside, None
        raise ValidationError({"scope": ["Use network or organisation:<slug>."]})
