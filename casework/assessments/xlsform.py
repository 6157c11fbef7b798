"""XLSForm in and out: read an uploaded form, check it, and write a definition back.

pyxform reads the file and applies the XLSForm rules (the same checks KoboToolbox and ODK
run); Casework then checks that every question type, column and setting is one it can show
on a web page, parses every expression, and builds the *definition*: a plain JSON tree that
the form engine renders and that is stored with each form version. A form that breaks any
rule is refused with every error we can find, each naming its sheet, row and column.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from casework.assessments.expressions import ExpressionError, parse
from casework.core.exports import xlsx_row

MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = {".xlsx": b"PK\x03\x04", ".xlsm": b"PK\x03\x04", ".xls": b"\xd0\xcf\x11\xe0"}
TEXT_EXTENSIONS = {".csv", ".md"}

# Question types Casework renders, with the aliases pyxform accepts for them.
TYPE_ALIASES = {
    "text": ("text", "string", "add text prompt", "q string"),
    "integer": ("integer", "int", "add integer prompt", "q int"),
    "decimal": ("decimal", "add decimal prompt", "q decimal"),
    "date": ("date", "add date prompt", "q date"),
    "datetime": (
        "datetime",
        "date time",
        "add date time prompt",
        "add datetime prompt",
        "q date time",
        "q datetime",
    ),
    "time": ("time",),
    "note": ("note", "add note prompt", "q note"),
    "acknowledge": ("acknowledge", "add acknowledge prompt", "q acknowledge", "trigger"),
    "calculate": ("calculate", "add calculate prompt", "q calculate"),
    "hidden": ("hidden",),
    # Metadata that a web form can fill itself: when filling started and ended, and the day.
    "start": ("start", "start time", "get start time"),
    "end": ("end", "end time", "get end time"),
    "today": ("today", "get today"),
}
TYPES = {alias: canonical for canonical, aliases in TYPE_ALIASES.items() for alias in aliases}
SELECT_RE = re.compile(
    r"^(?P<kind>select_one|select one|select1|add select one prompt using|select one from"
    r"|select_multiple|select all that apply|select multiple|add select multiple prompt using"
    r"|select all that apply from)\s+(?P<list>[^\s]+)(?P<other>\s+(or_other|or specify other))?$",
    re.IGNORECASE,
)
SELECT_ONE_WORDS = ("select_one", "select one", "select1", "add select one prompt using")
CONTROL_RE = re.compile(r"^(?P<edge>begin|end)[ _](?P<kind>group|repeat)$", re.IGNORECASE)
INPUT_TYPES = {"text", "integer", "decimal", "date", "datetime", "time", "acknowledge"}
SELECT_TYPES = {"select_one", "select_multiple"}

# Survey columns (after pyxform's aliases): translatable ones may carry `::Language (code)`.
TRANSLATABLE = ("label", "hint", "required_message", "constraint_message")
SURVEY_COLUMNS = {
    "type",
    "name",
    "required",
    "relevant",
    "constraint",
    "default",
    "appearance",
    "calculation",
    "choice_filter",
    "read_only",
    *TRANSLATABLE,
}
COLUMN_ALIASES = {
    "caption": "label",
    "relevance": "relevant",
    "calculate": "calculation",
    "readonly": "read_only",
    "requiredmsg": "required_message",
    "constraining_message": "constraint_message",
    "bind::relevant": "relevant",
    "bind::constraint": "constraint",
    "bind::required": "required",
    "bind::calculate": "calculation",
    "bind::readonly": "read_only",
    "bind::jr:constraintmsg": "constraint_message",
    "bind::jr:requiredmsg": "required_message",
    "control::appearance": "appearance",
}
EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "choice_filter")
APPEARANCES = {"minimal", "horizontal", "horizontal-compact", "multiline", "field-list"}
SETTINGS = {"form_title", "form_id", "version", "default_language"}
SETTING_ALIASES = {
    "title": "form_title",
    "set_form_title": "form_title",
    "set_form_id": "form_id",
    "id_string": "form_id",
}
CHOICE_MEDIA = {"image", "big-image", "audio", "video"}
YES = {"yes", "true", "true()", "1"}
NO = {"", "no", "false", "false()", "0"}
DEFAULT_LANGUAGE = "default"
# Casework names answers by path (`services.0.kind`): no dots, and ASCII so that every name
# makes a distinct element id on the page.
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
MAX_UNPACKED = 50 * 1024 * 1024  # an .xlsx is a zip: refuse what unpacks beyond this
MAX_ROWS = 5_000  # rows on the survey sheet, and (x10) on the choices sheet


@dataclass(frozen=True)
class FormError:
    """One reason a form was refused, with where it is."""

    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(_("sheet '%(sheet)s'") % {"sheet": self.sheet})
        if self.row is not None:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("column '%(column)s'") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class FormRejected(Exception):
    """The form cannot be imported; `errors` says everything that is wrong."""

    def __init__(self, errors: Iterable[FormError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(str(e) for e in self.errors))


@dataclass
class ParsedForm:
    definition: dict[str, Any]
    form_id: str
    title: str
    version: str
    default_language: str
    languages: list[str] = field(default_factory=list)


def _file_type(data: bytes, filename: str) -> str:
    """pyxform's name for the file's type (".xlsx", …), checked against the content."""
    extension = PurePath(filename).suffix.lower()
    if len(data) > MAX_BYTES:
        raise FormRejected([FormError(_("The file is larger than 5 MB."))])
    if not data:
        raise FormRejected([FormError(_("The file is empty."))])
    if extension in EXTENSIONS:
        if not data.startswith(EXTENSIONS[extension]):
            raise FormRejected(
                [
                    FormError(
                        _("This is not a spreadsheet: the file's content does not match .%(e)s.")
                        % {"e": extension[1:]}
                    )
                ]
            )
        if extension != ".xls":
            _check_unpacked(data)
        return extension
    if extension in TEXT_EXTENSIONS:
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FormRejected([FormError(_("This text file is not UTF-8."))]) from None
        return extension
    raise FormRejected(
        [
            FormError(
                _("Upload an XLSForm as .xlsx (or .xls, .csv, .md); “%(name)s” is none of these.")
                % {"name": PurePath(filename).name}
            )
        ]
    )


def _check_unpacked(data: bytes) -> None:
    """A zip bomb (a small .xlsx that unpacks to gigabytes) is refused before it is read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise FormRejected([FormError(_("This file is damaged or not a spreadsheet."))]) from None
    if unpacked > MAX_UNPACKED:
        raise FormRejected(
            [FormError(_("This workbook unpacks to more than 50 MB; it cannot be a form."))]
        )


