from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from casework.audit.models import Action, AuditEntry
from casework.cases.models import Case, Document, DocumentContent
from casework.testing.personas import World

PDF = b"%PDF-1.7\n" + b"Decision of the Immigration Office for Okonkwo " * 200


def upload(client: Any, case: Case, name: str, data: bytes, kind: str = "decision") -> Any:
    return client.post(
        reverse("cases:document-add", args=[case.code]),
        {"kind": kind, "file": SimpleUploadedFile(name, data)},
        follow=True,
    )


def test_a_document_is_stored_encrypted_and_downloaded_by_its_organisation(
    case: Case, world: World, client: Any
) -> None:
    client.force_login(world.amina)
    page = upload(client, case, "Okonkwo decision.pdf", PDF).content.decode()
    assert "Document attached." in page and "Okonkwo decision.pdf" in page
    document = Document.objects.get()
    assert (document.content_type, document.size) == ("application/pdf", len(PDF))
    assert b"Okonkwo" not in bytes(document.sealed)
    assert b"Okonkwo" not in bytes(DocumentContent.objects.get().sealed)
    response = client.get(reverse("cases:document-download", args=[case.code, document.uid]))
    assert response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action=Action.READ, object_type="cases.document").count() == 1
    client.force_login(world.boris)
    assert (
        client.get(reverse("cases:document-download", args=[case.code, document.uid])).status_code
        == 404
    )


def test_a_file_whose_content_does_not_match_its_name_is_refused(
    case: Case, world: World, client: Any
) -> None:
    client.force_login(world.amina)
    page = upload(client, case, "letter.pdf", b"MZ\x90\x00 a windows program").content.decode()
    assert "does not match its name (.pdf)" in page
    page = upload(client, case, "script.exe", b"MZ").content.decode()
    assert "Files of this type cannot be attached." in page
    assert not Document.objects.exists()


def test_a_file_over_the_limit_is_refused(case: Case, world: World, client: Any, settings) -> None:
    settings.CASEWORK_MAX_UPLOAD_MB = 1
    client.force_login(world.amina)
    page = upload(client, case, "big.pdf", b"%PDF-" + b"0" * 1_200_000).content.decode()
    assert "larger than 1 MB" in page
    assert not Document.objects.exists()


def test_keys_rotate_re_encrypts_documents_too(
    case: Case, world: World, client: Any, settings, tmp_path: Path
) -> None:
    path = tmp_path / "keys.json"
    shutil.copy(settings.CASEWORK_KEYS_FILE, path)
    settings.CASEWORK_KEYS_FILE = path
    client.force_login(world.amina)
    upload(client, case, "note.txt", "Notes in UTF-8: café".encode())
    old = DocumentContent.objects.get().key_id
    call_command("keys", "rotate", stdout=StringIO())
    assert DocumentContent.objects.get().key_id != old
    document = Document.objects.get()
    assert document.key_id != old and document.filename == "note.txt"
    response = client.get(reverse("cases:document-download", args=[case.code, document.uid]))
    assert response.content.decode() == "Notes in UTF-8: café"


def test_a_document_about_the_person_shows_on_all_their_cases(
    case: Case, world: World, client: Any
) -> None:
    from casework.cases.services import open_case
    from casework.cases.tests.conftest import REFERRED

    second = open_case(
        world.alpha_project,
        case.person,
        referral_date=REFERRED,
        referral_source="self",
        detention_status="at_risk",
        immigration_status="no_status",
    )
    client.force_login(world.amina)
    client.post(
        reverse("cases:document-add", args=[case.code]),
        {
            "kind": "identity",
            "about_person": "on",
            "file": SimpleUploadedFile("passport.png", b"\x89PNG\r\n\x1a\n..."),
        },
    )
    client.post(
        reverse("cases:document-add", args=[case.code]),
        {"kind": "decision", "file": SimpleUploadedFile("only-here.pdf", PDF)},
    )
    on_second = client.get(second.get_absolute_url()).content.decode()
    assert "passport.png" in on_second and "about the person" in on_second
    assert "only-here.pdf" not in on_second
    passport = Document.objects.get(case__isnull=True)
    url = reverse("cases:document-download", args=[second.code, passport.uid])
    assert client.get(url).content.startswith(b"\x89PNG")
    case_only = Document.objects.get(case=case)
    elsewhere = reverse("cases:document-download", args=[second.code, case_only.uid])
    assert client.get(elsewhere).status_code == 404


def test_an_empty_file_or_none_is_refused(case: Case, world: World, client: Any) -> None:
    client.force_login(world.amina)
    assert "The submitted file is empty." in upload(client, case, "empty.pdf", b"").content.decode()
    page = client.post(
        reverse("cases:document-add", args=[case.code]), {"kind": "decision"}, follow=True
    ).content.decode()
    assert "This field is required." in page or "No file was submitted" in page
    assert not Document.objects.exists()


def test_a_request_over_the_limit_arrives_without_its_file_and_is_refused(
    case: Case, world: World, client: Any, settings
) -> None:
    # What a browser sends over the limit: Django keeps no file part larger than
    # FILE_UPLOAD_MAX_MEMORY_SIZE, and the view refuses the request by its length.
    settings.CASEWORK_MAX_UPLOAD_MB = 1
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
    client.force_login(world.amina)
    page = upload(client, case, "big.pdf", b"%PDF-" + b"0" * 2_200_000).content.decode()
    assert "larger than 1 MB" in page
    assert not Document.objects.exists()
