"""The API's one exception handler: services' errors answered the same way everywhere."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from casework.core.conflicts import StaleVersionError


class Conflict(APIException):
    """The request cannot be done in the present state (e.g. nothing is left to build)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class RequestTooLarge(APIException):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (files aside): refused before it is read."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "request_too_large"


def api_error(error: DjangoValidationError) -> ValidationError:
    """Field errors by field; a rule's refusal under "detail", with its reason."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: a stale `version` is a 409 and any other refusal
    by a service (Django's ValidationError) a 400, so that no endpoint converts them by hand;
    a body over Django's caps (DATA_UPLOAD_MAX_MEMORY_SIZE, _NUMBER_FIELDS) is a 413 or a 400."""
    if isinstance(exc, StaleVersionError):
        set_rollback()
        return Response({"detail": exc.messages}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        exc = api_error(exc)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = ParseError("Too many fields.")
    return drf_exception_handler(exc, context)


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a request Django refuses before any view (too many fields, a malformed
    upload) is answered in JSON under /api/, like every other refusal of the API."""
    if _is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an API address that matches no route is a JSON 404 too."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: JSON under /api/, the plain page elsewhere."""
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
