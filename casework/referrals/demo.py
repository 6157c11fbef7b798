"""A plausible service directory for the demo: in each pilot's cities, legal aid that serves
people without papers, shelters, clinics, psychosocial support, interpreters, education and
return counselling, each kept by its pilot's organisation (one by the network's
coordinators). Every name is fictional, every email an example.org address; verification
dates are relative to today, and a few are over a year old or missing, so the demo shows
the flag that says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from casework.accounts.demo import PILOTS
from casework.accounts.models import User
from casework.cases.choices import Stage
from casework.cases.models import Case
from casework.referrals.choices import Cost, ReferralStatus, ServiceType
from casework.referrals.models import Referral, Service
from casework.referrals.services import refer_case, save_service, update_referral

FREE, PAID = Cost.FREE, Cost.PAID
T = ServiceType


@dataclass(frozen=True)
class DemoService:
    pilot: str  # the pilot that keeps it (its code); "" for the network's coordinators
    provider: str
    service_type: str
    city: str
    languages: tuple[str, ...]
    serves_undocumented: bool
    cost: str
    opening_hours: str
    verified_ago: int | None  # days since it was last checked; None: never
    description: str = ""
    capacity: str = ""
    country: str = ""  # default: the pilot's country


SERVICES = (
    # Belgium
    DemoService(
        "be",
        "Brussels Free Legal Line",
        T.LEGAL_AID,
        "Brussels",
        ("fr", "nl", "en", "ar"),
        True,
        FREE,
        "Mon-Thu 9:00-13:00; afternoons by appointment",
        40,
        "Advice on asylum, regularisation and return orders; lawyers for appeals.",
        "Waiting time for an appointment about two weeks; urgent detention cases the same day.",
    ),
    DemoService(
        "be",
        "Antwerp Rights Desk",
        T.LEGAL_AID,
        "Antwerp",
        ("nl", "fr", "en", "ar", "fa"),
        True,
        FREE,
        "Tue and Thu 10:00-16:00, walk-in",
        75,
        "First-line legal advice for people without a residence permit, and referral to "
        "pro bono lawyers.",
    ),
    DemoService(
        "be",
        "Le Relais night shelter",
        T.SHELTER,
        "Brussels",
        ("fr", "nl", "en"),
        True,
        FREE,
        "Every night 19:00-8:00",
        400,
        "Night shelter for single adults; families are referred on.",
        "40 beds; arrive before 21:00.",
    ),
    DemoService(
        "be",
        "Open Door Clinic Antwerp",
        T.MEDICAL,
        "Antwerp",
        ("nl", "en", "fr", "ar"),
        True,
        FREE,
        "Tue and Thu 14:00-18:00, no appointment",
        120,
        "General practitioners and nurses; urgent medical aid paperwork.",
    ),
    DemoService(
        "be",
        "Brussels Return Counselling Point",
        T.RETURN_COUNSELLING,
        "Brussels",
        ("fr", "nl", "en", "ru"),
        False,
        FREE,
        "Mon-Fri 9:30-12:30",
        200,
        "Independent counselling on every option, return included; no data to enforcement.",
    ),
    # Bulgaria
    DemoService(
        "bg",
        "Sofia Refugee Legal Clinic",
        T.LEGAL_AID,
        "Sofia",
        ("bg", "en", "ar", "fa"),
        True,
        FREE,
        "Mon, Wed, Fri 10:00-15:00",
        60,
        "Asylum procedure, detention appeals and statelessness determination.",
    ),
    DemoService(
        "bg",
        "Vitosha Community Shelter",
        T.SHELTER,
        "Sofia",
        ("bg", "en", "ar"),
        False,
        FREE,
        "Intake Mon-Fri 9:00-17:00",
        500,
        capacity="12 places for families; waiting list.",
    ),
    DemoService(
        "bg",
        "Sofia Interpreters Collective",
        T.OTHER,
        "Sofia",
        ("bg", "ar", "fa", "ps", "ku"),
        True,
        PAID,
        "By appointment, two days' notice",
        90,
        "Interpreters for appointments with lawyers, doctors and the authorities.",
    ),
    # Cyprus
    DemoService(
        "cy",
        "Nicosia Migrant Legal Support",
        T.LEGAL_AID,
        "Nicosia",
        ("el", "en", "ar", "fr"),
        True,
        FREE,
        "Mon-Thu 9:00-14:00",
        30,
        "Advice and representation on asylum, detention and family reunification.",
    ),
    DemoService(
        "cy",
        "Ledra Psychosocial Centre",
        T.PSYCHOSOCIAL,
        "Nicosia",
        ("el", "en", "ar"),
        True,
        FREE,
        "Mon-Fri 9:00-17:00, by referral",
        None,
        "Counselling and group support for survivors of torture and trauma.",
    ),
    DemoService(
        "cy",
        "Nicosia Open Clinic",
        T.MEDICAL,
        "Nicosia",
        ("el", "en"),
        True,
        FREE,
        "Wed 16:00-19:00, Sat 10:00-13:00",
        150,
    ),
    # Greece
    DemoService(
        "gr",
        "Athens Legal Aid Collective",
        T.LEGAL_AID,
        "Athens",
        ("el", "en", "fa", "ar", "ur"),
        True,
        FREE,
        "Mon-Fri 10:00-16:00",
        20,
        "Asylum interviews, appeals, and people held in pre-removal detention.",
        "Full for new long-term cases this month; urgent cases still taken.",
    ),
    DemoService(
        "gr",
        "Kypseli Women's Day Centre",
        T.PSYCHOSOCIAL,
        "Athens",
        ("el", "en", "fa", "ar", "fr"),
        True,
        FREE,
        "Mon-Fri 10:00-17:00",
        100,
        "Psychosocial support, childcare during sessions, peer groups.",
    ),
    DemoService(
        "gr",
        "Athens Learning Hub",
        T.EDUCATION,
        "Athens",
        ("el", "en", "fa", "ar"),
        True,
        FREE,
        "Greek and English classes Mon-Thu 17:00-19:00",
        420,
    ),
    DemoService(
        "gr",
        "Piraeus Night Shelter",
        T.SHELTER,
        "Athens",
        ("el", "en", "ar"),
        True,
        FREE,
        "Every night 20:00-8:00",
        80,
        capacity="25 beds for men; call before coming.",
    ),
    # Italy
    DemoService(
        "it",
        "Milan Migrant Rights Desk",
        T.LEGAL_AID,
        "Milan",
        ("it", "en", "fr", "ar", "ti"),
        True,
        FREE,
        "Tue and Fri 15:00-19:00",
        45,
        "Residence permits, return orders and appeals against detention in a CPR.",
    ),
    DemoService(
        "it",
        "Porta Nuova Work Orientation",
        T.EMPLOYMENT,
        "Milan",
        ("it", "en", "fr"),
        False,
        FREE,
        "Mon-Wed 9:00-13:00",
        300,
        "CVs, job search and vocational courses for people with a work permit.",
    ),
    DemoService(
        "it",
        "Turin Health for All Clinic",
        T.MEDICAL,
        "Turin",
        ("it", "en", "fr", "ar"),
        True,
        FREE,
        "Mon-Fri 14:00-18:00",
        70,
        "Primary care and STP cards for people without a residence permit.",
    ),
    DemoService(
        "it",
        "Turin Italian School for All",
        T.EDUCATION,
        "Turin",
        ("it", "en", "fr", "ar"),
        True,
        FREE,
        "Evenings Mon-Thu 18:00-20:00",
        190,
    ),
    # Poland
    DemoService(
        "pl",
        "Warsaw Legal Intervention Desk",
        T.LEGAL_AID,
        "Warsaw",
        ("pl", "en", "ru", "uk"),
        True,
        FREE,
        "Mon-Fri 10:00-16:00; hotline Tue 12:00-14:00",
        25,
        "Advice on international protection, detention in guarded centres and return.",
    ),
    DemoService(
        "pl",
        "Praga Psychological Support",
        T.PSYCHOSOCIAL,
        "Warsaw",
        ("pl", "ru", "uk", "en"),
        True,
        FREE,
        "By appointment",
        130,
    ),
    DemoService(
        "pl",
        "Warsaw Food and Clothing Point",
        T.MATERIAL_SUPPORT,
        "Warsaw",
        ("pl", "ru", "uk", "en"),
        True,
        FREE,
        "Sat 10:00-14:00",
        600,
        "Food parcels, clothes and hygiene kits; no documents asked.",
    ),
    DemoService(
        "pl",
        "Vistula Interpreting",
        T.OTHER,
        "Warsaw",
        ("pl", "en", "ru", "uk", "ar"),
        False,
        PAID,
        "Mon-Fri 8:00-18:00",
        210,
        "Interpreting by phone or in person; sworn translations.",
    ),
    # United Kingdom
    DemoService(
        "uk",
        "London Detention Legal Advice",
        T.LEGAL_AID,
        "London",
        ("en", "ar", "fa", "so", "ti"),
        True,
        FREE,
        "Advice line Mon-Fri 10:00-12:00",
        15,
        "Bail applications and immigration advice for people detained or released.",
    ),
    DemoService(
        "uk",
        "Southwark Night Shelter",
        T.SHELTER,
        "London",
        ("en",),
        True,
        FREE,
        "October to April, every night 19:30-8:00",
        380,
        capacity="15 beds; referral by a caseworker only.",
    ),
    DemoService(
        "uk",
        "East London Free Clinic",
        T.MEDICAL,
        "London",
        ("en", "ar", "fr", "pt"),
        True,
        FREE,
        "Mon and Wed 10:00-15:00",
        55,
        "GP registration help and a nurse-led clinic.",
    ),
    DemoService(
        "uk",
        "London Return Options Service",
        T.RETURN_COUNSELLING,
        "London",
        ("en", "fr", "ar", "ur"),
        False,
        FREE,
        "By appointment",
        240,
    ),
    # Kept by the network's coordinators.
    DemoService(
        "",
        "Network interpreting line",
        T.OTHER,
        "Brussels",
        ("en", "fr", "ar", "fa", "ps", "ti", "so", "ru"),
        True,
        FREE,
        "Mon-Fri 9:00-17:00 CET, by phone",
        35,
        "Telephone interpreting for the network's members, booked by a case manager.",
        country="BE",
    ),
)


# Country calling codes, for fictional phone numbers (555 is never given out).
CALLING_CODES = {"BE": 32, "BG": 359, "CY": 357, "GR": 30, "IT": 39, "PL": 48, "GB": 44}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".")


@transaction.atomic
def create_demo_services(today: dt.date | None = None) -> int:
    """Add the demo's services, once, kept by each pilot's admin's organisation (the
    coordinators' entry by them); the entries added."""
    today = today or timezone.localdate()
    if Service.objects.exists():
        return 0
    countries = {pilot.code: pilot.country for pilot in PILOTS}
    keepers = {
        user.username.partition(".")[2] if "." in user.username else "": user
        for user in User.objects.filter(
            username__in=["coordinator", *(f"org_admin.{code}" for code in countries)]
        )
    }
    added = 0
    for number, row in enumerate(SERVICES):
        keeper = keepers.get(row.pilot)
        if keeper is None:
            continue
        country = row.country or countries[row.pilot]
        save_service(
            keeper,
            provider=row.provider,
            service_type=row.service_type,
            description=row.description,
            country=country,
            city=row.city,
            languages=list(row.languages),
            serves_undocumented=row.serves_undocumented,
            cost=row.cost,
            phone=f"+{CALLING_CODES[country]} 555 {1000 + number}",
            email=f"{_slug(row.provider)}@example.org",
            opening_hours=row.opening_hours,
            capacity=row.capacity,
            verified_on=None
            if row.verified_ago is None
            else today - dt.timedelta(row.verified_ago),
        )
        added += 1
    return added


