"""Typed access to what a request carries once the access layer has let it through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import _User  # django-stubs: the AUTH_USER_MODEL class
    from django_htmx.middleware import HtmxDetails


def user_of(request: Any) -> _User:
    """The logged-in user of a request (Django's or DRF's) past `AccessMixin` or
    `CapabilityPermission`, which refuse anonymous callers: the type checker cannot see that
    check, so this states it once instead of at every call."""
    return cast("_User", request.user)


def htmx_of(request: HttpRequest) -> HtmxDetails:
    """`request.htmx`, which django_htmx's middleware sets on every request."""
    return cast("HtmxDetails", request.htmx)  # type: ignore[attr-defined]


def client_address(request: HttpRequest) -> str:
    """The caller's address, believing X-Forwarded-For only as far as our own proxies wrote it.

    With `CASEWORK_TRUSTED_PROXIES` = N (default 0) the address is the Nth from the right of
    X-Forwarded-For: each trusted proxy appends the address it received the request from, so
    anything further left was written by the client and may be forged. With 0, or when the
    header has fewer than N addresses, it is REMOTE_ADDR. The audit log, the lock-out after
    failed logins and the API's throttles all use this one rule.
    """
    proxies: int = getattr(settings, "CASEWORK_TRUSTED_PROXIES", 0)
    if proxies > 0:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in header.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]
