"""The form engine: from a definition and answers to what a page shows and what is valid.

Answers are stored as the XForm instance stores them: a string per question (a
select_multiple as space-separated choice names), a list of such dicts per repeat, and
groups flattened into their parent (names are unique in a form). The engine evaluates
calculations, relevance, choice filters, requirements and constraints with the safe
expression evaluator, so the server alone decides what is valid: the page's live checks
are the same code called early.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from casework.assessments.expressions import Env, ExpressionError, NodeSet, parse
from casework.assessments.xlsform import DEFAULT_LANGUAGE, is_dynamic, walk

MAX_INSTANCES = 200  # repeat entries in one submission, all repeats and levels together
MAX_ANSWER = 10_000  # characters in one answer
QUESTION_TYPES = {
    "text",
    "integer",
    "decimal",
    "date",
    "datetime",
    "time",
    "acknowledge",
    "select_one",
    "select_multiple",
}
STORED_TYPES = QUESTION_TYPES | {"calculate", "hidden", "start", "end", "today"}
REFERENCE_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")
INTEGER_RE = re.compile(r"^-?\d{1,15}$")


@dataclass(frozen=True)
class Problem:
    """An answer the form's rules refuse: which field, which rule, and the form's message."""

    field: str
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule, "message": self.message}


@dataclass
class Node:
    """One element as the page shows it, at one place in the answers (repeats repeat it)."""

    element: dict[str, Any]
    key: str
    label: str = ""
    hint: str = ""
    value: str = ""
    relevant: bool = True
    required: bool = False
    read_only: bool = False
    error: str = ""
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    instances: list[list[Node]] = field(default_factory=list)
    other: Node | None = None
    posted_options: str = ""  # the options the page shows now (live checks swap changed ones)

    @property
    def type(self) -> str:
        return self.element["type"]

    @property
    def name(self) -> str:
        return self.element.get("name", "")

    @property
    def dom_id(self) -> str:
        return "q-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.key)

    @property
    def is_question(self) -> bool:
        return self.type in QUESTION_TYPES

    @property
    def option_names(self) -> str:
        return " ".join(name for name, _label in self.options)

    @property
    def selected(self) -> list[str]:
        return self.value.split()

    @property
    def has_references(self) -> bool:
        return bool(self.element.get("choice_filter")) or any(
            "${" in text for text in self.element.get("label", {}).values()
        )


def pick_language(definition: Mapping[str, Any], code: str) -> str:
    """The form language for a user's language code, else the form's default."""
    for language in definition["languages"]:
        match = re.search(r"\(([A-Za-z-]+)\)\s*$", language)
        if (match and match.group(1).lower() == code.lower()) or language.lower() == code.lower():
            return language
    return definition["default_language"]


def _text(translations: Mapping[str, str] | None, language: str, default: str) -> str:
    if not translations:
        return ""
    return (
        translations.get(language)
        or translations.get(default)
        or translations.get(DEFAULT_LANGUAGE)
        or next(iter(translations.values()), "")
    )


def _scope_values(scope: Mapping[str, Any]) -> dict[str, Any]:
    """The values an expression sees in a scope: a repeat and the questions inside it are
    node-sets (for count(), sum(), …)."""
    values: dict[str, Any] = {}
    for name, value in scope.items():
        if isinstance(value, list):
            values[name] = NodeSet(["1"] * len(value))
            inner: dict[str, list[Any]] = {}
            for instance in value:
                for inner_name, inner_value in _scope_values(instance).items():
                    members = (
                        list(inner_value) if isinstance(inner_value, NodeSet) else [inner_value]
                    )
                    inner.setdefault(inner_name, []).extend(members)
            for inner_name, members in inner.items():
                values.setdefault(inner_name, NodeSet(members))
        else:
            values[name] = value
    return values


class FormState:
    """A definition with one set of answers, evaluated: the nodes to show and the problems."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        answers: Mapping[str, Any] | None = None,
        *,
        language: str = "",
        today: dt.date | None = None,
    ) -> None:
        self.definition = definition
        self.language = language or definition["default_language"]
        self.today = today or timezone.localdate()
        self.answers: dict[str, Any] = _copy(answers or {})
        self.problems: list[Problem] = []
        self.nodes: list[Node] = []
        # Calculations may depend on later ones, and a question that stops being relevant
        # stops counting: walk the form until nothing changes (a chain of n calculations
        # needs n + 1 walks; most forms settle in two).
        children = self.definition["children"]
        walks = 2 + sum(1 for e in walk(children) if e.get("calculation"))
        before = None
        for _pass in range(walks):
            self.problems = []
            self.nodes = self._walk(children, self.answers, _scope_values(self.answers), "", True)
            after = json.dumps(self.answers, sort_keys=True)
            if after == before:
                break
            before = after

    # Evaluation ------------------------------------------------------------------------------
    def _env(self, values: dict[str, Any], current: Any = None, **kw: Any) -> Env:
        return Env(values=values, current=current, today=self.today, **kw)

    def _bool(self, text: str, env: Env) -> bool:
        return parse(text).as_bool(env)

    def _walk(
        self,
        elements: list[dict[str, Any]],
        scope: dict[str, Any],
        values: dict[str, Any],
        prefix: str,
        parent_relevant: bool,
    ) -> list[Node]:
        """Nodes of `elements` for the answers in `scope`; `values` is what expressions see
        there (the form's values, overlaid by the repeat instance's own)."""
        nodes = []
        for element in elements:
            name = element.get("name", "")
            node = Node(element=element, key=prefix + name)
            env = self._env(values)
            try:
                node.relevant = parent_relevant and (
                    not element.get("relevant") or self._bool(element["relevant"], env)
                )
            except ExpressionError as error:
                node.relevant = parent_relevant
                self.problems.append(Problem(node.key, "relevant", str(error)))
            node.label = self._interpolate(_text(element.get("label"), *self._langs()), env)
            node.hint = _text(element.get("hint"), *self._langs())
            kind = element["type"]
            if kind == "group":
                node.children = self._walk(
                    element["children"], scope, values, prefix, node.relevant
                )
            elif kind == "repeat":
                instances = scope.get(name)
                if not isinstance(instances, list) or not node.relevant:
                    instances = scope[name] = []  # a repeat not asked has no entries
                for index, instance in enumerate(instances):
                    overlay = {**values, **_scope_values(instance)}
                    node.instances.append(
                        self._walk(
                            element["children"],
                            instance,
                            overlay,
                            f"{prefix}{name}.{index}.",
                            node.relevant,
                        )
                    )
            elif kind in STORED_TYPES:
                self._question(node, scope, values)
            nodes.append(node)
        return nodes

    def _langs(self) -> tuple[str, str]:
        return self.language, self.definition["default_language"]

    def _interpolate(self, text: str, env: Env) -> str:
        if "${" not in text:
            return text

        def value(match: re.Match[str]) -> str:
            try:
                return parse(match.group(0)).as_string(env)
            except ExpressionError:
                return ""

        return REFERENCE_RE.sub(value, text)

    def _set(self, scope: dict[str, Any], values: dict[str, Any], name: str, value: str) -> None:
        scope[name] = values[name] = value

    def _question(self, node: Node, scope: dict[str, Any], values: dict[str, Any]) -> None:
        element = node.element
        name = node.name
        if element.get("calculation"):
            try:
                value = parse(element["calculation"]).as_string(self._env(values))
                # Arithmetic on unanswered questions gives NaN: store "not known yet".
                self._set(scope, values, name, value if node.relevant and value != "NaN" else "")
            except ExpressionError as error:
                self.problems.append(Problem(node.key, "calculation", str(error)))
        if not node.relevant:
            self._set(scope, values, name, "")
            if element.get("or_other"):
                self._set(scope, values, f"{name}_other", "")
            return
        node.value = _as_text(scope.get(name))
        env = self._env(values, current=node.value)
        try:
            node.required = bool(element.get("required")) and self._bool(element["required"], env)
            node.read_only = bool(element.get("read_only")) and self._bool(
                element["read_only"], env
            )
        except ExpressionError as error:
            self.problems.append(Problem(node.key, "required", str(error)))
        if node.type in ("select_one", "select_multiple"):
            node.options = self._options(element, values)
            if element.get("or_other"):
                node.options.append(("other", _("Other")))
                other = Node(
                    element={"type": "text", "name": f"{name}_other"},
                    key=f"{node.key}_other",
                    label=_("Specify other"),
                    relevant="other" in node.value.split(),
                )
                other.value = _as_text(scope.get(f"{name}_other")) if other.relevant else ""
                self._set(scope, values, f"{name}_other", other.value)
                node.other = other
        self._check(node, env)

    def _options(self, element: dict[str, Any], values: dict[str, Any]) -> list[Any]:
        choices = self.definition["choices"].get(element["list_name"], [])
        choice_filter = element.get("choice_filter")
        options = []
        for choice in choices:
            if choice_filter:
                env = self._env(
                    values, columns={"name": choice["name"], **choice.get("filters", {})}
                )
                try:
                    if not self._bool(choice_filter, env):
                        continue
                except ExpressionError:
                    continue
            options.append(
                (choice["name"], _text(choice["label"], *self._langs()) or choice["name"])
            )
        return options

    # Validation ------------------------------------------------------------------------------
    def _check(self, node: Node, env: Env) -> None:
        value = node.value
        kind = node.type
        if kind not in QUESTION_TYPES:
            return
        message = _type_error(kind, value)
        if message is None and kind in ("select_one", "select_multiple") and value:
            allowed = {name for name, _label in node.options}
            chosen = value.split()
            if kind == "select_one" and len(chosen) > 1:
                message = _("Choose one answer.")
            elif not set(chosen) <= allowed:
                message = _("Choose from the answers offered.")
        if message is not None:
            self._problem(node, "type", message)
            return
        if not value:
            if node.required:
                self._problem(
                    node,
                    "required",
                    _text(node.element.get("required_message"), *self._langs())
                    or _("This question is required."),
                )
            return
        constraint = node.element.get("constraint")
        if constraint:
            try:
                ok = self._bool(constraint, env)
            except ExpressionError as error:
                self._problem(node, "constraint", str(error))
                return
            if not ok:
                self._problem(
                    node,
                    "constraint",
                    _text(node.element.get("constraint_message"), *self._langs())
                    or _("This answer is not allowed."),
                )

    def _problem(self, node: Node, rule: str, message: str) -> None:
        node.error = message
        self.problems.append(Problem(node.key, rule, message))

    # Results ---------------------------------------------------------------------------------
    def problems_to_show(self, *, complete: bool) -> list[Problem]:
        """All problems when submitting; while typing, only answers given that break a rule."""
        return [p for p in self.problems if complete or p.rule not in ("required",)]

    def hide_unshown_errors(self, *, complete: bool) -> None:
        if complete:
            return
        for node in self.all_nodes():
            if node.error and not node.value:
                node.error = ""

    def all_nodes(self, nodes: list[Node] | None = None) -> Iterator[Node]:
        for node in self.nodes if nodes is None else nodes:
            yield node
            if node.other is not None:
                yield node.other
            yield from self.all_nodes(node.children)
            for instance in node.instances:
                yield from self.all_nodes(instance)

    @property
    def hidden_ids(self) -> list[str]:
        """The page ids of every question that is not relevant now (the page hides them)."""
        return [n.dom_id for n in self.all_nodes() if not n.relevant]

    @property
    def nodes_with_errors(self) -> list[Node]:
        return [n for n in self.all_nodes() if n.error]

    def cleaned(self) -> dict[str, Any]:
        """The answers to store: relevant ones only, empty ones left out."""
        return _prune(self.answers)


