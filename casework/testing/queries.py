"""Helpers to assert that a page or endpoint does not issue one query per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(action: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = action()
        status = getattr(response, "status_code", 200)
        assert status == 200, f"expected 200, got {status}"
    return len(ctx.captured_queries)
