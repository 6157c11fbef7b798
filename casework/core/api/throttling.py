"""API throttles that tell callers apart by `client_address`, not by a header they can forge."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import ScopedRateThrottle

from casework.core.http import client_address


class ClientAddressScopedThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, keyed on the address `CASEWORK_TRUSTED_PROXIES` allows."""

    def get_ident(self, request: Request) -> str:
        return client_address(request._request)
