"""API for indicators: the registry, and values for a scope, a period and a breakdown.

An organisation's own staff get its figures live and exact. Everything about the network is
read from the latest release that covers the period (casework.core.releases): no live query
answers anyone about cases outside their own organisation.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from casework.core import jobs, releases
from casework.core.access import principal_of
from casework.core.api.errors import Conflict
from casework.core.api.fields import Untrimmed, text
from casework.core.api.jobs import JobSerializer
from casework.core.api.viewsets import UUID_PATTERN, AccessViewSetMixin
from casework.core.http import user_of
from casework.core.models import NETWORK, Release
from casework.core.periods import PeriodError, check_outside, parse_period
from casework.core.roles import Capability
from casework.indicators.choices import ReflectionKind
from casework.indicators.compute import baseline_period, survival, values_of
from casework.indicators.dashboard import (
    NotInRelease,
    NotReleased,
    Scope,
    ScopeError,
    every_step,
    release_values,
    scope_for,
)
from casework.indicators.models import REFLECTION_TEXTS, Reflection
from casework.indicators.registry import REGISTRY
from casework.indicators.services import plan_records, record_reflection


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
    reason = serializers.CharField(
        help_text="why a withheld cell is withheld: primary, complement, insider or secondary"
    )


class PointSerializer(serializers.Serializer):
    day = serializers.IntegerField(help_text="days since intake")
    at_risk = serializers.IntegerField(
        allow_null=True, required=False, help_text="inside one's organisation only"
    )
    events = serializers.IntegerField(
        allow_null=True, required=False, help_text="inside one's organisation only"
    )
    survival = serializers.FloatField()
    low = serializers.FloatField()
    high = serializers.FloatField()

    def to_representation(self, instance: Any) -> Any:
        """A released point has no numbers at risk or events: the keys are left out."""
        out = super().to_representation(instance)
        for key in ("at_risk", "events"):
            if key not in instance:
                out.pop(key, None)
        return out


class CurveSerializer(serializers.Serializer):
    group = serializers.CharField(allow_null=True, help_text="null: the total")
    suppressed = serializers.BooleanField()
    people = serializers.IntegerField(allow_null=True)
    median = serializers.IntegerField(allow_null=True, help_text="days; null if not reached")
    median_low = serializers.IntegerField(allow_null=True)
    median_high = serializers.IntegerField(allow_null=True)
    points = PointSerializer(many=True)


def release_ref(release: Release | None) -> dict[str, Any] | None:
    """How an answer names the release it comes from (None: live, one's own figures)."""
    if release is None:
        return None
    return {
        "number": release.number,
        "title": release.title,
        "cutoff": release.cutoff,
        "threshold": release.threshold,
    }


SCOPE_PARAMETERS = [
    OpenApiParameter(
        "scope",
        str,
        description="network (default), country:<ISO code>, or organisation:<slug> (one's "
        "own organisation live; any other from releases)",
    ),
    OpenApiParameter("period", str, description="2025, 2025-Q2, 2025-03 or a..b"),
    OpenApiParameter("by", str, description="a disaggregation of the indicator"),
]


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

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=CellSerializer(many=True))
    @action(detail=True, methods=["get"])
    def values(self, request: Request, code: str) -> Response:
        """Each cell: value, numerator, denominator, 95% interval and `suppressed`. For
        `time_to_resolution` the value is the median in days; for `retention`, the share
        still engaged a year after intake (numerator: events; denominator: people); for the
        counts (`beneficiaries`, `new_groups`) the number of people, without denominator.
        Network figures come from the latest release covering the period, named in
        `release`; one's own organisation's are live (`release` is null)."""
        _indicator, start, end, by = self.query(code)
        scope, period = self.scope(request), request.query_params.get("period", "")
        if scope.inside:
            baseline = baseline_period(scope.organisation.pk if scope.organisation else None)
            cells = (values_of(code, scope.cases, start, end, by, baseline) if by else []) + (
                values_of(code, scope.cases, start, end, None, baseline)
            )
            release = None
        else:
            release = self.release(period)
            try:
                cells = release_values(release, period, [code], by, scope.code)[code]
            except NotReleased as error:
                raise NotFound(str(error)) from None
        return Response(
            {
                "indicator": code,
                "scope": request.query_params.get("scope", "network"),
                "period": {"start": start, "end": end},
                "threshold": release.threshold if release else settings.DISCLOSURE_THRESHOLD,
                "release": release_ref(release),
                "cells": CellSerializer(cells, many=True).data,
            }
        )

    @extend_schema(parameters=SCOPE_PARAMETERS, responses=CurveSerializer(many=True))
    @action(detail=True, methods=["get"])
    def curve(self, request: Request, code: str) -> Response:
        """The Kaplan-Meier curve of a survival indicator (retention, time to resolution).
        One's own organisation: every step, the total's and one per group. The network: the
        release's curve for the whole network, a point every 30 days at most, without
        numbers at risk or events."""
        indicator, start, end, by = self.query(code)
        if indicator.kind != "survival":
            raise ValidationError({"indicator": [f"{code} has no curve."]})
        scope, period = self.scope(request), request.query_params.get("period", "")
        shown, release = [], None
        if scope.inside:
            curves = (survival(code, scope.cases, start, end, by) if by else []) + survival(
                code, scope.cases, start, end
            )
            for curve in curves:
                median = curve.median
                shown.append(
                    {
                        "group": curve.group,
                        "suppressed": False,
                        "people": curve.cases,
                        "median": median[0],
                        "median_low": median[1],
                        "median_high": median[2],
                        "points": every_step(curve),
                    }
                )
        else:
            if by:
                raise ValidationError(
                    {
                        "by": [
                            "Outside your organisation, curves are given for the whole scope only."
                        ]
                    }
                )
            release = self.release(period)
            if not release.publishes(period, scope.code):
                raise NotFound(str(NotInRelease(release, period, scope.code)))
            stored = release.curves.filter(period=period, scope=scope.code, table=code).first()
            if stored is not None:
                shown.append(
                    {
                        "group": None,
                        "suppressed": stored.suppressed,
                        "people": None,
                        "median": stored.median,
                        "median_low": stored.median_low,
                        "median_high": stored.median_high,
                        "points": stored.points,
                    }
                )
        return Response(
            {
                "indicator": code,
                "scope": request.query_params.get("scope", "network"),
                "period": {"start": start, "end": end},
                "threshold": release.threshold if release else settings.DISCLOSURE_THRESHOLD,
                "release": release_ref(release),
                "curves": CurveSerializer(shown, many=True).data,
            }
        )

    @staticmethod
    def release(period: str) -> Release:
        release = releases.covering(period)
        if release is None:
            raise NotFound(str(NotReleased(period)))
        return release

    def query(self, code: str) -> tuple[Any, Any, Any, str | None]:
        """The indicator, the period and the breakdown asked for, checked."""
        indicator = self.indicator(code)
        params = self.request.query_params
        try:
            start, end = parse_period(params.get("period", ""))
            if not self.scope(self.request).inside:
                check_outside(params.get("period", ""))
        except PeriodError as error:
            raise ValidationError({"period": [str(error)]}) from None
        by = params.get("by") or None
        if by is not None and by not in indicator.disaggregations:
            raise ValidationError(
                {
                    "by": [
                        f"Choose one of {', '.join(indicator.disaggregations)}."
                        if indicator.disaggregations
                        else f"{indicator.code} has no breakdown: it is given in total."
                    ]
                }
            )
        return indicator, start, end, by

    @staticmethod
    def indicator(code: str) -> Any:
        if code not in REGISTRY:
            raise Http404
        return REGISTRY[code]

    @staticmethod
    def scope(request: Request) -> Scope:
        """The scope asked for, through the one rule (`dashboard.scope_for`): one's own
        organisation live; the network, a country or another organisation from releases."""
        try:
            return scope_for(principal_of(request.user), request.query_params.get("scope", NETWORK))
        except ScopeError as error:
            raise ValidationError({"scope": [str(error)]}) from None


class ReleaseSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    scope = serializers.CharField()
    built_at = serializers.DateTimeField()
    cutoff = serializers.DateTimeField()
    threshold = serializers.IntegerField()
    code_version = serializers.CharField()
    built_by = serializers.CharField()
    periods = serializers.JSONField(help_text="each year with the release that first published it")
    changes = serializers.JSONField(help_text="new and carried years, and the previous release")


class ReleaseFigureSerializer(serializers.Serializer):
    period = serializers.CharField()
    indicator = serializers.CharField(source="table")
    breakdown = serializers.CharField(help_text="empty: the total")
    group = serializers.CharField(help_text="empty: the total")
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()
    reason = serializers.CharField()


class ReleaseCurveSerializer(serializers.Serializer):
    period = serializers.CharField()
    indicator = serializers.CharField(source="table")
    suppressed = serializers.BooleanField()
    median = serializers.IntegerField(allow_null=True)
    median_low = serializers.IntegerField(allow_null=True)
    median_high = serializers.IntegerField(allow_null=True)
    points = PointSerializer(many=True)


class ReleaseDetailSerializer(ReleaseSerializer):
    audit = serializers.JSONField(help_text="per year: what was withheld and the audit's result")
    figures = ReleaseFigureSerializer(many=True)
    curves = ReleaseCurveSerializer(many=True)


