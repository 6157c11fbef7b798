"""The main navigation, by capability: a link shows only to roles that may open it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.core.access import Principal
from casework.core.roles import Capability


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    capabilities: tuple[str, ...] = ()


MAIN_NAV: list[NavItem] = [
    NavItem(_("Home"), "core:home"),
    NavItem(_("Cases"), "cases:case-list", (Capability.CASES_WORK,)),
    NavItem(_("New case"), "cases:register", (Capability.CASES_WORK,)),
    NavItem(_("Forms"), "assessments:form-list", (Capability.ORG_VIEW,)),
    NavItem(_("Evidence"), "indicators:dashboard", (Capability.INDICATORS_AGGREGATED,)),
    NavItem(_("Costs"), "finance:costs", (Capability.FINANCE_VIEW,)),
    NavItem(_("Network"), "network:stakeholders", (Capability.NETWORK_DIRECTORY,)),
    NavItem(_("Services"), "referrals:services", (Capability.SERVICES_VIEW,)),
    NavItem(_("Organisations"), "accounts:organisation-list", (Capability.ORG_VIEW,)),
    NavItem(_("Staff"), "accounts:member-list", (Capability.MEMBERS_VIEW,)),
    NavItem(_("Audit log"), "audit:entry-list", (Capability.AUDIT_VIEW,)),
    NavItem(_("API"), "api-docs"),
]


def items_for(principal: Principal) -> list[NavItem]:
    return [item for item in MAIN_NAV if principal.can_all(item.capabilities)]
