"""The API token pages: one's own tokens (make one, see its secret once, revoke one), and an
organisation admin revoking a member's token from the member's page."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from casework.accounts.models import ApiToken
from casework.accounts.services import issue_api_token
from casework.audit.models import Action, AuditEntry
from casework.testing.personas import World


def works(secret: str) -> bool:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(reverse("api:me")).status_code == 200


def test_a_new_token_is_shown_once_then_listed_by_its_prefix(world: World, client: Any) -> None:
    client.force_login(world.amina)
    url = reverse("accounts:tokens")
    response = client.post(url, {"name": "laptop script", "days": 7})
    assert response.status_code == 200
    page = response.content.decode()
    token = ApiToken.objects.get(user=world.amina)
    secret = page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    assert secret.startswith(token.prefix) and works(secret)
    assert "shown only this once" in page
    assert (token.expires_at - token.created_at).days == 7
    again = client.get(url).content.decode()
    assert secret not in again
    assert "laptop script" in again and f"{token.prefix}…" in again
    assert "<script" not in again.split("</head>", 1)[1] and "style=" not in again


def test_a_token_cannot_outlast_the_installations_days(
    world: World, client: Any, settings: Any
) -> None:
    settings.CASEWORK_API_TOKEN_DAYS = 5
    client.force_login(world.amina)
    response = client.post(reverse("accounts:tokens"), {"name": "too long", "days": 6})
    assert "Ensure this value is less than or equal to 5." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_someone_without_a_membership_cannot_make_a_token(world: World, client: Any) -> None:
    client.force_login(world.nadia)
    response = client.post(reverse("accounts:tokens"), {"name": "mine", "days": 1})
    assert "no active membership" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_ones_token_asks_first_then_ends_it(world: World, client: Any) -> None:
    token, secret = issue_api_token(world.amina, name="laptop script")
    client.force_login(world.amina)
    url = reverse("accounts:token-revoke", args=[token.pk])
    confirm = client.get(url)
    assert "Revoke your token “laptop script”" in confirm.content.decode()
    assert works(secret)  # asking is not revoking
    response = client.post(url, follow=True)
    assert "was revoked" in response.content.decode()
    assert not works(secret)
    client.force_login(world.sam)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_an_admin_revokes_a_members_token_from_the_members_page(world: World, client: Any) -> None:
    token, secret = issue_api_token(world.amina, name="laptop script")
    membership = world.amina.memberships.get()
    client.force_login(world.olga)
    detail = client.get(reverse("accounts:member-detail", args=[membership.uid])).content.decode()
    revoke = reverse("accounts:member-token-revoke", args=[membership.uid, token.pk])
    assert "laptop script" in detail and revoke in detail
    assert "of Amina Persona?" in client.get(revoke).content.decode()
    assert client.post(revoke).status_code == 302
    assert not works(secret)
    token.refresh_from_db()
    assert token.revoked_by == world.olga
    entry = AuditEntry.objects.get(action=Action.TOKEN_REVOKED)
    assert (entry.actor, entry.object_id, entry.organisation_id) == (
        "olga",
        str(token.pk),
        world.alpha.pk,
    )


def test_only_admins_of_the_members_organisation_see_and_revoke_its_tokens(
    world: World, client: Any
) -> None:
    token, secret = issue_api_token(world.amina, name="laptop script")
    membership = world.amina.memberships.get()
    revoke = reverse("accounts:member-token-revoke", args=[membership.uid, token.pk])
    client.force_login(world.sam)  # may see the staff, not manage them
    detail = client.get(reverse("accounts:member-detail", args=[membership.uid])).content.decode()
    assert "laptop script" not in detail
    assert client.post(revoke).status_code == 403
    client.force_login(world.boris)  # an admin, of another organisation
    assert client.post(revoke).status_code == 404
    olga = world.olga.memberships.get()
    client.force_login(world.olga)  # the token must belong to the member named in the URL
    other = reverse("accounts:member-token-revoke", args=[olga.uid, token.pk])
    assert client.post(other).status_code == 404
    assert works(secret)
