"""The forms API and a case's submissions through the API."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from casework.assessments.models import Form, OutcomeRating, Submission
from casework.assessments.tests.conftest import md
from casework.cases.models import Case
from casework.cases.tests.conftest import REFERRED
from casework.testing.personas import World
from casework.testing.queries import count_queries

OWN = md("| survey |\n| | type | name | label |\n| | text | why | Why? |")


def test_forms_list_the_network_standard_and_ones_own(
    api_client: APIClient, world: World, standard: dict[str, Form]
) -> None:
    beta_form = Form.objects.create(organisation=world.beta, form_id="beta_only", title="Beta")
    api_client.force_authenticate(world.amina)
    api_client.get("/api/v1/forms/")  # warm: the first request loads per-process caches
    before = count_queries(lambda: api_client.get("/api/v1/forms/"))
    for n in range(3):
        own = Form.objects.create(organisation=world.alpha, form_id=f"own{n}", title=f"Own {n}")
        own.versions.create(number=1, version="1", definition={}, source=b"", sha256="")
    assert count_queries(lambda: api_client.get("/api/v1/forms/")) == before
    listed = api_client.get("/api/v1/forms/").json()["results"]
    ids = {f["form_id"] for f in listed}
    assert "casework_outcome_ratings" in ids and beta_form.form_id not in ids
    detail = api_client.get(f"/api/v1/forms/{standard['casework_outcome_ratings'].pk}/").json()
    assert detail["standard"] is True
    assert detail["definition"]["languages"] == ["English (en)", "Français (fr)"]
    assert api_client.get(f"/api/v1/forms/{beta_form.pk}/").status_code == 404


def test_uploading_a_form_by_api(api_client: APIClient, world: World) -> None:
    api_client.force_authenticate(world.amina)
    assert (
        api_client.post(
            "/api/v1/forms/", {"file": SimpleUploadedFile("own.md", OWN)}, format="multipart"
        ).status_code
        == 403
    )
    api_client.force_authenticate(world.olga)
    created = api_client.post(
        "/api/v1/forms/", {"file": SimpleUploadedFile("own.md", OWN)}, format="multipart"
    )
    assert created.status_code == 201 and created.json()["organisation"] == "alpha"
    refused = api_client.post(
        "/api/v1/forms/",
        {"file": SimpleUploadedFile("form.xlsx", b"not a spreadsheet")},
        format="multipart",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["message"].startswith("This is not a spreadsheet")
    assert Form.objects.count() == 1


def test_submitting_answers_by_api(
    api_client: APIClient, world: World, case: Case, standard: dict[str, Form]
) -> None:
    url = f"/api/v1/cases/{case.code}/submissions/"
    form = standard["casework_outcome_ratings"]
    api_client.force_authenticate(world.amina)
    bad = api_client.post(
        url,
        {"form": form.pk, "answers": {"rating_date": "2999-01-01", "wellbeing": 7}},
        format="json",
    )
    assert bad.status_code == 400
    problems = {(p["field"], p["rule"]) for p in bad.json()["answers"]}
    assert {("rating_date", "constraint"), ("wellbeing", "type"), ("timepoint", "required")} <= (
        problems
    )
    answers = {
        "rating_date": REFERRED.isoformat(),
        "timepoint": "intake",
        "informed_decision_making": 1,
        "engagement_with_procedures": 2,
        "wellbeing": 0,
        "basic_needs": 3,
    }
    created = api_client.post(url, {"form": form.pk, "answers": answers}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["form_id"], body["form_version"], body["status"]) == (
        "casework_outcome_ratings",
        "2026.1",
        "submitted",
    )
    assert body["answers"]["total_score"] == "6"
    assert OutcomeRating.objects.filter(case=case).count() == 4
    listed = api_client.get(url).json()["results"]
    assert [s["id"] for s in listed] == [body["id"]]
    unknown = api_client.post(url, {"form": form.pk, "answers": {"nope": 1}}, format="json")
    assert unknown.status_code == 400 and "nope" in unknown.json()["answers"][0]


def test_a_draft_by_api_and_another_organisations_case(
    api_client: APIClient, world: World, case: Case, standard: dict[str, Form]
) -> None:
    form = standard["casework_outcome_ratings"]
    api_client.force_authenticate(world.amina)
    draft = api_client.post(
        f"/api/v1/cases/{case.code}/submissions/",
        {"form": form.pk, "answers": {"wellbeing": 2}, "status": "draft"},
        format="json",
    )
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    api_client.force_authenticate(world.bilal)
    assert api_client.get(f"/api/v1/cases/{case.code}/submissions/").status_code == 404
    assert (
        api_client.post(
            f"/api/v1/cases/{case.code}/submissions/",
            {"form": form.pk, "answers": {}},
            format="json",
        ).status_code
        == 404
    )
    assert Submission.objects.count() == 1


def test_a_draft_is_finished_by_api_and_a_stale_one_is_a_conflict(
    api_client: APIClient, world: World, case: Case, standard: dict[str, Form]
) -> None:
    form = standard["casework_outcome_ratings"]
    api_client.force_authenticate(world.amina)
    draft = api_client.post(
        f"/api/v1/cases/{case.code}/submissions/",
        {"form": form.pk, "answers": {"wellbeing": 2}, "status": "draft"},
        format="json",
    ).json()
    url = f"/api/v1/cases/{case.code}/submissions/{draft['id']}/"
    changed = api_client.patch(
        url,
        {"answers": {"wellbeing": 2, "basic_needs": 3}, "version": draft["version"]},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["answers"] == {"wellbeing": "2", "basic_needs": "3"}
    assert changed.json()["version"] == draft["version"] + 1
    stale = api_client.patch(
        url, {"answers": {"wellbeing": 0}, "version": draft["version"]}, format="json"
    )
    assert stale.status_code == 409
    assert stale.json() == {"detail": ["Someone else saved this draft meanwhile; reload it first."]}
    assert Submission.objects.get().answers["wellbeing"] == "2"
    answers = {
        "rating_date": REFERRED.isoformat(),
        "timepoint": "intake",
        "informed_decision_making": 1,
        "engagement_with_procedures": 2,
        "wellbeing": 0,
        "basic_needs": 3,
    }
    submitted = api_client.patch(
        url,
        {"answers": answers, "status": "submitted", "version": changed.json()["version"]},
        format="json",
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    again = api_client.patch(url, {"answers": {"wellbeing": 1}}, format="json")
    assert again.status_code == 400  # a submitted form is not a draft any more
    api_client.force_authenticate(world.bilal)
    assert api_client.patch(url, {"answers": {}}, format="json").status_code == 404


def test_the_list_carries_no_answers_and_one_submissions_read_is_audited(
    api_client: APIClient, world: World, case: Case, standard: dict[str, Form]
) -> None:
    from casework.assessments.services import submit
    from casework.audit.models import AuditEntry

    version = standard["casework_client_summary"].current_version()
    assert version is not None
    answers = {"summary_date": REFERRED.isoformat(), "age_band": "25_34", "gender": "female"}
    submission = submit(case, version, answers, by=world.amina)
    api_client.force_authenticate(world.amina)
    url = f"/api/v1/cases/{case.code}/submissions/"
    reads = AuditEntry.objects.filter(action="read", object_id=str(submission.uid))
    [listed] = api_client.get(url).json()["results"]
    assert "answers" not in listed and not reads.exists()
    one = api_client.get(f"{url}{submission.uid}/").json()
    assert one["answers"]["gender"] == "female" and reads.count() == 1


def test_answers_of_the_wrong_shape_are_a_400_not_a_crash(
    api_client: APIClient, world: World, case: Case, standard: dict[str, Form]
) -> None:
    api_client.force_authenticate(world.amina)
    url = f"/api/v1/cases/{case.code}/submissions/"
    form = standard["casework_client_summary"]
    for answers in ({"services": ["legal_aid"]}, {"gender": ["a", ["b"]]}, "text", [1]):
        response = api_client.post(url, {"form": form.pk, "answers": answers}, format="json")
        assert response.status_code == 400, answers
    assert not Submission.objects.exists()


def test_malformed_empty_oversized_and_wrong_type_uploads_store_nothing(
    api_client: APIClient, world: World
) -> None:
    api_client.force_authenticate(world.olga)
    for name, data, message in (
        ("form.xlsx", b"", "The submitted file is empty."),
        ("form.xlsx", b"PK\x03\x04 damaged", "This file is damaged or not a spreadsheet."),
        ("form.md", b"| survey |\n" + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
        ("form.exe", b"MZ\x90\x00", "is none of these"),
        ("form.csv", b"\xff\xfe not utf-8", "not UTF-8"),
    ):
        refused = api_client.post(
            "/api/v1/forms/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
        )
        assert refused.status_code == 400, name
        assert message in str(refused.json()), (name, refused.json())
    assert api_client.post("/api/v1/forms/", {}, format="multipart").status_code == 400
    not_a_file = api_client.post("/api/v1/forms/", {"file": "text"}, format="json")
    assert not_a_file.status_code == 400 and "file" in not_a_file.json()
    assert not Form.objects.exists()
