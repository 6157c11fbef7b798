from __future__ import annotations

import datetime as dt

import pytest

from casework.cases.models import Case
from casework.cases.services import open_case
from casework.people.identity import IdentityData
from casework.people.services import register_person
from casework.testing.personas import World

REFERRED = dt.date(2025, 1, 6)


def new_case(world: World, org: str = "alpha", **kwargs) -> Case:
    organisation = getattr(world, org)
    person = register_person(organisation, IdentityData(given_names="Test", family_name="Person"))
    defaults = {
        "referral_date": REFERRED,
        "referral_source": "ngo",
        "detention_status": "released_from_detention",
        "immigration_status": "return_order",
        "case_manager": world.amina if org == "alpha" else world.bilal,
    }
    return open_case(getattr(world, f"{org}_project"), person, **{**defaults, **kwargs})


@pytest.fixture
def case(world: World) -> Case:
    return new_case(world)
