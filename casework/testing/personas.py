"""Named test personas: two organisations and one user per role in each, plus the network.

Every app's tests use these, so "who is asking" reads the same everywhere:

    amina   caseworker in Alpha          — the everyday user; sees Alpha's rows only
    sam     supervisor in Alpha          — sees every case of Alpha, approves
    olga    org admin in Alpha           — manages Alpha, reads Alpha's audit log
    bilal   caseworker in Beta           — the wrong organisation for Alpha's rows
    beth    supervisor in Beta           — the wrong organisation, with supervision rights
    boris   org admin in Beta            — the wrong organisation with every organisation right
    nora    network coordinator          — network level: no row that identifies a person
    eva     evaluator                    — network level: pseudonymised and aggregated only
    otto    observer                     — funder/authority partner: aggregated only
    mia     caseworker in Alpha *and* org admin in Beta — for switching organisation
    nadia   an account with no membership — logged in, but may do nothing
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from casework.accounts.choices import TargetCohort
from casework.accounts.models import Organisation, Project, Site, User
from casework.accounts.services import add_membership

PASSWORD = "persona-password-1"


@dataclass
class World:
    alpha: Organisation
    beta: Organisation
    alpha_project: Project
    beta_project: Project
    alpha_site: Site
    beta_site: Site
    amina: User
    sam: User
    olga: User
    bilal: User
    beth: User
    boris: User
    nora: User
    eva: User
    otto: User
    mia: User
    nadia: User

    def users(self) -> dict[str, User]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type in ("User", User)}


def _user(username: str, first: str, last: str) -> User:
    user = User(
        username=username, first_name=first, last_name=last, email=f"{username}@test.invalid"
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def _organisation(
    slug: str, name: str, country: str, city: str
) -> tuple[Organisation, Site, Project]:
    # Two-factor sign-in is off for the personas' organisations, so that the tests of every
    # other feature sign in with a password (or force_login); the tests of two-factor sign-in
    # turn it on (accounts/tests/test_two_factor.py, the browser test). A new organisation
    # requires it by default.
    org = Organisation.objects.create(
        slug=slug, name=name, country=country, languages=["en"], require_two_factor=False
    )
    site = Site.objects.create(organisation=org, name=f"{city} office", city=city)
    project = Project.objects.create(
        organisation=org,
        name=f"{name} pilot",
        start_date=dt.date(2024, 1, 1),
        target_cohort=TargetCohort.RELEASED_FROM_DETENTION,
    )
    project.sites.add(site)
    return org, site, project


def build_world() -> World:
    alpha, alpha_site, alpha_project = _organisation("alpha", "Alpha Association", "BE", "Ghent")
    beta, beta_site, beta_project = _organisation("beta", "Beta Foundation", "PL", "Warsaw")
    people = {}
    for name, role, org in (
        ("amina", "caseworker", alpha),
        ("sam", "supervisor", alpha),
        ("olga", "org_admin", alpha),
        ("bilal", "caseworker", beta),
        ("beth", "supervisor", beta),
        ("boris", "org_admin", beta),
        ("nora", "network_coordinator", None),
        ("eva", "evaluator", None),
        ("otto", "observer", None),
    ):
        user = _user(name, name.title(), "Persona")
        add_membership(user, role, org)
        people[name] = user
    mia = _user("mia", "Mia", "Persona")
    add_membership(mia, "caseworker", alpha)
    add_membership(mia, "org_admin", beta)
    nadia = _user("nadia", "Nadia", "Persona")
    return World(
        alpha=alpha,
        beta=beta,
        alpha_project=alpha_project,
        beta_project=beta_project,
        alpha_site=alpha_site,
        beta_site=beta_site,
        mia=mia,
        nadia=nadia,
        **people,
    )
