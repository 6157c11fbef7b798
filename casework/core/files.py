"""What kind of file an upload really is: by its first bytes, not by what the browser says."""

from __future__ import annotations

from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ZIP = b"PK\x03\x04"
# extension → (content type, leading bytes or None for text)
ALLOWED: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    ".odt": ("application/vnd.oasis.opendocument.text", ZIP),
    ".txt": ("text/plain", None),
}


def content_type_of(filename: str, head: bytes) -> str:
    """The content type of an allowed file, or a ValidationError that says what is allowed."""
    extension = PurePath(filename).suffix.lower()
    if extension not in ALLOWED:
        raise ValidationError(
            _("Files of this type cannot be attached. Allowed: %(types)s.")
            % {"types": ", ".join(sorted({e.lstrip(".") for e in ALLOWED}))}
        )
    content_type, signature = ALLOWED[extension]
    if signature is None:
        if b"\x00" in head:
            raise ValidationError(_("This is not a text file."))
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 4:  # a character cut at the end of `head` is fine
                raise ValidationError(_("This text file is not UTF-8.")) from None
    elif not head.startswith(signature):
        raise ValidationError(
            _("The file's content does not match its name (.%(ext)s).") % {"ext": extension[1:]}
        )
    return content_type
