"""The API's one exception handler: services' errors answered the same way everywhere."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from casework.core.conflicts import StaleVersionError


class Conflict(APIException):
    """The request cannot be done in the present state (e.g. nothing is left to build)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def api_error(error: DjangoValidationError) -> ValidationError:
    """Field errors by field; a rule's refusal under "detail", with its reason."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: a stale `version` is a 409 and any other refusal
    by a service (Django's ValidationError) a 400, so that no endpoint converts them by hand."""
    if isinstance(exc, StaleVersionError):
        set_rollback()
        return Response({"detail": exc.messages}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = api_error(exc)
    return drf_exception_handler(exc, context)