def _column(header: str) -> tuple[str, str]:
    """A header as (column, language): `label::Français (fr)` → ("label", "Français (fr)")."""
    text = " ".join(header.split())
    if "::" not in text and ":" in text:  # the older single-colon spelling, `label:English`
        text = text.replace(":", "::", 1)
    base, _sep, language = text.partition("::")
    key = base.strip().lower().replace(" ", "_")
    if key in ("bind", "control") and language:
        key, language = COLUMN_ALIASES.get(f"{key}::{language.lower()}", text), ""
    key = COLUMN_ALIASES.get(key, key)
    return key, language.strip()


def _rows(sheet: list[dict[str, Any]] | None) -> Iterator[tuple[int, dict[str, str]]]:
    """Non-empty rows with their spreadsheet row numbers (the header is row 1)."""
    for index, row in enumerate(sheet or []):
        cleaned = {str(k).strip(): str(v).strip() for k, v in row.items() if k is not None}
        cleaned = {k: v for k, v in cleaned.items() if v}
        if cleaned:
            yield index + 2, cleaned


def _pyxform_errors(data: bytes, file_type: str, stem: str) -> list[FormError]:
    """The XLSForm rules, as pyxform applies them when it builds the XForm."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    try:
        convert(xlsform=data, file_type=file_type, form_name="data")
    except PyXFormError as error:
        return [_from_pyxform(str(error))]
    except Exception as error:
        return [
            FormError(
                _("pyxform could not read this form (%(kind)s: %(text)s).")
                % {"kind": type(error).__name__, "text": str(error)[:300]}
            )
        ]
    return []


def _from_pyxform(text: str) -> FormError:
    row = re.search(r"\[row\s*:\s*(\d+)\]", text)
    sheet = re.search(r"[Oo]n the '(\w+)' sheet", text) or re.search(r"'(\w+)' sheet", text)
    column = re.search(r"the '([\w:]+)' (value|column)", text)
    message = re.sub(r"\[row\s*:\s*\d+\]\s*", "", text).strip()
    return FormError(
        message,
        sheet=sheet.group(1) if sheet else ("survey" if row else ""),
        row=int(row.group(1)) if row else None,
        column=column.group(1) if column else "",
    )


def read_xlsform(data: bytes, filename: str) -> ParsedForm:
    """Read, check and convert an uploaded XLSForm, or raise FormRejected."""
    from pyxform.errors import PyXFormError
    from pyxform.xls2json_backends import get_xlsform

    file_type = _file_type(data, filename)
    try:
        workbook = get_xlsform(xlsform=io.BytesIO(data), file_type=file_type)
    except (PyXFormError, ValueError, KeyError, OSError) as error:
        raise FormRejected(
            [FormError(_("This file cannot be read as an XLSForm (%(e)s).") % {"e": error})]
        ) from None
    except Exception:
        raise FormRejected([FormError(_("This file is damaged or not a spreadsheet."))]) from None
    if not workbook.survey:
        raise FormRejected(
            [
                FormError(
                    _(
                        "The workbook has no 'survey' sheet (or it is empty): an XLSForm lists "
                        "its questions on a sheet named 'survey'. Sheets found: %(sheets)s."
                    )
                    % {"sheets": ", ".join(workbook.sheet_names or []) or _("none")}
                )
            ]
        )
    if len(workbook.survey) > MAX_ROWS or len(workbook.choices or []) > 10 * MAX_ROWS:
        raise FormRejected(
            [
                FormError(
                    _("The form has more than %(n)d rows of questions (or 10 times as many "
                      "choices); split it into several forms.") % {"n": MAX_ROWS}
                )
            ]
        )  # fmt: skip
    builder = _Builder(workbook, PurePath(filename).stem)
    builder.check_support()
    if not builder.errors:
        builder.errors.extend(_pyxform_errors(data, file_type, PurePath(filename).stem))
    if builder.errors:
        raise FormRejected(builder.errors)
    parsed = builder.build()
    if builder.errors:
        raise FormRejected(builder.errors)
    return parsed


class _Builder:
    """Turns pyxform's sheets into Casework's definition, collecting errors on the way."""

    def __init__(self, workbook: Any, stem: str) -> None:
        self.workbook = workbook
        self.stem = stem
        self.errors: list[FormError] = []
        self.settings = next((row for _n, row in _rows(workbook.settings)), {})
        self.settings = {
            SETTING_ALIASES.get(_column(k)[0], _column(k)[0]): v for k, v in self.settings.items()
        }
        self.default_language = self.settings.get("default_language", "")
        self.languages: list[str] = []

    def error(self, message: str, sheet: str, row: int | None, column: str = "") -> None:
        self.errors.append(FormError(message, sheet, row, column))

    # Support: types, columns, settings, sheets ------------------------------------------------
    def check_support(self) -> None:
        for sheet in ("external_choices", "entities", "osm"):
            if any(True for _row in _rows(getattr(self.workbook, sheet, None))):
                self.error(
                    _("The '%(sheet)s' sheet is not supported by Casework.") % {"sheet": sheet},
                    sheet,
                    None,
                )
        for number, row in _rows(self.workbook.survey):
            for header, value in row.items():
                column, _language = _column(header)
                if column not in SURVEY_COLUMNS:
                    self.error(
                        _("The column '%(column)s' is not supported by Casework.")
                        % {"column": header},
                        "survey",
                        number,
                        header,
                    )
                elif column == "appearance" and not set(value.split()) <= APPEARANCES:
                    self.error(
                        _("The appearance '%(value)s' is not supported (use %(allowed)s).")
                        % {"value": value, "allowed": ", ".join(sorted(APPEARANCES))},
                        "survey",
                        number,
                        header,
                    )
            self._check_type(number, row)
        for number, row in _rows(self.workbook.choices):
            for header in row:
                column, _language = _column(header)
                if column in CHOICE_MEDIA or column.startswith("media"):
                    self.error(
                        _("Pictures and sounds in choices are not supported by Casework."),
                        "choices",
                        number,
                        header,
                    )
        for number, row in _rows(self.workbook.settings):
            for header in row:
                if SETTING_ALIASES.get(_column(header)[0], _column(header)[0]) not in SETTINGS:
                    self.error(
                        _("The setting '%(column)s' is not supported by Casework.")
                        % {"column": header},
                        "settings",
                        number,
                        header,
                    )

    def _check_type(self, number: int, row: dict[str, str]) -> None:
        value = next((v for k, v in row.items() if _column(k)[0] == "type"), "")
        type_text = " ".join(value.split()).lower()
        if not type_text or CONTROL_RE.match(type_text) or SELECT_RE.match(type_text):
            return
        if type_text not in TYPES:
            self.error(
                _("The question type '%(type)s' is not supported by Casework.") % {"type": value},
                "survey",
                number,
                "type",
            )

    # Build --------------------------------------------------------------------------------------
    def build(self) -> ParsedForm:
        choices = self._choices()
        root: dict[str, Any] = {"type": "survey", "children": []}
        stack = [root]
        names: dict[str, tuple[int, tuple[str, ...]]] = {}
        rows: dict[str, int] = {}
        scoped: dict[tuple[tuple[str, ...], str], int] = {}
        elements: list[tuple[int, dict[str, Any], tuple[str, ...]]] = []
        for number, raw in _rows(self.workbook.survey):
            row = self._cells(raw)
            type_text = " ".join(row.get("type", "").split()).lower()
            control = CONTROL_RE.match(type_text)
            if control and control.group("edge") == "end":
                if len(stack) > 1:
                    stack.pop()
                continue
            element = self._element(row, type_text, control)
            name = element.get("name", "")
            repeats = tuple(e["name"] for e in stack[1:] if e["type"] == "repeat")
            if name and not NAME_RE.match(name):
                self.error(
                    _(
                        "The name '%(name)s' cannot be used in Casework: use letters a-z, "
                        "digits, _ and -, starting with a letter or _."
                    )
                    % {"name": name},
                    "survey",
                    number,
                    "name",
                )
            if name:
                if (repeats, name) in scoped:
                    self.error(
                        _(
                            "Another question is also named '%(name)s' (row %(row)d); names must "
                            "be unique outside repeats and within each repeat."
                        )
                        % {"name": name, "row": scoped[(repeats, name)]},
                        "survey",
                        number,
                        "name",
                    )
                scoped[(repeats, name)] = number
                names.setdefault(name, (number, repeats))
                rows.setdefault(name, number)
            if element["type"] in SELECT_TYPES and element["list_name"] not in choices:
                self.error(
                    _("The list '%(list)s' is not on the choices sheet.")
                    % {"list": element["list_name"]},
                    "survey",
                    number,
                    "type",
                )
            stack[-1]["children"].append(element)
            elements.append((number, element, repeats))
            if control:
                stack.append(element)
        self._check_expressions(elements, names)
        self._check_cycles(elements, rows)
        form_id = self.settings.get("form_id") or re.sub(r"[^A-Za-z0-9_]+", "_", self.stem)
        version = self.settings.get("version", "")
        languages = self.languages or [self.default_language or DEFAULT_LANGUAGE]
        default = self.default_language or languages[0]
        if default in languages:
            languages.remove(default)
        languages.insert(0, default)
        definition = {
            "form_id": form_id,
            "title": self.settings.get("form_title") or form_id,
            "version": version,
            "default_language": default,
            "languages": languages,
            "children": root["children"],
            "choices": choices,
        }
        return ParsedForm(
            definition=definition,
            form_id=form_id,
            title=definition["title"],
            version=version,
            default_language=default,
            languages=languages,
        )

    def _language(self, language: str) -> str:
        language = language or self.default_language or DEFAULT_LANGUAGE
        if language not in self.languages:
            self.languages.append(language)
        return language

    def _cells(self, raw: dict[str, str]) -> dict[str, Any]:
        """Columns by canonical name; translatable ones as {language: text}."""
        row: dict[str, Any] = {}
        for header, value in raw.items():
            column, language = _column(header)
            if column in TRANSLATABLE:
                row.setdefault(column, {})[self._language(language)] = value
            else:
                row[column] = value
        return row

    def _element(self, row: dict[str, Any], type_text: str, control: Any) -> dict[str, Any]:
        if control:
            element: dict[str, Any] = {"type": control.group("kind").lower(), "children": []}
        elif select := SELECT_RE.match(type_text):
            kind = "select_one" if select.group("kind") in SELECT_ONE_WORDS else "select_multiple"
            if select.group("kind") in ("select one from",):
                kind = "select_one"
            element = {"type": kind, "list_name": select.group("list")}
            if select.group("other"):
                element["or_other"] = True
        else:
            element = {"type": TYPES.get(type_text, type_text)}
        for column in sorted(SURVEY_COLUMNS - {"type"}):
            value = row.get(column)
            if value:
                element[column] = value
        for flag in ("required", "read_only"):
            text = str(element.get(flag, "")).strip()
            if text.lower() in YES:
                element[flag] = "true()"
            elif text.lower() in NO:
                element.pop(flag, None)
        return element

    def _choices(self) -> dict[str, list[dict[str, Any]]]:
        choices: dict[str, list[dict[str, Any]]] = {}
        for _number, raw in _rows(self.workbook.choices):
            row: dict[str, Any] = {}
            filters: dict[str, str] = {}
            for header, value in raw.items():
                column, language = _column(header)
                if column in ("list_name", "list name"):
                    row["list_name"] = value
                elif column in ("name", "value"):
                    row["name"] = value
                elif column == "label":
                    row.setdefault("label", {})[self._language(language)] = value
                else:
                    filters[header] = value
            if "list_name" not in row or "name" not in row:
                continue
            choice = {"name": row["name"], "label": row.get("label", {})}
            if filters:
                choice["filters"] = filters
            choices.setdefault(row["list_name"], []).append(choice)
        return choices

    # Expressions --------------------------------------------------------------------------------
    def _check_expressions(
        self,
        elements: list[tuple[int, dict[str, Any], tuple[str, ...]]],
        names: dict[str, tuple[int, tuple[str, ...]]],
    ) -> None:
        for number, element, _repeats in elements:
            columns = [*EXPRESSION_COLUMNS, "required", "read_only"]
            if is_dynamic(element.get("default", "")):
                columns.append("default")
            for column in columns:
                text = element.get(column)
                if not text:
                    continue
                try:
                    expression = parse(text)
                except ExpressionError as error:
                    self.error(str(error), "survey", number, column)
                    continue
                for name in sorted(expression.references - names.keys()):
                    self.error(
                        _("The expression refers to ${%(name)s}, which is not a question.")
                        % {"name": name},
                        "survey",
                        number,
                        column,
                    )

    def _check_cycles(
        self, elements: list[tuple[int, dict[str, Any], tuple[str, ...]]], rows: dict[str, int]
    ) -> None:
        graph: dict[str, set[str]] = {}
        for _number, element, _repeats in elements:
            if element.get("calculation") and element.get("name"):
                try:
                    graph[element["name"]] = set(parse(element["calculation"]).references)
                except ExpressionError:
                    continue
        for name in graph:
            cycle = _cycle_from(name, graph)
            if cycle:
                self.error(
                    _("Circular calculation: %(path)s. A calculation cannot depend on itself.")
                    % {"path": " → ".join(f"${{{n}}}" for n in cycle)},
                    "survey",
                    rows.get(name),
                    "calculation",
                )
                return


def _cycle_from(start: str, graph: dict[str, set[str]]) -> list[str] | None:
    """A path start → … → start through the calculations' references, if there is one."""
    path: list[str] = [start]
    seen: set[str] = set()

    def visit(node: str) -> bool:
        for nxt in sorted(graph.get(node, ())):
            if nxt == start:
                path.append(nxt)
                return True
            if nxt in graph and nxt not in seen:
                seen.add(nxt)
                path.append(nxt)
                if visit(nxt):
                    return True
                path.pop()
        return False

    return path if visit(start) else None


