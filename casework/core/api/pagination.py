"""The API's pages: `page` and `page_size` are whole numbers written in ASCII digits, or the
request is refused (DRF would read `page=last` as the last page and ignore a `page_size` it
cannot read, answering something the client did not ask for)."""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

DIGITS = re.compile(r"[0-9]{1,9}")


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()

    def get_page_number(self, request: Request, paginator: Paginator) -> Any:
        return self._number(request, self.page_query_param) or 1

    def get_page_size(self, request: Request) -> int:
        size = self._number(request, self.page_size_query_param)
        return min(size, self.max_page_size) if size else self.page_size or 0

    @staticmethod
    def _number(request: Request, name: str) -> int | None:
        value = request.query_params.get(name)
        if value is None:
            return None
        if not DIGITS.fullmatch(value) or int(value) < 1:
            raise ValidationError({name: ["Give a whole number, 1 or more."]})
        return int(value)
