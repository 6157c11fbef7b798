"""Django's validation errors as API answers (400), shaped the same everywhere."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError


def api_error(error: DjangoValidationError) -> ValidationError:
    """Field errors by field; a rule's refusal under "detail", with its reason."""
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"detail": error.messages})
