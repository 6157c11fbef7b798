"""The API's one permission class: logged in, and the role has the view's capabilities."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from casework.core.access import principal_of


class CapabilityPermission(BasePermission):
    """Reads `capabilities` from the view (a tuple, or a dict by action with a "*" default)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        declared: tuple[str, ...] | dict[str | None, tuple[str, ...]] = getattr(
            view, "capabilities", ()
        )
        wanted: tuple[str, ...] | list[str] = (
            declared.get(getattr(view, "action", None), declared.get("*", ()))
            if isinstance(declared, dict)
            else declared
        )
        return principal_of(request.user).can_all(wanted)
