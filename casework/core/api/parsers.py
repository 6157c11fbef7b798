"""The API's JSON parser: DRF's, with a body nested too deeply to decode refused (400)
rather than failing the request (Python's decoder raises RecursionError, which DRF's
parser lets through), and a body with a NUL character in any string or key refused too
(PostgreSQL cannot store or even compare such text, and would fail the request). Django's
cap on the body's size applies before any parser reads it; casework.core.api.errors answers
it with 413."""

from __future__ import annotations

from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            nul = _has_nul(data)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        if nul:
            raise ParseError("Text may not contain the NUL character (\\u0000).")
        return data


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False
