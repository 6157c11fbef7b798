"""Roles as data: what each role may do."""

from __future__ import annotations

from casework.core.roles import NETWORK_ROLES, ORGANISATION_ROLES, ROLES, Capability


def test_every_capability_is_granted_to_some_role() -> None:
    granted = set().union(*(role.capabilities for role in ROLES.values()))
    assert granted == set(Capability.values)


def test_only_organisation_roles_may_see_rows_about_a_person() -> None:
    for code in ORGANISATION_ROLES:
        assert Capability.PERSONAL_DATA_VIEW in ROLES[code].capabilities
    for code in NETWORK_ROLES:
        assert Capability.PERSONAL_DATA_VIEW not in ROLES[code].capabilities


def test_the_observer_sees_aggregates_only() -> None:
    observer = ROLES["observer"].capabilities
    assert Capability.INDICATORS_AGGREGATED in observer
    assert Capability.INDICATORS_PSEUDONYMISED not in observer