NOTHING_NEW = (
    "Nothing new to publish: every ended year is released and the year to date is unchanged."
)


class ReleaseViewSet(viewsets.ViewSet):
    """The network's releases: the list, and each with its figures and its audit."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)
    lookup_field = "number"
    conflicts = {"create": NOTHING_NEW}
    lookup_value_regex = r"[0-9]{4}-[0-9]{2}(\.[0-9]+)?"

    @extend_schema(responses=ReleaseSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(ReleaseSerializer(Release.objects.all(), many=True).data)

    @extend_schema(request=None, responses={202: JobSerializer})
    def create(self, request: Request) -> Response:
        """Queue the build of the next release (every ended year not yet published) for the
        worker: the answer is the job, to poll at `/api/v1/jobs/{id}/`. Coordinators only;
        409 when every ended year is already released."""
        if not principal_of(request.user).can(Capability.RELEASES_BUILD):
            raise PermissionDenied
        if not releases.has_news():
            raise Conflict(NOTHING_NEW)
        job = jobs.start("release.build", request.user)
        return Response(JobSerializer(job).data, status=202)

    @extend_schema(responses=ReleaseDetailSerializer)
    def retrieve(self, request: Request, number: str) -> Response:
        release = Release.objects.filter(number=number).first()
        if release is None:
            raise Http404
        data = ReleaseDetailSerializer(release).data
        return Response(data)


# The MEL plan and its reflections ----------------------------------------------------------


class MilestoneSerializer(serializers.Serializer):
    period = serializers.CharField(allow_null=True)
    value = serializers.CharField(allow_null=True, help_text="a number, or typed findings")
    due = serializers.DateField(allow_null=True, help_text="set while the period is to come")


class LevelSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text="a number, or typed findings")
    period = serializers.CharField(allow_null=True)


class CurrentSerializer(serializers.Serializer):
    value = serializers.CharField(allow_null=True, help_text="null: withheld or not published")
    measured_to = serializers.DateField(allow_null=True)


class OutcomeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    position = serializers.IntegerField()
    title = serializers.CharField()


class PlanRowSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    outcome = OutcomeSerializer()
    position = serializers.IntegerField()
    wording = serializers.CharField()
    indicator = serializers.CharField(allow_null=True, help_text="the registry code, if computed")
    unit = serializers.CharField()
    computed = serializers.BooleanField()
    measured = serializers.BooleanField(help_text="computed, with a network target")
    note = serializers.CharField()
    baseline = LevelSerializer()
    midline = MilestoneSerializer(allow_null=True)
    endline = MilestoneSerializer(allow_null=True)
    target = LevelSerializer()
    current = CurrentSerializer(allow_null=True)
    progress = serializers.IntegerField(
        allow_null=True, help_text="percent of the way from the baseline to the target"
    )


class MelViewSet(viewsets.ViewSet):
    """The network's MEL plan: each indicator under its outcome, with its baseline, midline,
    endline, target, value now and progress. The network's figures come from the latest
    release; midlines and endlines are measured once their periods are over."""

    capabilities = (Capability.INDICATORS_AGGREGATED,)
    lookup_field = "id"
    lookup_value_regex = UUID_PATTERN

    @extend_schema(responses=PlanRowSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(PlanRowSerializer(plan_records(request.user), many=True).data)

    @extend_schema(responses=PlanRowSerializer)
    def retrieve(self, request: Request, id: str) -> Response:
        found = [r for r in plan_records(request.user) if r["id"] == id.lower()]
        if not found:
            raise Http404
        return Response(PlanRowSerializer(found[0]).data)


class ReflectionSerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    kind = serializers.ChoiceField(ReflectionKind.choices, default=ReflectionKind.REFLECTION)
    release: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="number",
        read_only=True,
        allow_null=True,
        help_text="the release in force that day (null: none was built by then)",
    )
    figures = PlanRowSerializer(many=True, read_only=True, help_text="the plan that day")
    risks = serializers.JSONField(read_only=True, help_text="the risk register that day")
    adaptations = text(4000)
    lessons = text(4000)
    recommendations = text(4000)

    class Meta:
        model = Reflection
        fields = ["id", "kind", "held_on", *REFLECTION_TEXTS, "release", "figures", "risks"]


class ReflectionViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    GenericViewSet,
):
    """The six-month reflections and the midline and endline evaluations, each with the
    plan's figures and the risk register as they stood that day. Coordinators record them."""

    capabilities = {"*": (Capability.NETWORK_BUILDING,), "create": (Capability.NETWORK_BUILD,)}
    queryset = Reflection.objects.select_related("release").order_by("-held_on", "-created_at")
    serializer_class = ReflectionSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        serializer.instance = record_reflection(
            user_of(self.request), **dict(serializer.validated_data)
        )
