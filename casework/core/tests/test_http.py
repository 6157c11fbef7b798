"""The client's address: X-Forwarded-For believed only as far as our own proxies wrote it."""

from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.test import RequestFactory, override_settings

from casework.core.http import client_address


def request(forwarded: str | None = None) -> HttpRequest:
    made = RequestFactory().get("/")
    made.META["REMOTE_ADDR"] = "10.0.0.1"
    if forwarded is not None:
        made.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return made


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.1"),  # no proxy of ours: the header is the client's own words
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the forged part is left of ours
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),  # shorter than the proxies: REMOTE_ADDR
        (1, None, "10.0.0.1"),
        (1, " , ", "10.0.0.1"),
    ],
)
def test_the_address_is_the_nth_from_the_right(
    proxies: int, forwarded: str | None, expected: str
) -> None:
    with override_settings(CASEWORK_TRUSTED_PROXIES=proxies):
        assert client_address(request(forwarded)) == expected
