"""A plausible network for the demo: the bodies, cities and countries the implementation plan
names (tables 4.1 and 4.3), a year of activities, and the expansion pipeline (Antwerp,
Ghent, Milan, Turin, Athens, Nicosia; Spain as the new country of first reception); each
pilot's count of people with lived experience involved in its case management, and most
members' answers to last year's feedback questionnaire.

Dates are relative to today (over the last two years), so the demo always has recent work to
show. Nothing here is about a beneficiary; the contact people are fictional.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from casework.accounts.models import Organisation, User
from casework.assessments.services import STANDARD_DIR, import_form
from casework.network import services
from casework.network.choices import CONFIDENCE, FEEDBACK_FORM
from casework.network.models import Expansion, Stakeholder

# name, kind, country, city, level, relationship, stance
STAKEHOLDERS = [
    ("PICUM", "cso", "BE", "Brussels", "regional", "member", "supportive"),
    (
        "International Detention Coalition",
        "cso",
        "BE",
        "Brussels",
        "international",
        "member",
        "supportive",
    ),
    (
        "UNHCR Regional Bureau for Europe",
        "un_agency",
        "BE",
        "Brussels",
        "regional",
        "ally",
        "supportive",
    ),
    (
        "Council of Europe, Committee on Migration",
        "council_of_europe",
        "FR",
        "Strasbourg",
        "regional",
        "advocacy_target",
        "open",
    ),
    (
        "OSCE/ODIHR Migration and Freedom of Movement",
        "odihr",
        "PL",
        "Warsaw",
        "regional",
        "ally",
        "open",
    ),
    (
        "European Commission, DG HOME",
        "eu_institution",
        "BE",
        "Brussels",
        "regional",
        "advocacy_target",
        "neutral",
    ),
    (
        "European Programme for Integration and Migration",
        "funder",
        "BE",
        "Brussels",
        "regional",
        "funder",
        "supportive",
    ),
    ("City of Antwerp, social services", "city", "BE", "Antwerp", "local", "partner", "open"),
    ("City of Ghent", "city", "BE", "Ghent", "local", "partner", "supportive"),
    (
        "Federal Immigration Office",
        "national_authority",
        "BE",
        "Brussels",
        "national",
        "advocacy_target",
        "sceptical",
    ),
    ("Federal Ombudsman", "ombudsperson", "BE", "Brussels", "national", "ally", "supportive"),
    ("Comune di Milano, Politiche sociali", "city", "IT", "Milan", "local", "partner", "open"),
    ("Città di Torino", "city", "IT", "Turin", "local", "ally", "open"),
    (
        "Municipality of Athens, Migrant Integration Council",
        "city",
        "GR",
        "Athens",
        "local",
        "partner",
        "open",
    ),
    ("Nicosia Municipality", "city", "CY", "Nicosia", "local", "ally", "neutral"),
    ("Bulgarian Helsinki Committee", "cso", "BG", "Sofia", "national", "member", "supportive"),
    (
        "Helsinki Foundation for Human Rights",
        "legal",
        "PL",
        "Warsaw",
        "national",
        "ally",
        "supportive",
    ),
    (
        "Migrant-led Detention Action group",
        "migrant_led",
        "GB",
        "London",
        "national",
        "member",
        "supportive",
    ),
    (
        "University of Antwerp, migration law",
        "academia",
        "BE",
        "Antwerp",
        "national",
        "ally",
        "supportive",
    ),
    ("Médicos del Mundo", "health", "ES", "Madrid", "national", "ally", "supportive"),
    ("Red Acoge", "cso", "ES", "Madrid", "national", "partner", "supportive"),
    (
        "Ministerio de Inclusión, Seguridad Social y Migraciones",
        "national_authority",
        "ES",
        "Madrid",
        "national",
        "advocacy_target",
        "open",
    ),
]

# days ago, kind, title, high profile, lived experience, status, stakeholder names
ACTIVITIES = [
    (
        660,
        "meeting",
        "Network meeting on common terminology",
        False,
        "",
        "",
        ["PICUM", "International Detention Coalition"],
    ),
    (
        600,
        "approach",
        "Approach to the City of Antwerp on a case-management pilot",
        False,
        "",
        "",
        ["City of Antwerp, social services"],
    ),
    (
        560,
        "concept_note",
        "Concept note: a pilot in Antwerp",
        False,
        "",
        "submitted",
        ["City of Antwerp, social services"],
    ),
    (
        500,
        "invitation_to_speak",
        "Invitation to speak at the Council of Europe hearing",
        True,
        "",
        "",
        ["Council of Europe, Committee on Migration"],
    ),
    (220, "training", "Training on detention for peer mentors", False, "with", "", []),
    (
        400,
        "presentation",
        "Presentation of the 2020 evaluation to UNHCR",
        False,
        "",
        "",
        ["UNHCR Regional Bureau for Europe"],
    ),
    (
        340,
        "funding_application",
        "Application to the European Programme for Integration and Migration",
        False,
        "",
        "granted",
        ["European Programme for Integration and Migration"],
    ),
    (
        300,
        "statement",
        "Ombudsman's statement on alternatives to detention",
        False,
        "",
        "",
        ["Federal Ombudsman"],
    ),
    (120, "approach", "First meeting with Red Acoge on Spain", False, "", "", ["Red Acoge"]),
    (
        200,
        "initiative",
        "Peer support group led by people with lived experience",
        False,
        "by",
        "",
        ["Migrant-led Detention Action group"],
    ),
    (
        160,
        "publication",
        "Article on case management in a Turin daily",
        False,
        "",
        "",
        ["Città di Torino"],
    ),
    (60, "campaign", "Campaign: community, not detention", False, "", "", []),
    (
        80,
        "presentation",
        "Presentation at the ODIHR migration conference",
        True,
        "",
        "",
        ["OSCE/ODIHR Migration and Freedom of Movement"],
    ),
    (
        40,
        "concept_note",
        "Concept note: a pilot in Milan",
        False,
        "",
        "drafted",
        ["Comune di Milano, Politiche sociali"],
    ),
]

# place kind, country, city, steps (stage, days ago), partner names
PIPELINE = [
    (
        "city",
        "BE",
        "Antwerp",
        [("scoping", 800), ("dialogue", 600), ("partnership_agreed", 400), ("pilot_launched", 180)],
        ["City of Antwerp, social services"],
    ),
    (
        "city",
        "BE",
        "Ghent",
        [("scoping", 760), ("dialogue", 500), ("partnership_agreed", 240)],
        ["City of Ghent"],
    ),
    (
        "city",
        "IT",
        "Milan",
        [("scoping", 400), ("dialogue", 120)],
        ["Comune di Milano, Politiche sociali"],
    ),
    ("city", "IT", "Turin", [("scoping", 300)], ["Città di Torino"]),
    (
        "city",
        "GR",
        "Athens",
        [("scoping", 700), ("dialogue", 400), ("paused", 200)],
        ["Municipality of Athens, Migrant Integration Council"],
    ),
    ("city", "CY", "Nicosia", [("scoping", 180)], ["Nicosia Municipality"]),
    (
        "country",
        "ES",
        "",
        [("scoping", 360), ("dialogue", 200)],
        ["Red Acoge", "Médicos del Mundo"],
    ),
]


# pilot → people with lived experience involved in its case management (last year, this year)
INVOLVEMENT = {
    "be": (3, 2, "Two peer mentors and an adviser on the project board"),
    "bg": (1, 1, "A peer mentor"),
    "cy": (0, 1, "A peer mentor since this spring"),
    "gr": (2, 2, "Peer mentors"),
    "it": (2, 3, "Peer mentors and a community interpreter"),
    "pl": (1, 0, "An adviser on the project board"),
    "uk": (3, 3, "Peer mentors of the migrant-led group"),
}
# pilot → confidence (coordination, messaging, evidence, influence, lived experience), most
# useful, to improve: last year's answers (Cyprus did not answer)
FEEDBACK = {
    "be": ((4, 4, 5, 3, 4), "The shared forms and the evaluation.", "Faster replies by email."),
    "bg": ((4, 3, 4, 4, 3), "Meeting the other pilots.", "More in Bulgarian."),
    "gr": ((3, 3, 4, 2, 3), "Advice on working with the city.", "Help with the authorities."),
    "it": ((5, 4, 4, 4, 4), "The common terminology.", ""),
    "pl": ((4, 4, 3, 3, 3), "The database.", "Training on the forms."),
    "uk": ((5, 5, 4, 4, 5), "Peer leadership exchanges.", "Shorter meetings."),
}


def _coordinator() -> User | None:
    return User.objects.filter(username="coordinator").first()


@transaction.atomic
def create_demo_network(today: dt.date | None = None) -> int:
    """Add the demo's stakeholders, activities and pipeline, once; the rows added."""
    today = today or timezone.localdate()
    coordinator = _coordinator()
    if coordinator is None or Stakeholder.objects.exists():
        return 0
    members = {o.country.code: o for o in Organisation.objects.all()}
    found: dict[str, Stakeholder] = {}
    for name, kind, country, city, level, relationship, stance in STAKEHOLDERS:
        found[name] = services.save_stakeholder(
            coordinator,
            name=name,
            kind=kind,
            country=country,
            city=city,
            level=level,
            relationship=relationship,
            stance=stance,
        )
    services.add_contact(
        coordinator,
        found["City of Antwerp, social services"],
        name="Lotte Janssens",
        role="Head of social services (fictional)",
        email="lotte.janssens@example.org",
        consented=True,
        consented_on=today - dt.timedelta(days=200),
    )
    for ago, kind, title, high_profile, lived, status, names in ACTIVITIES:
        # The pilots of the stakeholders' countries took part; regional work, Belgium's.
        local = {found[n].country.code for n in names} & set(members)
        involved = [members[c] for c in sorted(local)] or [
            members[c] for c in ("BE",) if c in members
        ]
        services.save_activity(
            coordinator,
            kind=kind,
            title=title,
            on=today - dt.timedelta(days=ago),
            high_profile=high_profile,
            lived_experience=lived,
            status=status,
            members=involved,
            stakeholders=[found[n] for n in names],
        )
    for place_kind, country, city, steps, partners in PIPELINE:
        (_scoping, first_ago), *later = steps
        place: Expansion = services.save_expansion(
            coordinator,
            place_kind=place_kind,
            country=country,
            city=city,
            partners=[found[n] for n in partners],
            on=today - dt.timedelta(days=first_ago),
        )
        for stage, ago in later:
            services.move(coordinator, place, stage=stage, on=today - dt.timedelta(days=ago))
    return len(STAKEHOLDERS) + 1 + len(ACTIVITIES) + len(PIPELINE) + _members_records(today)


def _members_records(today: dt.date) -> int:
    """Each pilot's involvement of people with lived experience, recorded by its admin for
    last year and this year, and last year's feedback; the rows added."""
    if services.feedback_form() is None:  # the form library is loaded after the network
        path = STANDARD_DIR / f"{FEEDBACK_FORM}.xlsx"
        import_form(path.read_bytes(), path.name)
    added = 0
    admins = User.objects.filter(username__in=[f"org_admin.{slug}" for slug in INVOLVEMENT])
    for admin in admins:
        slug = admin.username.partition(".")[2]
        last, this, note = INVOLVEMENT[slug]
        for year, people in ((today.year - 1, last), (today.year, this)):
            services.record_involvement(
                admin, year=year, people=people, note=note if people else ""
            )
            added += 1
        if slug in FEEDBACK:
            scores, useful, improve = FEEDBACK[slug]
            answers = {name: str(n) for name, n in zip(CONFIDENCE, scores, strict=True)}
            answers |= {"most_useful": useful, "improve": improve}
            services.answer_feedback(admin, answers, year=today.year - 1)
            added += 1
    return added
