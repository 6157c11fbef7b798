"""The referrals API: `/api/v1/services/`, the network's service directory, with the pages'
filters and rules (casework.referrals.services)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from casework.accounts.models import Organisation
from casework.audit.mixins import AuditedObjectMixin
from casework.cases.models import Case
from casework.core.access import get_visible_or_404
from casework.core.api.fields import CountryCode, Untrimmed, text
from casework.core.api.viewsets import UUID_PATTERN, AccessViewSetMixin
from casework.core.forms import LANGUAGE_CODE
from casework.core.http import user_of
from casework.core.limits import LIST_ITEMS
from casework.core.roles import CASEWORK, Capability
from casework.referrals.choices import Cost, ReferralStatus, ServiceType
from casework.referrals.forms import ServiceFilter
from casework.referrals.models import Referral, ReferralStep, Service
from casework.referrals.services import (
    SERVICE_FIELDS,
    may_change_service,
    refer_case,
    save_service,
    update_referral,
    verify_service,
)

# The service directory ---------------------------------------------------------------------


class ServiceSerializer(Untrimmed):
    id = serializers.UUIDField(source="uid", read_only=True)
    service_type = serializers.ChoiceField(ServiceType.choices)
    country = CountryCode()
    languages = serializers.ListField(
        child=serializers.RegexField(rf"^{LANGUAGE_CODE}\Z", max_length=12),
        max_length=LIST_ITEMS,
        default=list,
        help_text="Language codes (ISO 639: fr, prs; with a region: pt-br), lower case.",
    )
    cost = serializers.ChoiceField(Cost.choices, default=Cost.FREE)
    kept_by: serializers.SlugRelatedField[Organisation] = serializers.SlugRelatedField(
        source="organisation",
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The organisation that keeps the entry; null: the network's coordinators.",
    )

    class Meta:
        model = Service
        fields = ["id", *SERVICE_FIELDS, "kept_by"]


class VerifySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day of the check; default: today.")


def _text(description: str, max_length: int) -> dict[str, Any]:
    return {"type": "string", "maxLength": max_length, "description": description}


FILTERS = [
    OpenApiParameter("q", _text("Part of the provider's name or of the city", 100)),
    OpenApiParameter("service_type", {"type": "string", "enum": ServiceType.values}),
    OpenApiParameter("country", str, description="The country's two-letter code (BE)"),
    OpenApiParameter("city", _text("The city, in any case", 100)),
    OpenApiParameter("language", _text("A language code the service speaks (ar)", 12)),
    OpenApiParameter("serves_undocumented", bool, description="true: those that do only"),
    OpenApiParameter("free", bool, description="true: free services only"),
    OpenApiParameter(
        "active",
        {"type": "string", "enum": ["yes", "no", "all"]},
        description="Still offered (default), withdrawn, or all",
    ),
]
MANAGE = (Capability.SERVICES_MANAGE,)


@extend_schema_view(list=extend_schema(parameters=FILTERS))
class ServiceViewSet(
    AccessViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    GenericViewSet,
):
    """The network's directory of services people can be referred to, filtered like the
    page. An organisation's supervisors and admins add entries kept by their organisation
    and change those; coordinators every entry. `active: false` withdraws a service;
    `POST …/verify/` records that its details were checked."""

    capabilities = {
        "*": (Capability.SERVICES_VIEW,),
        "create": MANAGE,
        "update": MANAGE,
        "partial_update": MANAGE,
        "verify": MANAGE,
    }
    queryset = Service.objects.select_related("organisation").order_by("provider", "pk")
    serializer_class = ServiceSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet:
        rows = super().get_queryset()
        if self.action != "list":
            return rows
        filters = ServiceFilter(self.request.query_params)
        if not filters.is_valid():
            raise ValidationError(filters.errors)  # type: ignore[arg-type]  # a dict of lists
        return filters.filtered(rows)

    def get_object(self) -> Service:
        """The entry (else 404); to change it, one the caller may change (else 403, before
        the body is read)."""
        service: Service = super().get_object()
        if self.action != "retrieve" and not may_change_service(user_of(self.request), service):
            raise PermissionDenied
        return service

    def perform_create(self, serializer: serializers.BaseSerializer[Service]) -> None:
        serializer.instance = save_service(user_of(self.request), **serializer.validated_data)

    def perform_update(self, serializer: serializers.BaseSerializer[Service]) -> None:
        serializer.instance = save_service(
            user_of(self.request), serializer.instance, **serializer.validated_data
        )

    @extend_schema(request=VerifySerializer, responses={200: ServiceSerializer})
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, id: str) -> Response:
        """Record that someone checked the entry's details with the provider (default today;
        never in the future, never before the last check)."""
        service = self.get_object()
        body = VerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verify_service(user_of(request), service, **body.validated_data)
        return Response(self.get_serializer(service).data)


# Referrals of a case -----------------------------------------------------------------------


class ReferralStepSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    taken_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = ReferralStep
        fields = ["id", "status", "on", "note", "taken_by"]


class ReferralSummarySerializer(serializers.ModelSerializer):
    """A referral without its free text: a list opens no sealed text and is not an audited
    read of personal data."""

    id = serializers.UUIDField(source="uid", read_only=True)
    case = serializers.CharField(source="case.code", read_only=True)
    service: serializers.SlugRelatedField[Service] = serializers.SlugRelatedField(
        slug_field="uid",
        read_only=True,
        allow_null=True,
        help_text="The service in the directory; null: typed in.",
    )
    shares_details = serializers.BooleanField(
        read_only=True,
        help_text="The person's details were shared with the provider, under their consent.",
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "service",
            "service_type",
            "provider",
            "sent_on",
            "follow_up_on",
            "status",
            "status_on",
            "shares_details",
            "created_at",
        ]


class ReferralSerializer(ReferralSummarySerializer):
    """A referral with why, its outcome and every change of its status (an audited read)."""

    steps = ReferralStepSerializer(many=True, read_only=True)

    class Meta(ReferralSummarySerializer.Meta):
        fields = [*ReferralSummarySerializer.Meta.fields, "reason", "outcome", "steps"]


class NewReferralSerializer(serializers.Serializer):
    service = serializers.UUIDField(
        required=False,
        allow_null=True,
        help_text="A service of the directory, by its id: its provider and kind are taken "
        "from it. Without one, give `provider` and `service_type`.",
    )
    provider = text(200, "The provider, typed in, when no service is given.")
    service_type = serializers.ChoiceField(
        ServiceType.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="What kind of service, when the provider is typed in.",
    )
    reason = text(2000, "Why the person is referred (kept sealed).")
    sent_on = serializers.DateField(required=False, help_text="Default: today.")
    follow_up_on = serializers.DateField(required=False, allow_null=True, default=None)
    share_details = serializers.BooleanField(
        default=False,
        help_text="Share the person's name and contact details with the provider: this needs "
        "their consent naming that provider, in force (else 400, and nothing is stored).",
    )


class ReferralStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(ReferralStatus.choices)
    on = serializers.DateField(
        required=False, help_text="Default: today; never before the referral's last change."
    )
    note = text(2000, "What happened (kept sealed).")
    outcome = serializers.CharField(
        trim_whitespace=False,
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="What came of the referral (kept sealed); absent: unchanged.",
    )
    follow_up_on = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The next follow-up; cleared when the referral is over.",
    )


CASE_CODE = OpenApiParameter("case_code", str, OpenApiParameter.PATH, description="The case's code")
WITH_STEPS = Prefetch("steps", queryset=ReferralStep.objects.select_related("taken_by"))


@extend_schema_view(
    list=extend_schema(parameters=[CASE_CODE]),
    create=extend_schema(
        parameters=[CASE_CODE],
        request=NewReferralSerializer,
        responses={201: ReferralSerializer},
    ),
)
class CaseReferralViewSet(AccessViewSetMixin, mixins.ListModelMixin, GenericViewSet):
    """A case's referrals to services, newest first (without their free text). POST refers
    the case to a service of the directory or to a provider typed in; a closed case, a date
    in the future, a follow-up before sending or sharing details without the person's
    consent to share with that provider answer 400, and nothing is stored."""

    capabilities = CASEWORK
    queryset = Referral.objects.select_related("case", "service")
    serializer_class = ReferralSummarySerializer

    def case(self) -> Case:
        return get_visible_or_404(Case.objects, self.request.user, code=self.kwargs["case_code"])

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().filter(case=self.case())

    def create(self, request: Request, case_code: str) -> Response:
        case = self.case()  # not found before invalid: no hint that it exists
        body = NewReferralSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        uid = data.pop("service", None)
        service = None
        if uid is not None:
            service = Service.objects.visible_to(request.user).filter(uid=uid).first()
            if service is None:
                raise ValidationError({"service": ["No such service in the directory."]})
        referral = refer_case(case, by=user_of(request), service=service, **data)
        shown = Referral.objects.select_related("case", "service").prefetch_related(WITH_STEPS)
        return Response(
            ReferralSerializer(shown.get(pk=referral.pk)).data, status=status.HTTP_201_CREATED
        )


class ReferralViewSet(
    AuditedObjectMixin, AccessViewSetMixin, mixins.RetrieveModelMixin, GenericViewSet
):
    """One referral with why, its outcome and its steps (an audited read); `POST …/status/`
    records a dated change of its status, as the referral's page does."""

    capabilities = CASEWORK
    queryset = Referral.objects.select_related("case", "service").prefetch_related(WITH_STEPS)
    serializer_class = ReferralSerializer
    lookup_field = "uid"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN

    @extend_schema(request=ReferralStatusSerializer, responses={200: ReferralSerializer})
    @action(detail=True, methods=["post"])
    def status(self, request: Request, id: str) -> Response:
        """Record a change: completed, declined, did not attend and cancelled end the
        referral; a change on a closed case or an ended referral answers 400."""
        referral = self.get_object()  # not found before invalid
        body = ReferralStatusSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        update_referral(referral, by=user_of(request), **body.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=referral.pk)).data)
