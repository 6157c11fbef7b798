"""Importing XLSForms: the standard library, forms written by others, and refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string

from casework.assessments.engine import FormState, with_defaults
from casework.assessments.models import Form, FormVersion
from casework.assessments.services import STANDARD_DIR, import_form, load_standard
from casework.assessments.tests.conftest import PUBLIC, md, public_manifest, xlsx
from casework.assessments.xlsform import FormRejected, read_xlsform, write_xlsform
from casework.testing.personas import World

# What each public fixture gives: imported, or refused for the reason named (a fragment of
# the first error). Every refusal names a sheet, and a row for anything on a row.
PUBLIC_OUTCOMES = {
    "kobo_census_2010_inline_headers.csv": "imported",
    "kobo_groups_unlabelled_group.csv": "imported",
    "pyxform_repeat_choice_filter_crops.md": "imported",
    "pyxform_repeat_relative_reference.md": "imported",
    "pyxform_specify_other.md": "imported",
    "pyxform_yes_or_no_question.md": "imported",
    "onadata_poverty_survey_cr_newlines.csv": "question type 'geopoint'",
    "pyxform_audit_location.md": "column 'parameters'",
    "pyxform_audit_wrong_name.md": "question type 'audit'",
    "pyxform_case_insensitivity.csv": "'external_choices' sheet",
    "pyxform_consent_russian_kyrgyz_audio.md": "column 'media::audio::Kyrgyz'",
    "pyxform_entities_saveto_in_group.md": "'entities' sheet",
    "pyxform_entities_saveto_in_repeat.md": "'entities' sheet",
    "pyxform_geo_widgets_in_repeat.md": "question type 'geopoint'",
    "pyxform_gps.csv": "question type 'gps'",
    "pyxform_group_father.md": "question type 'phone number'",
    "pyxform_loop_toilets.csv": "question type 'begin loop over toilet_type'",
    "pyxform_range_float.md": "column 'parameters'",
    "pyxform_range_invalid_parameter.md": "column 'parameters'",
    "pyxform_rank_translations.md": "question type 'rank mylist'",
    "pyxform_repeat_translated_messages.md": "column 'noAppErrorString::English'",
    "pyxform_search_invalid_list_reuse.md": "appearance 'search('my_file')'",
    "pyxform_search_pulldata.md": "appearance 'search('my_file')'",
    "pyxform_select_one_external_bad_params.md": "'external_choices' sheet",
    "pyxform_select_one_external_filters.md": "'external_choices' sheet",
    "pyxform_settings_clean_text_values_no.md": "setting 'clean_text_values'",
    "pyxform_table_list_yes_no.md": "appearance 'table-list minimal'",
    "pyxform_widgets.csv": "question type 'geopoint'",
    "wq_nested_foreignkey.csv": "unknown function wq:initial()",
    "wq_repeat_items.csv": "unknown function wq:initial()",
    "wq_select_colors.csv": "unknown function wq:ForeignKey()",
}

SIMPLE = """
| survey |
|  | type          | name  | label       | relevant         | constraint | constraint_message |
|  | select_one yn | child | Is a child? |                  |            |                    |
|  | integer       | age   | Age         | ${child} = 'yes' | . < 18     | Under 18 only      |
| choices |
|         | list_name | name | label |
|         | yn        | yes  | Yes   |
|         | yn        | no   | No    |
| settings |
|          | form_id | version |
|          | simple  | 1       |
"""


def test_every_public_fixture_is_accounted_for() -> None:
    files = {entry["file"] for entry in public_manifest()}
    assert files == set(PUBLIC_OUTCOMES)
    assert len(files) >= 15
    imported = sum(1 for outcome in PUBLIC_OUTCOMES.values() if outcome == "imported")
    assert (imported, len(files) - imported) == (6, 25)


@pytest.mark.parametrize("name", sorted(PUBLIC_OUTCOMES))
def test_a_form_written_by_others_imports_and_renders_or_is_refused_precisely(
    name: str, rf: object
) -> None:
    data = (PUBLIC / name).read_bytes()
    expected = PUBLIC_OUTCOMES[name]
    if expected == "imported":
        parsed = read_xlsform(data, name)
        state = FormState(parsed.definition, with_defaults(parsed.definition))
        html = render_to_string("assessments/partials/elements.html", {"nodes": state.nodes})
        assert 'name="' in html  # at least one question became a field
        assert read_xlsform(write_xlsform(parsed.definition), "again.xlsx").definition == (
            parsed.definition
        )
        return
    with pytest.raises(FormRejected) as refused:
        read_xlsform(data, name)
    first = refused.value.errors[0]
    assert expected in str(first)
    assert first.sheet
    if first.sheet == "survey":
        assert first.row is not None and first.column


def test_the_standard_library_imports_in_two_languages(db: None) -> None:
    loaded = load_standard()
    assert sorted(v.form.form_id for v in loaded) == [
        "casework_client_summary",
        "casework_needs_assessment",
        "casework_network_feedback",
        "casework_outcome_ratings",
        "casework_vulnerability_screening",
    ]
    for version in loaded:
        assert version.languages == ["English (en)", "Français (fr)"]
        assert version.form.is_standard and version.version == "2026.1"
    assert load_standard() == []  # already there: nothing new
    assert FormVersion.objects.count() == 5


@pytest.mark.parametrize("path", sorted(STANDARD_DIR.glob("*.xlsx")), ids=lambda p: p.stem)
def test_export_then_import_gives_the_same_definition(path: Path) -> None:
    parsed = read_xlsform(path.read_bytes(), path.name)
    again = read_xlsform(write_xlsform(parsed.definition), "exported.xlsx")
    assert again.definition == parsed.definition


def refusal(data: bytes, filename: str) -> list[str]:
    with pytest.raises(FormRejected) as refused:
        import_form(data, filename)
    assert Form.objects.count() == 0 and FormVersion.objects.count() == 0
    return [str(e) for e in refused.value.errors]


def test_a_file_that_is_not_a_spreadsheet_is_refused(db: None) -> None:
    errors = refusal(b"name,age\nAli,12\n" * 10, "survey.xlsx")
    assert errors == ["This is not a spreadsheet: the file's content does not match .xlsx."]
    assert "none of these" in refusal(b"%PDF-1.4", "form.pdf")[0]


def test_a_workbook_without_a_survey_sheet_is_refused(db: None) -> None:
    data = xlsx({"choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"]]})
    (error,) = refusal(data, "form.xlsx")
    assert "no 'survey' sheet" in error and "Sheets found: choices" in error


def test_a_circular_calculation_is_refused_with_its_path_and_row(db: None) -> None:
    data = md(
        """
