"""Sign-in rules applied to every request: idle sessions end, and a second factor is asked for
before anything else is shown where it is required."""

from __future__ import annotations

import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.accounts.models import has_second_factor, second_factor_required, session_idle_minutes

LAST_SEEN = "casework_last_seen"
# Written at most once a minute, so a busy page does not save its session at every request.
LAST_SEEN_RESOLUTION = 60
# What an unverified user may still reach: signing in and out, the two-factor pages, the
# switch to a membership that may not need a second factor, the language.
EXEMPT = frozenset(
    {
        "accounts:login",
        "accounts:logout",
        "accounts:two-factor-setup",
        "accounts:two-factor-verify",
        "accounts:switch",
        "set_language",
        "api:token",  # asks for the second factor itself
    }
)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _to(request: HttpRequest, url_name: str) -> HttpResponse:
    """Send the browser to `url_name`, coming back here afterwards (htmx: the whole page)."""
    url = f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class IdleSessionMiddleware:
    """Ends a session left idle longer than the user's organisation allows."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            minutes = session_idle_minutes(request.user)
            if last is not None and now - int(last) > minutes * 60:
                logout(request)
                if not _is_api(request):
                    messages.info(
                        request,
                        ngettext(
                            "You were signed out after %(n)d minute without activity.",
                            "You were signed out after %(n)d minutes without activity.",
                            minutes,
                        )
                        % {"n": minutes},
                    )
                    return _to(request, "accounts:login")
            elif last is None or now - int(last) >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class TwoFactorMiddleware:
    """Until a user who needs a second factor has given it in this session, every page sends
    her to set it up or to type a code, and the API (with a session) answers 403."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]  # set by OTPMiddleware
            and not self._exempt(request)
            and second_factor_required(user)
        ):
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("Confirm this sign-in with your second factor first.")},
                    status=403,
                )
            if has_second_factor(user):
                return _to(request, "accounts:two-factor-verify")
            return _to(request, "accounts:two-factor-setup")
        return self.get_response(request)

    @staticmethod
    def _exempt(request: HttpRequest) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return True  # nothing there: the 404 shows nothing
        return match.view_name in EXEMPT