def is_dynamic(default: str) -> bool:
    """An XLSForm default is an expression when it calls a function or refers to a question."""
    return "${" in default or "(" in default


# Writing a definition back to XLSForm ------------------------------------------------------------
def _survey_rows(children: list[dict[str, Any]], columns: list[str]) -> Iterator[list[str]]:
    for element in children:
        kind = element["type"]
        if kind in ("group", "repeat"):
            yield _row(element, f"begin {kind}", columns)
            yield from _survey_rows(element["children"], columns)
            yield [f"end {kind}"] + [""] * (len(columns) - 1)
        elif kind in SELECT_TYPES:
            type_text = f"{kind} {element['list_name']}"
            yield _row(
                element, type_text + (" or_other" if element.get("or_other") else ""), columns
            )
        else:
            yield _row(element, kind, columns)


def _row(element: dict[str, Any], type_text: str, columns: list[str]) -> list[str]:
    cells = [type_text]
    for header in columns[1:]:
        column, _sep, language = header.partition("::")
        value = element.get(column, "")
        if isinstance(value, dict):
            value = value.get(language or DEFAULT_LANGUAGE, "")
        cells.append(value)
    return cells


def _headers(languages: list[str], used: set[str]) -> list[str]:
    headers = ["type", "name"]
    for column in ("label", "hint"):
        headers += [
            f"{column}::{lang}" if lang != DEFAULT_LANGUAGE else column for lang in languages
        ]
    for column in (
        "required",
        "required_message",
        "relevant",
        "constraint",
        "constraint_message",
        "default",
        "appearance",
        "calculation",
        "choice_filter",
        "read_only",
    ):
        if column not in used:
            continue
        if column in TRANSLATABLE:
            headers += [
                f"{column}::{lang}" if lang != DEFAULT_LANGUAGE else column for lang in languages
            ]
        else:
            headers.append(column)
    return headers


