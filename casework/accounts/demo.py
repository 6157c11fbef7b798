"""The demo network: seven pilot countries, one organisation each, and a user per role."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from casework.accounts.choices import TargetCohort
from casework.accounts.models import Membership, Organisation, Project, Site, User
from casework.accounts.services import add_membership
from casework.core.roles import ORGANISATION_ROLES, ROLES


@dataclass(frozen=True)
class DemoPilot:
    code: str  # used in the user names: caseworker.<code>
    country: str  # ISO 3166-1 alpha-2
    name: str
    cities: tuple[str, ...]
    languages: tuple[str, ...]
    cohort: str


PILOTS = (
    DemoPilot(
        "be",
        "BE",
        "Demo pilot Belgium",
        ("Brussels", "Antwerp"),
        ("fr", "nl", "en"),
        TargetCohort.FAMILIES_WITH_CHILDREN,
    ),
    DemoPilot(
        "bg",
        "BG",
        "Demo pilot Bulgaria",
        ("Sofia",),
        ("bg", "en", "ar"),
        TargetCohort.RELEASED_FROM_DETENTION,
    ),
    DemoPilot(
        "cy",
        "CY",
        "Demo pilot Cyprus",
        ("Nicosia",),
        ("el", "en"),
        TargetCohort.RELEASED_FROM_DETENTION,
    ),
    DemoPilot(
        "gr", "GR", "Demo pilot Greece", ("Athens",), ("el", "en", "fa"), TargetCohort.ASYLUM
    ),
    DemoPilot(
        "it",
        "IT",
        "Demo pilot Italy",
        ("Rome", "Milan"),
        ("it", "en", "fr"),
        TargetCohort.RETURN_ORDER,
    ),
    DemoPilot(
        "pl",
        "PL",
        "Demo pilot Poland",
        ("Warsaw",),
        ("pl", "en", "ru"),
        TargetCohort.FAMILIES_WITH_CHILDREN,
    ),
    DemoPilot(
        "uk",
        "GB",
        "Demo pilot United Kingdom",
        ("London",),
        ("en",),
        TargetCohort.RELEASED_FROM_DETENTION,
    ),
)
NETWORK_USERS = (
    ("coordinator", "network_coordinator"),
    ("evaluator", "evaluator"),
    ("observer", "observer"),
)
ORG_ROLE_ORDER = tuple(code for code in ROLES if code in ORGANISATION_ROLES)


def demo_usernames() -> list[tuple[str, str]]:
    """(username, role) of every demo user, in the order they are printed."""
    names = [(f"{role}.{pilot.code}", role) for pilot in PILOTS for role in ORG_ROLE_ORDER]
    return names + list(NETWORK_USERS)


def demo_without_two_factor() -> bool:
    """Whether this instance holds demo organisations that sign in without a second factor
    (the login page says so)."""
    return Organisation.objects.filter(
        slug__in=[pilot.code for pilot in PILOTS],
        name__in=[pilot.name for pilot in PILOTS],
        require_two_factor=False,
    ).exists()


def _user(username: str, password: str, first: str, last: str) -> tuple[User, bool]:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(
        username=username, first_name=first, last_name=last, email=f"{username}@demo.invalid"
    )
    user.set_password(password)
    user.save()
    return user, True


@transaction.atomic
def create_demo_network(password: str) -> int:
    """Create what is missing of the demo network; returns how many users were created."""
    created = 0
    for pilot in PILOTS:
        org, _ = Organisation.objects.get_or_create(
            slug=pilot.code,
            defaults={
                "name": pilot.name,
                "country": pilot.country,
                "languages": list(pilot.languages),
                # A demo is for trying Casework out: its users sign in with a password only.
                "require_two_factor": False,
            },
        )
        sites = []
        for city in pilot.cities:
            site, _ = Site.objects.get_or_create(
                organisation=org, name=f"{city} office", defaults={"city": city}
            )
            sites.append(site)
        project, new = Project.objects.get_or_create(
            organisation=org,
            name=f"Community case management {pilot.country}",
            defaults={"start_date": dt.date(2024, 1, 1), "target_cohort": pilot.cohort},
        )
        if new:
            project.sites.set(sites)
        for role in ORG_ROLE_ORDER:
            user, new = _user(
                f"{role}.{pilot.code}", password, role.replace("_", " ").title(), pilot.country
            )
            created += new
            if not Membership.objects.filter(user=user, organisation=org).exists():
                add_membership(user, role, org)
    for username, role in NETWORK_USERS:
        user, new = _user(username, password, username.title(), "Network")
        created += new
        if not Membership.objects.filter(user=user, organisation__isnull=True).exists():
            add_membership(user, role)
    return created
