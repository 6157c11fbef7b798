"""The API's JSON parser: DRF's, with a body nested too deeply to decode refused (400)
rather than failing the request (Python's decoder raises RecursionError, which DRF's
parser lets through). Django's cap on the body's size applies before any parser reads it;
casework.core.api.errors answers it with 413."""

from __future__ import annotations

from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Any = None
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
