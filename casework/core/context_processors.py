from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from casework.core.access import principal_of
from casework.core.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    principal = principal_of(user)
    return {"principal": principal, "nav_items": items_for(principal)}
