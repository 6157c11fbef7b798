"""The forms pages: filling on a case, live checks, the library, uploads and downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from casework.assessments.choices import NETWORK_FEEDBACK_FORM
from casework.assessments.models import Form, Submission
from casework.assessments.services import submit
from casework.assessments.tests.conftest import md
from casework.assessments.xlsform import read_xlsform
from casework.audit.models import AuditEntry
from casework.cases.choices import EventKind
from casework.cases.models import Case
from casework.cases.services import CaseRuleError
from casework.cases.tests.conftest import REFERRED
from casework.testing.personas import World

SCREENING = "casework_vulnerability_screening"


def fill_url(case: Case, form: Form) -> str:
    return reverse("assessments:fill", args=[case.code]) + f"?form={form.pk}"


def screening_post(form: Form, **answers: str | list[str]) -> dict[str, object]:
    data: dict[str, object] = {
        "_form": str(form.pk),
        "_action": "submit",
        "screening_date": REFERRED.isoformat(),
        "risk_of_harm": "low",
        "intervention_level": "medium",
        "placement_recommendation": "community_with_case_management",
    }
    data.update(answers)
    return data


def test_the_case_page_offers_the_forms_and_lists_submissions(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Vulnerability screening" in page and "No forms filled yet." in page
    picker = client.get(reverse("assessments:fill", args=[case.code])).content.decode()
    assert f"?form={standard[SCREENING].pk}" in picker


def test_the_network_feedback_form_is_in_the_library_but_never_filled_on_a_case(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    feedback = standard[NETWORK_FEEDBACK_FORM]
    client.force_login(world.amina)
    assert f"/forms/{feedback.pk}/" in client.get(reverse("assessments:form-list")).content.decode()
    page = client.get(case.get_absolute_url()).content.decode()
    picker = client.get(reverse("assessments:fill", args=[case.code])).content.decode()
    assert f"?form={feedback.pk}" not in picker
    offered = page[page.index('id="fill-form"') :]
    offered = offered[: offered.index("</select>")]
    assert f'<option value="{feedback.pk}">' not in offered
    assert f'<option value="{standard[SCREENING].pk}">' in offered
    assert f"?form={standard[SCREENING].pk}" in picker
    assert client.get(fill_url(case, feedback)).status_code == 404
    body = {"form": feedback.pk, "answers": {}, "status": "submitted"}
    api = client.post(
        f"/api/v1/cases/{case.code}/submissions/", body, content_type="application/json"
    )
    assert api.status_code == 404
    version = feedback.current_version()
    assert version is not None
    with pytest.raises(CaseRuleError):
        submit(case, version, {}, by=world.amina)
    assert not Submission.objects.exists()


def test_a_caseworker_fills_and_submits_a_screening(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    form = standard[SCREENING]
    page = client.get(fill_url(case, form)).content.decode()
    assert 'name="domains"' in page
    assert 'id="q-child_age" data-relevance hidden' in page  # hidden until "child"
    response = client.post(
        reverse("assessments:fill", args=[case.code]),
        screening_post(form, domains=["child", "asylum"], child_age="9"),
    )
    submission = Submission.objects.get()
    assert response.status_code == 302 and response["Location"] == submission.get_absolute_url()
    assert submission.answers["child_age"] == "9"
    assert case.events.filter(kind=EventKind.SUBMISSION).exists()
    shown = client.get(submission.get_absolute_url()).content.decode()
    assert "Child" in shown and "9" in shown
    assert AuditEntry.objects.filter(action="read", object_id=str(submission.uid)).exists()


def test_a_broken_answer_is_shown_back_with_the_forms_message(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    form = standard[SCREENING]
    response = client.post(
        reverse("assessments:fill", args=[case.code]),
        screening_post(form, domains=["child"], child_age="25"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A child is under 18: enter an age from 0 to 17." in page
    assert 'value="25"' in page  # nothing typed is lost
    assert not Submission.objects.exists()


def test_french_speakers_get_the_french_labels(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    page = client.get(fill_url(case, standard[SCREENING])).content.decode()
    assert "Enfant" not in page and "Français (fr)" in page
    page = client.get(fill_url(case, standard[SCREENING]) + "&lang=fr").content.decode()
    assert "Enfant" in page
    version = standard[SCREENING].current_version()
    assert version is not None
    check = reverse("assessments:check", args=[case.code, version.pk])
    live = client.post(check, {"_lang": "Français (fr)", "domains": ["child"], "child_age": "30"})
    assert "entre 0 et 17" in live.content.decode() or "moins de 18" in live.content.decode()


def test_live_checks_hide_skipped_questions_and_show_constraint_messages(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    version = standard[SCREENING].current_version()
    assert version is not None
    url = reverse("assessments:check", args=[case.code, version.pk])
    hidden = client.post(url, {"domains": ["asylum"]}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="form-state" hidden data-hidden="' in hidden and 'hx-swap-oob="true"' in hidden
    assert "q-child_age" in hidden.split('data-hidden="')[1].split('"')[0]
    shown = client.post(
        url, {"domains": ["child"], "child_age": "30"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "q-child_age" not in shown.split('data-hidden="')[1].split('"')[0]
    assert "A child is under 18" in shown
    assert "This question is required." not in shown  # not before submitting


def test_drafts_are_saved_reopened_and_discarded(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    form = standard[SCREENING]
    client.post(
        reverse("assessments:fill", args=[case.code]),
        {"_form": form.pk, "_action": "draft", "domains": ["child"], "child_age": "40"},
    )
    draft = Submission.objects.get()
    assert draft.is_draft and draft.answers["child_age"] == "40"
    page = client.get(draft.get_absolute_url()).content.decode()
    assert 'value="40"' in page and "Discard draft" in page
    client.post(draft.get_absolute_url(), {"_action": "discard", "_version": draft.version})
    assert not Submission.objects.exists()


def test_a_draft_saved_by_someone_else_meanwhile_is_a_conflict(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    client.post(
        reverse("assessments:fill", args=[case.code]),
        {
            "_form": standard[SCREENING].pk,
            "_action": "draft",
            "domains": ["child"],
            "child_age": "40",
        },
    )
    draft = Submission.objects.get()
    opened = draft.version
    client.post(
        draft.get_absolute_url(),
        {"_action": "draft", "_version": opened, "domains": ["child"], "child_age": "41"},
    )
    stale = client.post(
        draft.get_absolute_url(),
        {"_action": "draft", "_version": opened, "domains": ["child"], "child_age": "42"},
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "Someone else saved this draft meanwhile" in page and 'value="42"' in page
    draft.refresh_from_db()
    assert draft.answers["child_age"] == "41" and draft.version == opened + 1
    discard = client.post(draft.get_absolute_url(), {"_action": "discard", "_version": opened})
    assert discard.status_code == 409 and Submission.objects.exists()


def test_repeat_entries_are_added_and_removed_without_saving(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    form = standard["casework_client_summary"]
    url = reverse("assessments:fill", args=[case.code])
    page = client.post(
        url,
        {
            "_form": form.pk,
            "_action": "add:services",
            "services.__count": "1",
            "services.0.service_type": "legal_aid",
        },
    ).content.decode()
    assert 'name="services.1.service_type"' in page
    assert '<option value="legal_aid" selected>' in page  # the first entry kept its answer
    page = client.post(
        url, {"_form": form.pk, "_action": "remove:services.0", "services.__count": "2"}
    ).content.decode()
    assert 'name="services.0.service_type"' in page
    assert 'name="services.1.service_type"' not in page
    assert not Submission.objects.exists()


def test_another_organisations_case_is_not_found(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.bilal)
    assert client.get(fill_url(case, standard[SCREENING])).status_code == 404
    assert (
        client.post(
            reverse("assessments:fill", args=[case.code]), screening_post(standard[SCREENING])
        ).status_code
        == 404
    )


def test_an_upload_refusal_lists_each_error_with_its_row(client: Client, world: World) -> None:
    client.force_login(world.olga)
    bad = md("| survey |\n| | type | name | label |\n| | geopoint | where | Where |")
    response = client.post(
        reverse("assessments:form-upload"), {"file": SimpleUploadedFile("geo.md", bad)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "geopoint" in page and "<td>2</td>" in page and "nothing was stored" in page
    assert not Form.objects.exists()


def test_an_admin_uploads_the_organisations_own_form(client: Client, world: World) -> None:
    client.force_login(world.olga)
    good = md("| survey |\n| | type | name | label |\n| | text | why | Why? |")
    response = client.post(
        reverse("assessments:form-upload"), {"file": SimpleUploadedFile("own.md", good)}
    )
    form = Form.objects.get()
    assert response.status_code == 302 and form.organisation == world.alpha
    client.force_login(world.amina)
    assert "Why?" in client.get(form.get_absolute_url()).content.decode()


def test_a_form_downloads_as_xlsform_that_imports_to_the_same_definition(
    client: Client, world: World, standard: dict[str, Form]
) -> None:
    client.force_login(world.otto)
    form = standard["casework_needs_assessment"]
    response = client.get(reverse("assessments:form-export", args=[form.pk, 1]))
    assert response["Content-Disposition"].endswith('.xlsx"')
    again = read_xlsform(response.content, "download.xlsx")
    version = form.current_version()
    assert version is not None and again.definition == version.definition


def test_submissions_export_as_csv_and_xlsx_with_a_codebook(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    form = standard["casework_client_summary"]
    answers: dict[str, Any] = {
        "summary_date": REFERRED.isoformat(),
        "age_band": "25_34",
        "gender": "female",
        "services": [
            {"service_type": "legal_aid", "service_outcome": "received"},
            {"service_type": "=cmd()", "service_outcome": "waiting"},
        ],
    }
    answers["services"][1]["service_type"] = "medical"
    version = form.current_version()
    assert version is not None
    submit(case, version, answers, by=world.amina)
    client.force_login(world.sam)
    response = client.get(reverse("assessments:submission-export", args=[form.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, row = rows[0], rows[1]
    assert header[:4] == ["submission", "case", "form_version", "submitted_at"]
    assert row[header.index("service_type")] == "legal_aid | medical"
    assert row[header.index("service_count")] == "2"
    assert row[1] == case.code
    book = load_workbook(
        io.BytesIO(
            client.get(reverse("assessments:submission-export", args=[form.pk, "xlsx"])).content
        )
    )
    assert book.sheetnames == ["submissions", "codebook"]
    codebook = list(book["codebook"].values)
    assert codebook[[r[0] for r in codebook].index("gender")][:3] == (
        "gender",
        "select_one",
        "Gender",
    )
    assert AuditEntry.objects.filter(action="export", object_id=f"form:{form.pk}").count() == 2
    client.force_login(world.beth)  # Beta's supervisor: none of Alpha's answers
    beta = client.get(reverse("assessments:submission-export", args=[form.pk, "csv"]))
    assert case.code not in beta.content.decode()


def test_an_organisations_own_form_is_not_found_by_another(client: Client, world: World) -> None:
    from casework.assessments.services import import_form

    own = import_form(md("| survey |\n| | type | name | label |\n| | text | why | Why? |"),
                      "own.md", by=world.olga)  # fmt: skip
    client.force_login(world.bilal)
    assert client.get(own.form.get_absolute_url()).status_code == 404
    assert client.get(reverse("assessments:form-export", args=[own.form_id, 1])).status_code == 404
    client.force_login(world.amina)
    assert client.get(own.form.get_absolute_url()).status_code == 200


def test_odd_input_on_the_fill_page_is_not_an_error(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    client.force_login(world.amina)
    url = reverse("assessments:fill", args=[case.code])
    assert client.get(url + "?form=\u00b2").status_code == 404
    form = standard["casework_client_summary"]
    response = client.post(url, {"_form": form.pk, "_action": "remove:services.\u00b2"})
    assert response.status_code == 200


def test_an_answer_with_control_characters_still_exports(
    client: Client, world: World, case: Case, standard: dict[str, Form]
) -> None:
    form = standard["casework_client_summary"]
    answers = {
        "summary_date": REFERRED.isoformat(),
        "age_band": "25_34",
        "gender": "female",
        "key_achievements": "=1+1\x0b done",
    }
    version = form.current_version()
    assert version is not None
    submit(case, version, answers, by=world.amina)
    client.force_login(world.sam)
    response = client.get(reverse("assessments:submission-export", args=[form.pk, "xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["submissions"]
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("key_achievements") + 1)
    assert (cell.value, cell.data_type) == ("=1+1 done", "s")


def test_empty_oversized_and_wrong_type_uploads_are_refused_on_the_page(
    client: Client, world: World
) -> None:
    client.force_login(world.olga)
    for name, data, message in (
        ("form.xlsx", b"", "The submitted file is empty."),
        ("form.xlsx", b"PK\x03\x04 damaged", "This file is damaged or not a spreadsheet."),
        ("form.md", b"| survey |\n" + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
        ("form.exe", b"MZ\x90\x00", "is none of these"),
    ):
        response = client.post(
            reverse("assessments:form-upload"),
            {"file": SimpleUploadedFile(name, data)},
            follow=True,  # an empty file: back to the list, with the message
        )
        assert response.status_code in (200, 400), name
        assert message in response.content.decode(), name
    assert not Form.objects.exists()