# Where the demo's referrals stand: the share of referrals, in order, at each outcome (the
# rest wait for their follow-up, some of them overdue, so the home page has work to show).
OUTCOMES = [
    (ReferralStatus.COMPLETED, "Seen twice; advice given."),
    (ReferralStatus.ACCEPTED, "First appointment booked."),
    (ReferralStatus.WAITING_LIST, "Six weeks' wait."),
    (ReferralStatus.DECLINED, "Full this month."),
    (ReferralStatus.NO_SHOW, "Did not go: no bus fare."),
]


@transaction.atomic
def create_demo_referrals(today: dt.date | None = None, every: int = 6) -> int:
    """Refer every `every`-th open, active case of the demo to a service of its city's
    directory (its organisation's country, the kind of service cycling), once, through the
    same services as the pages; the referrals added. Nothing is shared: the demo people gave
    no consent to share with a named provider."""
    today = today or timezone.localdate()
    if Referral.objects.exists():
        return 0
    cases = (
        Case.objects.filter(stage=Stage.ACTIVE, closed_on__isnull=True)
        .select_related("organisation", "case_manager")
        .order_by("organisation__slug", "code")
    )
    services: dict[str, list[Service]] = {}
    for service in Service.objects.filter(active=True).order_by("provider"):
        services.setdefault(str(service.country), []).append(service)
    added = 0
    for number, case in enumerate(cases):
        local = services.get(str(case.organisation.country))
        if number % every or not local or case.case_manager is None:
            continue
        service = local[added % len(local)]
        sent = max(case.referral_date, today - dt.timedelta(days=20 + 7 * (added % 9)))
        referral = refer_case(
            case,
            by=case.case_manager,
            service=service,
            reason="Needs independent advice on the procedure.",
            sent_on=sent,
            follow_up_on=min(today, sent + dt.timedelta(days=14)),
        )
        step = added % (len(OUTCOMES) + 2)
        if step < len(OUTCOMES):
            status, note = OUTCOMES[step]
            update_referral(
                referral,
                by=case.case_manager,
                status=status,
                on=min(today, sent + dt.timedelta(days=7)),
                note=note,
                follow_up_on=min(today, sent + dt.timedelta(days=21))
                if status in (ReferralStatus.ACCEPTED, ReferralStatus.WAITING_LIST)
                else None,
            )
        added += 1
    return added
