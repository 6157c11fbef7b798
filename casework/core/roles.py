"""Roles and their capabilities, as data.

This module is the only place that knows what a role may do: code asks for a capability
(`principal.can(Capability.AUDIT_VIEW)`), never for a role name. To add a permission, add a
capability here, grant it to roles below, and require it in a view or viewset (see
docs/development/adding-a-permission.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    NETWORK = "network", _("Network")


class Capability(models.TextChoices):
    ORG_VIEW = "org.view", _("See organisations and their projects")
    ORG_MANAGE = "org.manage", _("Manage the organisation, its sites and projects")
    NETWORK_VIEW = "network.view", _("See every organisation of the network")
    PERSONAL_DATA_VIEW = "personal_data.view", _("See rows about a person")
    CASES_WORK = "cases.work", _("Work on cases")
    CASES_SUPERVISE = "cases.supervise", _("Supervise cases and approve plans and closures")
    MEMBERS_VIEW = "members.view", _("See the organisation's staff")
    MEMBERS_MANAGE = "members.manage", _("Add staff and change their roles")
    AUDIT_VIEW = "audit.view", _("Search and export the audit log of one's scope")
    FORMS_PUBLISH = "forms.publish", _("Publish network-standard forms")
    FORMS_MANAGE = "forms.manage", _("Add the organisation's own forms")
    TARGETS_MANAGE = "targets.manage", _("Set baselines and targets of one's scope")
    INDICATORS_PSEUDONYMISED = "indicators.pseudonymised", _("See pseudonymised evidence")
    INDICATORS_AGGREGATED = "indicators.aggregated", _("See aggregated indicators")
    RELEASES_BUILD = "releases.build", _("Build the network's releases of figures")
    SUBJECT_RIGHTS = "subjects.rights", _("Export or erase everything held on a person")
    FINANCE_VIEW = "finance.view", _("See the organisation's budgets, spending and unit costs")
    FINANCE_MANAGE = "finance.manage", _("Enter the organisation's budgets and spending")
    FINANCE_COMPARATORS = "finance.comparators", _("Keep the detention costs compared against")
    NETWORK_DIRECTORY = "network.directory", _("See the directory of the network's allies")
    NETWORK_BUILDING = (
        "network.building",
        _("See every stakeholder, activity and expansion of the network"),
    )
    NETWORK_BUILD = "network.build", _("Record stakeholders, activities and expansion")
    SERVICES_VIEW = "services.view", _("See the network's directory of services")
    SERVICES_MANAGE = "services.manage", _("Add and change the organisation's services")


C = Capability


@dataclass(frozen=True)
class Role:
    code: str
    label: str | Promise
    scope: Scope
    capabilities: frozenset[str]
    description: str | Promise

    @property
    def is_network(self) -> bool:
        return self.scope == Scope.NETWORK


_CASEWORKER = {
    C.ORG_VIEW,
    C.PERSONAL_DATA_VIEW,
    C.CASES_WORK,
    C.MEMBERS_VIEW,
    C.INDICATORS_AGGREGATED,
    C.NETWORK_DIRECTORY,
    C.SERVICES_VIEW,
}
_SUPERVISOR = _CASEWORKER | {
    C.CASES_SUPERVISE,
    C.FINANCE_VIEW,
    C.FINANCE_MANAGE,
    C.SERVICES_MANAGE,
}
_ORG_ADMIN = _SUPERVISOR | {
    C.ORG_MANAGE,
    C.MEMBERS_MANAGE,
    C.AUDIT_VIEW,
    C.FORMS_MANAGE,
    C.TARGETS_MANAGE,
    C.SUBJECT_RIGHTS,
    C.NETWORK_BUILDING,
    C.NETWORK_BUILD,
}
_EVALUATOR = {
    C.ORG_VIEW,
    C.NETWORK_VIEW,
    C.INDICATORS_PSEUDONYMISED,
    C.INDICATORS_AGGREGATED,
    C.NETWORK_DIRECTORY,
    C.NETWORK_BUILDING,
    C.SERVICES_VIEW,
}
_COORDINATOR = _EVALUATOR | {
    C.AUDIT_VIEW,
    C.FORMS_PUBLISH,
    C.TARGETS_MANAGE,
    C.RELEASES_BUILD,
    C.FINANCE_COMPARATORS,
    C.NETWORK_BUILD,
    C.SERVICES_MANAGE,
}
_OBSERVER = {C.ORG_VIEW, C.NETWORK_VIEW, C.INDICATORS_AGGREGATED}

ROLES: dict[str, Role] = {
    role.code: role
    for role in (
        Role(
            "caseworker",
            _("Case manager"),
            Scope.ORGANISATION,
            frozenset(_CASEWORKER),
            _("Works with people on their cases, inside one organisation."),
        ),
        Role(
            "supervisor",
            _("Supervisor"),
            Scope.ORGANISATION,
            frozenset(_SUPERVISOR),
            _("Sees every case of the organisation, approves plans and closures, reassigns."),
        ),
        Role(
            "org_admin",
            _("Organisation admin"),
            Scope.ORGANISATION,
            frozenset(_ORG_ADMIN),
            _(
                "Manages the organisation, its staff and projects; reads its audit log; "
                "answers people's requests to see or erase their data."
            ),
        ),
        Role(
            "network_coordinator",
            _("Network coordinator"),
            Scope.NETWORK,
            frozenset(_COORDINATOR),
            _("Runs the network: standard forms, network audit log, pseudonymised evidence."),
        ),
        Role(
            "evaluator",
            _("Evaluator"),
            Scope.NETWORK,
            frozenset(_EVALUATOR),
            _("Analyses pseudonymised and aggregated evidence across the network."),
        ),
        Role(
            "observer",
            _("Observer"),
            Scope.NETWORK,
            frozenset(_OBSERVER),
            _("A funder or authority partner: aggregated indicators only, never a person."),
        ),
    )
}

ROLE_CHOICES = [(role.code, role.label) for role in ROLES.values()]
ORGANISATION_ROLES = frozenset(code for code, role in ROLES.items() if not role.is_network)
NETWORK_ROLES = frozenset(code for code, role in ROLES.items() if role.is_network)


# What working on people's cases takes: used by every view and endpoint of cases and people.
CASEWORK = (Capability.PERSONAL_DATA_VIEW, Capability.CASES_WORK)


def roles_with(capability: str) -> frozenset[str]:
    """Codes of the roles that grant `capability`."""
    return frozenset(code for code, role in ROLES.items() if capability in role.capabilities)
