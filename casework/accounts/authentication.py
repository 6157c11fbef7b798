"""The API's token authentication: `Authorization: Token <secret>`, checked against the hash of
an `ApiToken` that is neither expired nor revoked, of a user who may still work here."""

from __future__ import annotations

from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from casework.accounts.models import ApiToken, User, hash_token_secret
from casework.accounts.services import note_api_token_use
from casework.core.access import principal_of

KEYWORD = "Token"


class ApiTokenAuthentication(BaseAuthentication):
    """Answers 401 with the reason (never the secret) to a token that does not work; a request
    without a token is left to the next authentication (the session)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        words = get_authorization_header(request).split()
        if not words or words[0].lower() != KEYWORD.lower().encode():
            return None
        if len(words) != 2:
            raise AuthenticationFailed(
                _("Send the token as one word after the scheme: `Authorization: Token <token>`.")
            )
        try:
            secret = words[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("This token is not valid.")) from None
        return self.authenticate_secret(secret)

    def authenticate_secret(self, secret: str) -> tuple[User, ApiToken]:
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=hash_token_secret(secret))
        ).first()
        if token is None:
            raise AuthenticationFailed(_("This token is not valid."))
        if token.revoked_at is not None:
            raise AuthenticationFailed(_("This token has been revoked; ask for a new one."))
        if token.expires_at <= timezone.now():
            when = formats.date_format(timezone.localtime(token.expires_at), "Y-m-d H:i")
            raise AuthenticationFailed(
                _("This token expired on %(when)s; ask for a new one.") % {"when": when}
            )
        user = token.user
        if not user.is_active or principal_of(user).membership_id is None:
            raise AuthenticationFailed(
                _("This account has no active membership: its tokens no longer work.")
            )
        note_api_token_use(token)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        """Makes DRF answer 401 (not 403) to a request that is not authenticated."""
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the token (drf-spectacular finds it by its target)."""

    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "An API token from `POST /api/v1/auth/token/`, sent as `Token <token>`. "
                "Tokens expire, can be revoked (`DELETE /api/v1/me/tokens/{id}/`), and stop "
                "working when their user changes password or loses their last membership."
            ),
        }
