"""The API's schema class: every operation also documents the errors it can answer with.

drf-spectacular documents the successful answers a view declares; the refusals every
endpoint shares (a bad request, no or a wrong token, a missing capability, a row that is not
found, a request too large or of the wrong media type, too many attempts, and the conflicts a
view names in its `conflicts`) are added here, once, so that the schema says what a client
can really receive (tests/test_fuzz.py checks every answer against it).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

ERROR = {"$ref": "#/components/schemas/Error"}  # SPECTACULAR_SETTINGS["APPEND_COMPONENTS"]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


class AutoSchema(SpectacularAutoSchema):
    """REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        responses: dict[str, Any] = operation.setdefault("responses", {})
        parameters = operation.get("parameters", [])
        takes_input = "requestBody" in operation or any(p.get("in") == "query" for p in parameters)
        errors: dict[str, str] = {}
        if takes_input or self.method not in ("GET", "HEAD", "DELETE"):
            errors["400"] = "Invalid input: each field sent names its errors."
        if "requestBody" in operation:
            errors["413"] = "The request body is larger than the installation allows."
            errors["415"] = "The request body is not of a media type the operation takes."
        if self.view.authentication_classes:
            errors["401"] = "No API token, or one that is unknown, expired or revoked."
            errors["403"] = "The caller's role may not do this."
        if any(p.get("in") == "path" for p in parameters) or any(
            p.get("name") == "page" for p in parameters
        ):
            errors["404"] = "Not found, or outside what the caller may see (or no such page)."
        if self.view.throttle_classes:
            errors["429"] = "Too many attempts: wait before trying again."
        # A view names the actions that can conflict with the present state, and how:
        # `conflicts = {"update": "A stale version.", ...}`.
        conflict = getattr(self.view, "conflicts", {}).get(getattr(self.view, "action", None))
        if conflict:
            errors["409"] = conflict
        for status, description in errors.items():
            responses.setdefault(status, _error(description))
        return operation