def _used_columns(children: list[dict[str, Any]]) -> set[str]:
    used: set[str] = set()
    for element in children:
        used |= set(element)
        used |= _used_columns(element.get("children", []))
    return used


def write_xlsform(definition: dict[str, Any]) -> bytes:
    """The definition as an .xlsx XLSForm; importing it gives the same definition back."""
    from openpyxl import Workbook

    languages = definition["languages"]
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    columns = _headers(languages, _used_columns(definition["children"]))
    xlsx_row(survey, columns)
    for cells in _survey_rows(definition["children"], columns):
        xlsx_row(survey, cells)
    choices = workbook.create_sheet("choices")
    filter_columns = sorted(
        {f for items in definition["choices"].values() for c in items for f in c.get("filters", {})}
    )
    label_columns = [
        f"label::{lang}" if lang != DEFAULT_LANGUAGE else "label" for lang in languages
    ]
    xlsx_row(choices, ["list_name", "name", *label_columns, *filter_columns])
    for list_name, items in definition["choices"].items():
        for choice in items:
            labels = [choice["label"].get(lang, "") for lang in languages]
            filters = [choice.get("filters", {}).get(f, "") for f in filter_columns]
            xlsx_row(choices, [list_name, choice["name"], *labels, *filters])
    settings = workbook.create_sheet("settings")
    xlsx_row(settings, ["form_title", "form_id", "version", "default_language"])
    default = definition["default_language"]
    xlsx_row(
        settings,
        [
            definition["title"],
            definition["form_id"],
            definition["version"],
            default if default != DEFAULT_LANGUAGE else "",
        ],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def walk(children: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every element of a definition, depth first, in form order."""
    for element in children:
        yield element
        yield from walk(element.get("children", []))
