"""Typed access to what a request carries once the access layer has let it through."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

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
