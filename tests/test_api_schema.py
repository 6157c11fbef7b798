"""The API router's open pages: the schema of every app's endpoints and its docs page."""

from __future__ import annotations

import re

from rest_framework.test import APIClient


def test_the_schema_documents_every_endpoint(api_client: APIClient, db: None) -> None:
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in ("/api/v1/auth/token/", "/api/v1/me/", "/api/v1/organisations/"):
        assert path in paths


def test_the_docs_page_loads_nothing_from_elsewhere(api_client: APIClient, db: None) -> None:
    page = api_client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert all(not s.startswith(("http://", "https://", "//")) for s in sources), sources