| survey |
|        | type      | name | label | calculation |
|        | integer   | n    | N     |             |
|        | calculate | a    |       | ${b} + ${n} |
|        | calculate | b    |       | ${c} * 2    |
|        | calculate | c    |       | ${a} - 1    |
"""
    )
    (error,) = refusal(data, "loop.md")
    assert error.startswith("sheet 'survey', row 3, column 'calculation': Circular calculation")
    assert "${a} → ${b} → ${c} → ${a}" in error


def test_an_unsupported_question_type_names_its_row_and_column(db: None) -> None:
    data = md(
        """
| survey |
|        | type     | name  | label |
|        | text     | notes | Notes |
|        | geopoint | where | Where |
"""
    )
    assert refusal(data, "geo.md") == [
        "sheet 'survey', row 3, column 'type': The question type 'geopoint' is not supported "
        "by Casework."
    ]


def test_pyxform_rules_are_applied_with_the_row_they_concern(db: None) -> None:
    data = md(
        """
| survey |
|        | type           | name | label |
|        | select_one sex | sex  | Sex   |
| choices |
|         | list_name | name | label |
|         | yn        | yes  | Yes   |
"""
    )
    (error,) = refusal(data, "nolist.md")
    assert error.startswith("sheet 'survey', row 2") and "sex" in error


def test_an_expression_error_names_the_row_and_column(db: None) -> None:
    bad_syntax = md(
        """