def _prune(scope: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in scope.items():
        if isinstance(value, list):
            out[name] = [_prune(instance) for instance in value]
        elif value not in ("", None):
            out[name] = value
    return out


def _copy(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as the engine keeps them (checked in shape by `answers_from_json` first)."""
    return {
        k: [_copy(i) for i in v if isinstance(i, Mapping)] if isinstance(v, list) else _as_text(v)
        for k, v in answers.items()
    }


CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _as_text(value: Any) -> str:
    """An answer as the instance stores it: text, without control characters."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "OK" if value else ""
    if isinstance(value, (list, tuple)):
        return " ".join(_as_text(v) for v in value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_RE.sub("", text).strip()


def _type_error(kind: str, value: str) -> str | None:
    if not value:
        return None
    if kind == "integer" and not INTEGER_RE.match(value):
        return _("Enter a whole number.")
    if kind == "decimal":
        try:
            number = Decimal(value)
        except InvalidOperation:
            return _("Enter a number.")
        if not number.is_finite():
            return _("Enter a number.")
    if kind == "date":
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return _("Enter a date as YYYY-MM-DD.")
        if len(value) != 10:
            return _("Enter a date as YYYY-MM-DD.")
    if kind == "datetime" and not DATETIME_RE.match(value):
        return _("Enter a date and time.")
    if kind == "time" and not TIME_RE.match(value):
        return _("Enter a time as HH:MM.")
    if kind == "acknowledge" and value != "OK":
        return _("Tick the box or leave it empty.")
    if len(value) > MAX_ANSWER:
        return _("This answer is too long (at most %(n)d characters).") % {"n": MAX_ANSWER}
    return None


# Answers from a web form or an API client ------------------------------------------------------
EDITABLE = QUESTION_TYPES  # what a person answers; the rest is calculated or kept as it was


def _editable(element: Mapping[str, Any]) -> bool:
    return element["type"] in EDITABLE and not element.get("read_only")


def answers_from_post(
    definition: Mapping[str, Any], data: Any, base: Mapping[str, Any]
) -> dict[str, Any]:
    """Answers from posted fields named by path (`age`, `services.0.kind`). What a person
    does not answer (calculations, hidden and read-only questions, start) comes from `base`:
    the draft being edited, or the form's defaults."""
    return _read_scope(definition, definition["children"], data, "", base, [MAX_INSTANCES])


def _read_scope(
    definition: Mapping[str, Any],
    elements: list[dict[str, Any]],
    data: Any,
    prefix: str,
    base: Mapping[str, Any],
    budget: list[int],
) -> dict[str, Any]:
    scope: dict[str, Any] = {}
    for element in elements:
        name = element.get("name", "")
        key = prefix + name
        kind = element["type"]
        if kind == "group":
            scope.update(_read_scope(definition, element["children"], data, prefix, base, budget))
        elif kind == "repeat":
            posted = data.get(f"{key}.__count", "0")
            count = int(posted) if posted.isascii() and posted.isdigit() else 0
            count = min(count, budget[0])
            budget[0] -= count
            earlier = base.get(name)
            if not isinstance(earlier, list):
                earlier = []
            scope[name] = [
                _read_scope(
                    definition,
                    element["children"],
                    data,
                    f"{key}.{i}.",
                    earlier[i]
                    if i < len(earlier)
                    else with_defaults(definition, element["children"]),
                    budget,
                )
                for i in range(count)
            ]
        elif not _editable(element):
            if kind in STORED_TYPES:
                scope[name] = base.get(name, "")
        elif kind == "select_multiple":
            scope[name] = " ".join(v for v in data.getlist(key) if v)
        else:
            scope[name] = data.get(key, "")
        if element.get("or_other"):
            scope[f"{name}_other"] = data.get(f"{key}_other", "")
    return scope


def answers_from_json(
    definition: Mapping[str, Any], data: Any, base: Mapping[str, Any]
) -> dict[str, Any]:
    """Answers from an API client, checked in shape: an object of answers by question name,
    numbers, booleans and lists (for select_multiple) accepted, repeats as lists of objects.
    Raises ValueError naming the first answer that does not fit."""
    return _json_scope(definition, definition["children"], data, "", base, [MAX_INSTANCES])


def _json_scope(
    definition: Mapping[str, Any],
    elements: list[dict[str, Any]],
    data: Any,
    path: str,
    base: Mapping[str, Any],
    budget: list[int],
) -> dict[str, Any]:
    if not isinstance(data, Mapping):
        raise ValueError(
            _("%(path)s: expected an object of answers.") % {"path": path or "answers"}
        )
    questions = {e["name"]: e for e in _in_scope(elements)}
    others = {f"{n}_other" for n, e in questions.items() if e.get("or_other")}
    scope: dict[str, Any] = {
        name: base.get(name, "")
        for name, element in questions.items()
        if not _editable(element) and element["type"] in STORED_TYPES
    }
    for name, value in data.items():
        where = f"{path}{name}"
        element = questions.get(name)
        if element is None and name not in others:
            raise ValueError(_("%(path)s is not a question of this form.") % {"path": where})
        if element is not None and element["type"] == "repeat":
            if not isinstance(value, list) or len(value) > budget[0]:
                raise ValueError(
                    _("%(path)s: expected a list of at most %(n)d entries.")
                    % {"path": where, "n": budget[0]}
                )
            budget[0] -= len(value)
            scope[name] = [
                _json_scope(
                    definition,
                    element["children"],
                    item,
                    f"{where}.{i}.",
                    with_defaults(definition, element["children"]),
                    budget,
                )
                for i, item in enumerate(value)
            ]
        elif element is not None and not _editable(element):
            raise ValueError(_("%(path)s is calculated or read-only.") % {"path": where})
        elif isinstance(value, list) and (element or {}).get("type") == "select_multiple":
            if not all(isinstance(v, str) for v in value):
                raise ValueError(_("%(path)s: expected a list of choice names.") % {"path": where})
            scope[name] = _as_text(value)
        elif value is None or isinstance(value, (str, int, float, bool)):
            scope[name] = _as_text(value)
        else:
            raise ValueError(_("%(path)s: expected a single answer.") % {"path": where})
    return scope


def _in_scope(elements: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The named elements of one scope: groups opened, repeats not entered."""
    for element in elements:
        if element["type"] == "group":
            yield from _in_scope(element["children"])
        elif element.get("name"):
            yield element


def with_defaults(
    definition: Mapping[str, Any], elements: list[dict[str, Any]] | None = None, **kw: Any
) -> dict[str, Any]:
    """A new, empty set of answers with the form's defaults filled in."""
    scope: dict[str, Any] = {}
    for element in definition["children"] if elements is None else elements:
        kind = element["type"]
        name = element.get("name", "")
        if kind == "group":
            scope.update(with_defaults(definition, element["children"], **kw))
        elif kind == "repeat":
            scope[name] = [with_defaults(definition, element["children"], **kw)]
        elif kind == "today" or kind == "start":
            scope[name] = _as_text(
                timezone.localdate()
                if kind == "today"
                else timezone.localtime().replace(tzinfo=None)
            )
        elif default := element.get("default"):
            if is_dynamic(default):
                try:
                    scope[name] = parse(default).as_string(Env(values=scope, **kw))
                except ExpressionError:
                    scope[name] = ""
            else:
                scope[name] = default
    return scope


def apply_action(definition: Mapping[str, Any], answers: dict[str, Any], action: str) -> bool:
    """Add or remove a repeat instance: `add:services`, `remove:services.1`. True if done."""
    verb, _sep, path = action.partition(":")
    parts = path.split(".")
    if verb == "add":
        target, element = _locate(definition["children"], answers, parts)
        if target is not None and element is not None and _instances(answers) < MAX_INSTANCES:
            target.append(with_defaults(definition, element["children"]))
            return True
    elif verb == "remove" and len(parts) >= 2 and _index(parts[-1]) is not None:
        target, _element = _locate(definition["children"], answers, parts[:-1])
        index = int(parts[-1])
        if target is not None and index < len(target):
            del target[index]
            return True
    return False


def _locate(
    elements: list[dict[str, Any]], scope: dict[str, Any], parts: list[str]
) -> tuple[list[Any] | None, dict[str, Any] | None]:
    """The list of instances of the repeat at `parts` (name, index, name, …)."""
    repeats = {e["name"]: e for e in _flat_repeats(elements)}
    element = repeats.get(parts[0])
    if element is None:
        return None, None
    instances = scope.setdefault(parts[0], [])
    if not isinstance(instances, list):
        return None, None
    if len(parts) == 1:
        return instances, element
    index = _index(parts[1])
    if index is None or index >= len(instances):
        return None, None
    return _locate(element["children"], instances[index], parts[2:])


def _instances(scope: Mapping[str, Any]) -> int:
    """How many repeat entries the answers hold, at every level."""
    return sum(
        len(value) + sum(_instances(instance) for instance in value)
        for value in scope.values()
        if isinstance(value, list)
    )


def _index(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def _flat_repeats(elements: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for element in elements:
        if element["type"] == "repeat":
            yield element
        elif element["type"] == "group":
            yield from _flat_repeats(element["children"])
