"""Serializers and viewsets of the accounts app."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.accounts.models import (
    ApiToken,
    Membership,
    Organisation,
    User,
    has_second_factor,
    second_factor_required,
)
from casework.accounts.services import (
    SecondFactorRefused,
    issue_api_token,
    revoke_api_token,
    verify_second_factor,
)
from casework.core.access import principal_of
from casework.core.api.throttling import ClientAddressScopedThrottle
from casework.core.api.viewsets import UUID_PATTERN, AccessReadOnlyViewSet
from casework.core.limits import PASSWORD_LENGTH, USERNAME_LENGTH
from casework.core.roles import Capability


class OrganisationSerializer(serializers.ModelSerializer):
    country = serializers.CharField(source="country.code", read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "slug", "name", "country", "languages"]


class OrganisationViewSet(AccessReadOnlyViewSet):
    """Organisations: one's own, or every organisation of the network for network roles."""

    capabilities = (Capability.ORG_VIEW,)
    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    lookup_field = "slug"


class MembershipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True)
    organisation = OrganisationSerializer(read_only=True)
    role_label = serializers.CharField(source="role_obj.label", read_only=True)
    scope = serializers.CharField(source="role_obj.scope", read_only=True)
    capabilities = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "organisation", "role", "role_label", "scope", "capabilities", "active"]

    def get_capabilities(self, membership: Membership) -> list[str]:
        return sorted(membership.role_obj.capabilities)

    def get_active(self, membership: Membership) -> bool:
        return membership.pk == self.context["active_membership_id"]


class MeSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "memberships"]

    def get_memberships(self, user: User) -> list[dict[str, Any]]:
        principal = principal_of(user)
        context = {"active_membership_id": principal.membership_id}
        serializer = MembershipSerializer(principal.memberships, many=True, context=context)
        return serializer.data  # type: ignore[return-value]  # many=True: a ReturnList, not a dict


class MeView(APIView):
    """The caller: who they are, their memberships and roles, and which one is active."""

    capabilities = ()

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=USERNAME_LENGTH)
    password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, max_length=PASSWORD_LENGTH
    )
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text="The current code of the authenticator app (or a recovery code), for "
        "accounts that sign in with a second factor.",
    )
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text="What the token is for, to tell it in the list (default: API token and "
        "the date).",
    )
    days = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Days until the token expires: at most, and by default, the installation's "
        "CASEWORK_API_TOKEN_DAYS (30 unless set).",
    )


class IssuedTokenSerializer(serializers.Serializer):
    """A new token with its secret: the only answer that ever holds the secret."""

    token = serializers.CharField(help_text="The secret: send it as `Authorization: Token …`.")
    id = serializers.UUIDField()
    name = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """Exchange a username and password (and the second factor, where the account has one)
    for a new API token (`Authorization: Token …`). Each call makes another token; the secret
    is shown only in this answer."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ClientAddressScopedThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenSerializer, responses={200: IssuedTokenSerializer})
    def post(self, request: Request) -> Response:
        data = TokenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Unable to log in with the given username and password.")]}
            )
        if second_factor_required(user):
            self._check_second_factor(user, data.validated_data.get("otp", ""))
        token, secret = issue_api_token(
            user,
            name=data.validated_data.get("name", ""),
            days=data.validated_data.get("days"),
        )
        issued = {"token": secret, "id": token.id, "name": token.name}
        return Response(IssuedTokenSerializer({**issued, "expires_at": token.expires_at}).data)

    @staticmethod
    def _check_second_factor(user: User, code: str) -> None:
        """A token is as good as a signed-in session: it needs the second factor too."""
        if not has_second_factor(user):
            raise serializers.ValidationError(
                {"otp": [_("Set up two-factor sign-in on the web before asking for a token.")]}
            )
        if not code:
            raise serializers.ValidationError(
                {"otp": [_("This account signs in with a second factor: give its code as otp.")]}
            )
        try:
            verify_second_factor(user, code)
        except SecondFactorRefused as refused:
            raise serializers.ValidationError({"otp": [refused.message]}) from None


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it in the list: never its secret, nor the secret's hash."""

    revoked = serializers.BooleanField(source="is_revoked", read_only=True)
    expired = serializers.BooleanField(source="is_expired", read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "revoked",
            "expired",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="The caller's API tokens, newest first"),
    retrieve=extend_schema(summary="One of the caller's API tokens"),
    destroy=extend_schema(
        summary="Revoke one of the caller's API tokens",
        responses={204: OpenApiResponse(description="Revoked (or revoked already).")},
    ),
)
class MyTokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's own API tokens; DELETE revokes one (the row stays, marked revoked).
    Another user's token is a 404, like one that does not exist."""

    capabilities = ()
    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()
    lookup_value_regex = UUID_PATTERN

    def get_queryset(self) -> QuerySet[ApiToken]:
        return ApiToken.objects.owned_by(self.request.user)

    def perform_destroy(self, instance: ApiToken) -> None:
        revoke_api_token(instance, by=self.request.user)  # type: ignore[arg-type]  # authenticated