| survey |
|        | type    | name | label | constraint |
|        | integer | age  | Age   | . < (18    |
"""
    )
    (error,) = refusal(bad_syntax, "bad.md")
    assert error.startswith("sheet 'survey', row 2, column 'constraint': ")
    unknown = md(
        """
| survey |
|        | type    | name | label | constraint    |
|        | integer | n    | N     | ${nobody} > 1 |
"""
    )
    (error,) = refusal(unknown, "unknown.md")
    assert error.startswith("sheet 'survey', row 2, column 'constraint': ")
    assert "'nobody'" in error


def test_a_new_version_keeps_the_old_one_and_duplicates_are_refused(db: None) -> None:
    first = import_form(md(SIMPLE), "simple.md")
    with pytest.raises(FormRejected, match="already imported, as version 1"):
        import_form(md(SIMPLE), "simple.md")
    changed = SIMPLE.replace("| Age         |", "| Age (years) |")
    assert changed != SIMPLE
    with pytest.raises(FormRejected, match="Version 1 of this form exists"):
        import_form(md(changed), "simple.md")
    second = import_form(md(changed.replace("| simple  | 1  ", "| simple  | 2  ")), "s.md")
    assert (second.form_id, first.number, second.number, second.version) == (
        first.form_id,
        1,
        2,
        "2",
    )
    assert first.definition != second.definition
    assert Form.objects.count() == 1


def test_who_may_add_forms(world: World) -> None:
    with pytest.raises(PermissionDenied):
        import_form(md(SIMPLE), "simple.md", by=world.amina)
    with pytest.raises(PermissionDenied):
        import_form(md(SIMPLE), "simple.md", by=world.eva)
    own = import_form(md(SIMPLE), "simple.md", by=world.olga)
    network = import_form(md(SIMPLE), "simple.md", by=world.nora)
    assert own.form.organisation == world.alpha
    assert network.form.is_standard
    assert set(Form.objects.visible_to(world.bilal)) == {network.form}
    assert set(Form.objects.visible_to(world.amina)) == {own.form, network.form}


def test_the_demo_and_the_command_load_the_standard_forms(db: None) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("demo", "--cases", "0", stdout=out)
    assert Form.objects.filter(organisation__isnull=True).count() == 5
    call_command("forms", "load-standard", stdout=out)
    assert "Standard forms ready: 5 network forms (0 new version(s) imported now)." in (
        out.getvalue()
    )
    assert FormVersion.objects.count() == 5


def test_the_import_command_names_each_error_or_imports(world: World, tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    bad = tmp_path / "geo.md"
    bad.write_bytes(md("| survey |\n| | type | name | label |\n| | geopoint | where | Where |"))
    with pytest.raises(CommandError, match="row 2, column 'type'"):
        call_command("forms", "import", str(bad))
    good = tmp_path / "simple.md"
    good.write_bytes(md(SIMPLE))
    out = StringIO()
    call_command("forms", "import", str(good), "--organisation", "alpha", stdout=out)
    assert "Imported simple version 1." in out.getvalue()
    assert Form.objects.get().organisation == world.alpha
    with pytest.raises(CommandError, match="No organisation"):
        call_command("forms", "import", str(good), "--organisation", "nowhere")


def test_names_casework_cannot_path_are_refused(db: None) -> None:
    data = md(
        "| survey |\n| | type | name | label |\n| | text | r.0.x | X |\n| | text | âge | Age |"
    )
    errors = refusal(data, "names.md")
    assert len(errors) == 2 and all("letters a-z" in e for e in errors)
    assert errors[0].startswith("sheet 'survey', row 2, column 'name'")


def test_settings_casework_does_not_use_are_refused_not_dropped(db: None) -> None:
    data = md(
        "| survey |\n| | type | name | label |\n| | text | a | A |\n"
        "| settings |\n| | form_id | instance_name |\n| | f | concat('x', ${a}) |"
    )
    assert refusal(data, "s.md") == [
        "sheet 'settings', row 2, column 'instance_name': The setting 'instance_name' is not "
        "supported by Casework."
    ]


def test_a_workbook_that_unpacks_to_a_huge_size_is_refused_unread(db: None) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a/>" + b" " * (60 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    assert refusal(buffer.getvalue(), "bomb.xlsx") == [
        "This workbook unpacks to more than 50 MB; it cannot be a form."
    ]


def test_a_label_that_looks_like_a_formula_survives_the_round_trip(db: None) -> None:
    data = md('| survey |\n| | type | name | label |\n| | text | a | =HYPERLINK("x") |')
    parsed = read_xlsform(data, "f.md")
    again = read_xlsform(write_xlsform(parsed.definition), "f.xlsx")
    assert again.definition == parsed.definition
