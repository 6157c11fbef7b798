"""How much one field, one list and one request may carry: the numbers, in one place.

The web forms and the API's serializers use the same ones, so that a record made through
one can always be edited through the other, and no request can make the server build an
unbounded query or index. docs/user-guide.md ("What the API accepts") lists them for API clients.
"""

from __future__ import annotations

NAME_LENGTH = 200  # given names, family name, each other name (alias)
PHONE_LENGTH = 60
ADDRESS_LENGTH = 500
FILE_NUMBER_LENGTH = 60  # one file number with the authorities
FILE_NUMBERS_LENGTH = 300  # a person's file numbers together, as the form shows them ("; ")
SEARCH_NAME_LENGTH = 200  # the full name searched for
USERNAME_LENGTH = 150  # Django's username
PASSWORD_LENGTH = 4096  # Django's old cap: hashing a longer password only costs time
LIST_ITEMS = 20  # items of any list: other names, file numbers, languages

# Django's cap on a request body outside its files (JSON bodies, form fields), which
# casework.core.api.parsers also applies to JSON; uploaded files are limited by
# CASEWORK_MAX_UPLOAD_MB (settings.FILE_UPLOAD_MAX_MEMORY_SIZE) instead.
REQUEST_BODY_BYTES = 2 * 1024 * 1024
REQUEST_FIELDS = 1000
