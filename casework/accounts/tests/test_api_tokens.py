"""API tokens: a new one at each request, only a hash stored, named, expiring, revocable, and
ended with the password or the last membership; every use audited with the token's name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from casework.accounts.models import ApiToken
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import PASSWORD, World


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """Each test asks for a few tokens; the token throttle counts per address in the cache."""
    cache.clear()
    yield
    cache.clear()


class Clock:
    """Moves `timezone.now()` forward, for tokens that expire and uses a minute apart."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + clock.offset)
    return clock


def issue(username: str = "amina", password: str = PASSWORD, **extra: Any) -> Any:
    return APIClient().post(
        reverse("api:token"), {"username": username, "password": password, **extra}, format="json"
    )


def secret_of(username: str = "amina", **extra: Any) -> str:
    response = issue(username, **extra)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def with_token(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def me(secret: str) -> Any:
    return with_token(secret).get(reverse("api:me"))


def test_each_request_makes_a_new_token_and_each_opens_the_api(world: World) -> None:
    first, second = issue().json(), issue().json()
    assert first["token"] != second["token"] and first["id"] != second["id"]
    assert set(first) == {"token", "id", "name", "expires_at"}
    for secret in (first["token"], second["token"]):
        response = me(secret)
        assert response.status_code == 200 and response.json()["username"] == "amina"
    issued = AuditEntry.objects.filter(action=Action.TOKEN_ISSUED, actor="amina")
    assert sorted(issued.values_list("object_id", flat=True)) == sorted([first["id"], second["id"]])


def test_the_secret_is_not_stored_only_its_hash(world: World) -> None:
    secret = secret_of(name="laptop script")
    row = ApiToken.objects.filter(user=world.amina).values().get()
    assert all(secret not in str(value) for value in row.values()), row
    assert row["prefix"] == secret[:8] and len(secret) >= 40
    table = ApiToken._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  # our own table's name
        assert all(secret not in str(value) for value in cursor.fetchone())
    for entry in AuditEntry.objects.values():
        assert all(secret not in str(value) for value in entry.values())


def test_a_token_is_named_and_lasts_at_most_the_installations_days(
    world: World, settings: Any
) -> None:
    settings.CASEWORK_API_TOKEN_DAYS = 10
    default = issue().json()
    assert default["name"] == f"API token {timezone.localdate():%Y-%m-%d}"
    expires = dt.datetime.fromisoformat(default["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=10))) < dt.timedelta(minutes=1)
    short = issue(name="laptop script", days=3).json()
    assert short["name"] == "laptop script"
    expires = dt.datetime.fromisoformat(short["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=3))) < dt.timedelta(minutes=1)
    too_long = issue(days=11)
    assert too_long.status_code == 400 and "days" in too_long.json()
    assert "token" not in too_long.json()
    assert ApiToken.objects.count() == 2


def test_an_expired_token_is_refused_with_a_clear_message(world: World, clock: Clock) -> None:
    secret = secret_of(days=1)
    assert me(secret).status_code == 200
    clock.advance(days=1, minutes=1)
    response = me(secret)
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    assert secret not in response.content.decode()


def test_a_revoked_token_is_refused(world: World) -> None:
    secret = secret_of()
    token_id = ApiToken.objects.get().pk
    client = with_token(secret)
    assert client.delete(reverse("api:me-token-detail", args=[token_id])).status_code == 204
    response = me(secret)
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    token = ApiToken.objects.get()
    assert (token.revoked_by, token.revoked_at is not None) == (world.amina, True)


def test_an_unknown_or_malformed_token_is_refused_without_echoing_it(world: World) -> None:
    response = me("not-a-token-at-all-0123456789")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token is not valid."
    assert "not-a-token" not in response.content.decode()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token two words")
    assert client.get(reverse("api:me")).status_code == 401
    assert APIClient().get(reverse("api:me"))["WWW-Authenticate"] == "Token"


def test_deactivating_the_last_membership_ends_the_tokens_and_refuses_new_ones(
    world: World, client: Any
) -> None:
    secret = secret_of()
    membership = world.amina.memberships.get()
    client.force_login(world.olga)
    response = client.post(
        reverse("accounts:member-update", args=[membership.uid]), {"role": "caseworker"}
    )
    assert response.status_code == 302
    assert me(secret).status_code == 401
    assert ApiToken.objects.get().revoked_at is not None  # revoked, not only refused
    refused = issue()
    assert refused.status_code == 400 and "token" not in refused.json()
    assert ApiToken.objects.count() == 1
    entry = AuditEntry.objects.get(action=Action.TOKEN_REVOKED)
    assert (entry.actor, entry.organisation_id) == ("olga", world.alpha.pk)
    # Back at work: the old token stays revoked.
    client.post(
        reverse("accounts:member-update", args=[membership.uid]),
        {"role": "caseworker", "is_active": "on"},
    )
    assert me(secret).status_code == 401
    assert me(secret_of()).status_code == 200


def test_a_token_of_an_account_that_may_no_longer_work_is_refused(world: World) -> None:
    """However the account was stopped (here in the database, as an installation admin
    might), its tokens stop working with it."""
    amina, sam = secret_of(), secret_of("sam")
    world.amina.memberships.update(is_active=False)
    response = me(amina)
    assert response.status_code == 401 and "membership" in response.json()["detail"]
    world.sam.is_active = False
    world.sam.save()
    assert me(sam).status_code == 401


def test_a_member_with_another_active_membership_keeps_her_tokens(world: World) -> None:
    from casework.accounts.services import change_membership

    secret = secret_of("mia")
    beta = world.mia.memberships.get(organisation=world.beta)
    change_membership(beta, role="org_admin", is_active=False)
    assert ApiToken.objects.get().revoked_at is None
    assert me(secret).status_code == 200


def test_changing_the_password_revokes_every_token(world: World, client: Any) -> None:
    secrets = [secret_of(), secret_of()]
    client.force_login(world.amina)
    new = "a-new-and-longer-password-7"
    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    assert "API tokens have been revoked" in response.content.decode()
    assert [me(secret).status_code for secret in secrets] == [401, 401]
    assert AuditEntry.objects.filter(action=Action.TOKEN_REVOKED, actor="amina").count() == 2
    assert me(secret_of(password=new)).status_code == 200


def test_the_list_shows_ones_own_tokens_without_secret_or_hash(world: World) -> None:
    secret = secret_of(name="laptop script")
    secret_of("sam")
    listed = with_token(secret).get(reverse("api:me-token-list")).json()
    assert listed["count"] == 1
    (token,) = listed["results"]
    assert token["name"] == "laptop script" and token["prefix"] == secret[:8]
    assert token["last_used_at"] is not None and token["revoked"] is False
    assert set(token) == {
        "id",
        "name",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "revoked",
        "expired",
    }
    stored = ApiToken.objects.get(user=world.amina)
    body = with_token(secret).get(reverse("api:me-token-detail", args=[stored.pk])).content
    assert secret.encode() not in body and stored.key_hash.encode() not in body


def test_another_user_cannot_see_or_revoke_your_token(world: World) -> None:
    secret_of()
    amina_token = ApiToken.objects.get()
    sam = with_token(secret_of("sam"))
    url = reverse("api:me-token-detail", args=[amina_token.pk])
    assert sam.get(url).status_code == 404
    assert sam.delete(url).status_code == 404
    amina_token.refresh_from_db()
    assert amina_token.revoked_at is None


def test_each_use_is_audited_with_the_tokens_name_at_most_once_a_minute(
    world: World, clock: Clock
) -> None:
    secret = secret_of(name="laptop script")
    other = secret_of(name="old script")
    client = with_token(secret)
    client.get(reverse("api:me"))
    client.get(reverse("api:me"))
    used = AuditEntry.objects.filter(action=Action.TOKEN_USED)
    assert list(used.values_list("token_name", "actor")) == [("laptop script", "amina")]
    first_use = ApiToken.objects.get(name="laptop script").last_used_at
    assert first_use is not None
    clock.advance(minutes=2)
    client.get(reverse("api:me"))
    assert used.count() == 2
    last_use = ApiToken.objects.get(name="laptop script").last_used_at
    assert last_use is not None and last_use > first_use
    # What the request does is audited with the token's name too (never its secret).
    old = ApiToken.objects.get(name="old script")
    client.delete(reverse("api:me-token-detail", args=[old.pk]))
    revoked = AuditEntry.objects.get(action=Action.TOKEN_REVOKED)
    assert (revoked.object_id, revoked.token_name) == (str(old.pk), "laptop script")
    assert me(other).status_code == 401
    assert not AuditEntry.objects.filter(action=Action.TOKEN_ISSUED).exclude(token_name="")


def test_listing_ones_tokens_takes_four_queries_however_many(
    world: World, django_assert_num_queries: Any
) -> None:
    secret = secret_of()
    client = with_token(secret)
    client.get(reverse("api:me"))  # its first use is written now, not in the count below
    url = reverse("api:me-token-list")
    # the token and its user, the memberships, the count, the page
    with django_assert_num_queries(4):
        assert client.get(url).json()["count"] == 1
    for _n in range(5):
        secret_of()
    with django_assert_num_queries(4):
        assert client.get(url).json()["count"] == 6
