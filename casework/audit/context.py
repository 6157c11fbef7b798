"""Who is acting, from where: the request context that audit entries are stamped with."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass
from typing import Any


@dataclass
class AuditContext:
    request: Any = None
    request_id: str = ""
    ip: str = ""
    # The name of the API token the request was authenticated with (set by the API's
    # authentication, which runs inside the view, after the middleware).
    token_name: str = ""

    @property
    def user(self) -> Any:
        # Read late: DRF authenticates tokens inside the view, after the middleware ran.
        return getattr(self.request, "user", None)


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "casework_audit_context", default=None
)


def current() -> AuditContext:
    return _current.get() or AuditContext()


def activate(context: AuditContext) -> contextvars.Token:
    return _current.set(context)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)
