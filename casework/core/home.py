"""Panels on the home page, contributed by the apps below `core` (registered in their
AppConfig.ready), so the home page shows each app's work without importing it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from casework.core.access import Principal


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[HttpRequest, Principal], dict[str, Any] | None]
    capabilities: tuple[str, ...] = ()
    order: int = 50


PANELS: list[Panel] = []


def register(panel: Panel) -> None:
    if panel not in PANELS:
        PANELS.append(panel)
        PANELS.sort(key=lambda p: p.order)


def panels_for(request: HttpRequest, principal: Principal) -> list[tuple[str, dict[str, Any]]]:
    shown = []
    for panel in PANELS:
        if principal.can_all(panel.capabilities):
            context = panel.context(request, principal)
            if context is not None:
                shown.append((panel.template, context))
    return shown
