"""A safe evaluator for the XPath that XLSForms put in their expression columns.

The `relevant`, `constraint`, `calculate`, `default` and `choice_filter` columns of an
XLSForm hold XPath 1.0 expressions with the ODK extensions (``${name}`` references,
``selected()``, ``today()`` ...). Forms are written by staff, imported from spreadsheets and
evaluated on the server for every answer, so the text is untrusted: it is tokenized and
parsed here into a small tree of frozen dataclasses and walked by an evaluator that can only
do what the function table below allows. Nothing is handed to Python's ``eval``, ``exec`` or
``compile`` and no attribute is looked up by a name taken from the text.

Only the subset that form writers use is accepted. Everything else (paths such as
``/data/x``, predicates, ``position()`` ...) is refused *when the form is parsed*, with a
message that names the character where the problem is, so that a form that cannot work is
refused at import rather than when a caseworker fills it in.

Semantics follow XPath 1.0 as ODK Collect (JavaRosa) and Enketo apply it: values are strings,
numbers (floats), booleans, dates or node-sets; comparisons and arithmetic convert as XPath
does, with ODK's extension that dates (and strings that look like ISO dates) count as the
number of days since 1970-01-01.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, NamedTuple, TypeAlias

import regex  # type: ignore[import-untyped]  # types-regex is not a dependency

__all__ = [
    "FUNCTIONS",
    "Env",
    "Expression",
    "ExpressionError",
    "NodeSet",
    "parse",
    "references",
]

# Limits that keep a hostile or broken form from exhausting the server: the parser and the
# evaluator recurse, so nesting is bounded well below Python's recursion limit (a form that
# sums 200 questions in one chain still fits), and Python's regex engine backtracks, so the
# pattern and the text it runs on are bounded too.
MAX_NESTING = 32
MAX_DEPTH = 256
MAX_REGEX_PATTERN = 500
MAX_REGEX_SUBJECT = 10_000
REGEX_TIMEOUT = 0.25  # seconds


class ExpressionError(ValueError):
    """A syntax error or an evaluation error in a form's expression.

    Syntax errors name the character (counting from 1) where the problem is, e.g.
    "unexpected ')' at character 12"; ``position`` holds that number (None when the error is
    not tied to one place, e.g. an invalid regular expression in a question's answer).
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.position = position


class NodeSet(tuple):
    """Values of a question inside a repeat, seen from outside it (for count(), sum(), etc.).

    A tuple subclass so that it is immutable and cheap; being a distinct type lets the
    evaluator apply XPath's node-set rules (a comparison is true if it is true for any member;
    string() is the first member) instead of treating it as one value.
    """

    __slots__ = ()


Value: TypeAlias = "str | float | bool | datetime.date | datetime.datetime | NodeSet"


@dataclass(frozen=True)
class Env:
    """What an expression can see when it is evaluated.

    ``values`` maps question names to answers as stored (None or "" when unanswered, one
    space-separated string for select_multiple, numbers, dates, NodeSet for a question in a
    repeat); ``current`` is the value of ``.``; ``today`` fixes today() and now() (tests,
    re-evaluating an old submission); ``columns`` are the columns of the choice row that a
    choice_filter is being evaluated for, which the filter names without ``${}``.
    """

    values: Mapping[str, object]
    current: object = None
    today: datetime.date | None = None
    columns: Mapping[str, str] = field(default_factory=dict)


# --- Syntax tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Reference:
    """``${name}``: the answer to another question."""

    name: str


@dataclass(frozen=True)
class Current:
    """``.``: the value of the question the expression belongs to."""


@dataclass(frozen=True)
class Column:
    """A bare name: a column of the choice row, in a choice_filter."""

    name: str


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    operator: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Call:
    name: str
    arguments: tuple[Node, ...]


Node: TypeAlias = "Literal | Reference | Current | Column | Negate | Binary | Call"


def _children(node: Node) -> tuple[Node, ...]:
    match node:
        case Negate(operand):
            return (operand,)
        case Binary(_, left, right):
            return (left, right)
        case Call(_, arguments):
            return arguments
    return ()


def _walk(root: Node) -> Iterator[tuple[Node, int]]:
    """Every node with its depth, without recursion (so a deep tree cannot overflow here)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        yield node, depth
        stack.extend((child, depth + 1) for child in _children(node))


# --- Tokenizer ---------------------------------------------------------------------------


class Token(NamedTuple):
    kind: str  # number, string, reference, name, operator, "(", ")", ",", ".", end
    text: str
    position: int  # 1-based, for error messages


_TOKEN = re.compile(
    r"""
      (?P<space>\s+)
    | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
    | (?P<string>"[^"]*"|'[^']*')
    | (?P<reference>\$\{[^\W\d][\w.\-]*\})
    | (?P<name>[^\W\d][\w.\-]*(?::[^\W\d][\w.\-]*)?)
    | (?P<operator>!=|<=|>=|[=<>+\-*])
    | (?P<punctuation>[(),])
    | (?P<dot>\.(?!\.))
    """,
    re.VERBOSE,
)

_OPERATOR_NAMES = frozenset({"and", "or", "div", "mod"})

# Characters that start XPath syntax outside the subset, and what to tell the form's author.
_UNSUPPORTED_SYNTAX = (
    ("..", "parent paths ('..') are not supported; refer to questions as ${name}"),
    ("/", "XPath paths (such as /data/x) are not supported; refer to questions as ${name}"),
    ("|", "node-set unions ('|') are not supported"),
    ("[", "predicates ('[...]') are not supported"),
    ("]", "predicates ('[...]') are not supported"),
    ("@", "attributes ('@') are not supported"),
    ("::", "XPath axes ('::') are not supported"),
    ("${", "malformed reference: expected ${name} with a name made of letters, digits, _ - ."),
    ("$", "variables such as $x are not supported; refer to questions as ${name}"),
    ("!", "'!' is not an operator: use != or not(...)"),
)


def _tokenize(source: str) -> list[Token]:
    """Split the text into tokens, deciding as XPath does when and/or/div/mod are operators.

    XPath's rule: a name is an operator when a token precedes it that is not itself an
    operator, '(' or ','. So ``div`` may still name a column in a choice_filter.
    """
    tokens: list[Token] = []
    index = 0
    while index < len(source):
        match = _TOKEN.match(source, index)
        if match is None:
            raise _bad_character(source, index)
        kind = match.lastgroup or ""
        text = match.group()
        index = match.end()
        if kind == "space":
            continue
        if kind == "punctuation":
            kind = text
        elif kind == "dot":
            kind = "."
        elif (
            kind == "name"
            and text in _OPERATOR_NAMES
            and tokens
            and tokens[-1].kind not in ("operator", "(", ",")
        ):
            kind = "operator"
        tokens.append(Token(kind, text, match.start() + 1))
    tokens.append(Token("end", "", len(source) + 1))
    return tokens


def _bad_character(source: str, index: int) -> ExpressionError:
    rest = source[index:]
    position = index + 1
    if rest[0] in "'\"":
        return ExpressionError(f"unterminated string starting at character {position}", position)
    for start, explanation in _UNSUPPORTED_SYNTAX:
        if rest.startswith(start):
            return ExpressionError(f"{explanation} (at character {position})", position)
    return ExpressionError(f"unexpected character {rest[0]!r} at character {position}", position)


def _unexpected(token: Token) -> ExpressionError:
    if token.kind == "end":
        return ExpressionError(
            f"unexpected end of expression at character {token.position}", token.position
        )
    return ExpressionError(
        f"unexpected {token.text!r} at character {token.position}", token.position
    )


# --- Parser ------------------------------------------------------------------------------

# XPath's binary operators, by precedence (higher binds tighter); all are left-associative.
_PRECEDENCE = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}

# Functions whose argument defaults to the current value, as in XPath (string-length() is
# string-length(.)); the parser fills in the ``.`` so that ``uses_current`` sees it.
_DEFAULTS_TO_CURRENT = frozenset({"string", "number", "string-length", "normalize-space"})

# Functions that ODK knows but this evaluator deliberately does not, with the reason.
_UNSUPPORTED_FUNCTIONS = {
    "position": "repeats are evaluated one instance at a time",
    "last": "repeats are evaluated one instance at a time",
    "indexed-repeat": "refer to a repeat's answers as a whole (count(), sum(), join())",
    "current": "use . for the current value",
    "instance": "secondary instances are not supported",
    "jr:choice-name": "choice labels are not available to expressions",
    "pulldata": "external data is not supported",
    "substring": "use substr(string, start, end), which counts from 0",
    "text": "node tests are not supported",
    "node": "node tests are not supported",
}


class _Parser:
    """Recursive descent with precedence climbing over the token list."""

    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.index = 0
        self.nesting = 0

    def parse(self) -> Node:
        node = self._binary(1)
        token = self._next()
        if token.kind != "end":
            raise _unexpected(token)
        return node

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def _next(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def _expect(self, kind: str) -> Token:
        token = self._next()
        if token.kind != kind:
            raise _unexpected(token)
        return token

    def _open(self, token: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExpressionError(
                f"expression nested more than {MAX_NESTING} levels deep "
                f"at character {token.position}",
                token.position,
            )

    def _binary(self, min_precedence: int) -> Node:
        left = self._unary()
        while True:
            token = self._peek()
            precedence = _PRECEDENCE.get(token.text, 0) if token.kind == "operator" else 0
            if precedence < min_precedence:
                return left
            self._next()
            left = Binary(token.text, left, self._binary(precedence + 1))

    def _unary(self) -> Node:
        signs = 0
        while self._peek().kind == "operator" and self._peek().text == "-":
            self._next()
            signs += 1
        node = self._primary()
        for _ in range(signs):
            node = Negate(node)
        return node

    def _primary(self) -> Node:
        token = self._next()
        match token.kind:
            case "number":
                return Literal(float(token.text))
            case "string":
                return Literal(token.text[1:-1])
            case "reference":
                return Reference(token.text[2:-1])
            case ".":
                return Current()
            case "(":
                self._open(token)
                node = self._binary(1)
                self._expect(")")
                self.nesting -= 1
                return node
            case "name" if self._peek().kind == "(":
                return self._call(token)
            case "name" if ":" not in token.text:
                return Column(token.text)
            case "name":
                raise ExpressionError(
                    f"prefixed name {token.text!r} at character {token.position} is not supported",
                    token.position,
                )
        raise _unexpected(token)

    def _call(self, name: Token) -> Call:
        function = _lookup_function(name)
        self._open(self._next())
        arguments: list[Node] = []
        if self._peek().kind != ")":
            arguments.append(self._binary(1))
            while self._peek().kind == ",":
                self._next()
                arguments.append(self._binary(1))
        self._expect(")")
        self.nesting -= 1
        _check_arity(name, function, len(arguments))
        if not arguments and name.text in _DEFAULTS_TO_CURRENT:
            arguments.append(Current())
        if name.text == "regex":
            pattern = arguments[1]
            if isinstance(pattern, Literal) and isinstance(pattern.value, str):
                try:
                    _compile_regex(pattern.value)
                except ExpressionError as error:
                    raise ExpressionError(
                        f"{error} (in regex() at character {name.position})", name.position
                    ) from None
        return Call(name.text, tuple(arguments))


def _lookup_function(name: Token) -> Function:
    function = FUNCTIONS.get(name.text)
    if function is not None:
        return function
    reason = _UNSUPPORTED_FUNCTIONS.get(name.text)
    if reason is not None:
        message = f"{name.text}() at character {name.position} is not supported: {reason}"
    else:
        message = f"unknown function {name.text}() at character {name.position}"
    raise ExpressionError(message, name.position)


def _check_arity(name: Token, function: Function, count: int) -> None:
    low, high = function.min_args, function.max_args
    if low <= count and (high is None or count <= high):
        return
    if high is None:
        expected = f"at least {low}"
    elif low == high:
        expected = str(low)
    else:
        expected = f"{low} to {high}"
    plural = "" if expected.endswith("1") else "s"
    raise ExpressionError(
        f"{name.text}() at character {name.position} takes {expected} argument{plural}, "
        f"not {count}",
        name.position,
    )


# --- Parsed expressions ------------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """A parsed expression: what it refers to, and how to evaluate it against answers.

    ``references`` lists every ``${name}`` (for dependency graphs and cycle detection),
    ``uses_current`` says whether ``.`` appears, ``column_references`` lists the bare names
    (choice-row columns in a choice_filter; elsewhere usually a forgotten ``${}``).
    """

    source: str
    tree: Node = field(repr=False)
    references: frozenset[str]
    uses_current: bool
    column_references: frozenset[str]

    def evaluate(self, env: Env) -> Value:
        """The value: str, float, bool, datetime.date, datetime.datetime or NodeSet."""
        return _Evaluation(env).evaluate(self.tree)

    def as_bool(self, env: Env) -> bool:
        """XPath boolean() of the value (for relevant, constraint, choice_filter)."""
        return _boolean(self.evaluate(env))

    def as_string(self, env: Env) -> str:
        """XPath string() of the value (for calculate and default): 3, not 3.0."""
        return _string(self.evaluate(env))


@functools.lru_cache(maxsize=4096)
def parse(source: str) -> Expression:
    """Parse an expression, refusing anything outside the subset with an ExpressionError.

    Cached, because a form evaluates the same few texts for every answer of every submission.
    """
    if not isinstance(source, str):
        raise TypeError(f"expressions are text, not {type(source).__name__}")
    tree = _Parser(source).parse()
    names: set[str] = set()
    columns: set[str] = set()
    uses_current = False
    for node, depth in _walk(tree):
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"expression is too deeply nested (more than {MAX_DEPTH} levels); "
                "split it into several calculations"
            )
        match node:
            case Reference(name):
                names.add(name)
            case Column(name):
                columns.add(name)
            case Current():
                uses_current = True
    return Expression(source, tree, frozenset(names), uses_current, frozenset(columns))


def references(source: str) -> frozenset[str]:
    """The names of the questions that an expression refers to with ``${name}``."""
    return parse(source).references


# --- Conversions (XPath's string(), number(), boolean()) ---------------------------------

_EPOCH = datetime.date(1970, 1, 1)
_XPATH_NUMBER = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_XPATH_SPACE = re.compile(r"[ \t\r\n]+")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _from_answer(raw: object) -> Value:
    """An answer as stored, as an XPath value: numbers become floats, unanswered "".

    Lists are accepted for a select_multiple and joined with spaces, as XForms stores them.
    """
    match raw:
        case None:
            return ""
        case NodeSet():
            return NodeSet(_flatten(raw))
        case bool() | str() | float() | datetime.date():
            return raw
        case int():
            try:
                return float(raw)
            except OverflowError:
                return math.inf if raw > 0 else -math.inf
        case Decimal():
            try:
                return float(raw)
            except ValueError:  # signalling NaN
                return math.nan
        case list() | tuple():
            return " ".join(_string(_from_answer(item)) for item in raw)
    return str(raw)


def _flatten(raw: Iterable[object]) -> Iterator[Value]:
    for item in raw:
        value = _from_answer(item)
        if isinstance(value, NodeSet):
            yield from value
        else:
            yield value


def _string(value: Value) -> str:
    match value:
        case str():
            return value
        case bool():
            return "true" if value else "false"
        case float():
            return _format_number(value)
        case datetime.datetime():
            return value.isoformat(timespec="milliseconds")
        case datetime.date():
            return value.isoformat()
        case NodeSet():
            return _string(value[0]) if value else ""
    raise TypeError(f"not an XPath value: {value!r}")


def _format_number(number: float) -> str:
    """XPath's number formatting: no exponent, whole numbers without '.0' (3, not 3.0)."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number == 0:
        return "0"  # also for -0
    # The shortest decimal that reads back as the same float (so 1e24 prints as 1 and 24
    # zeros, not as the float's exact binary value), written out in full.
    shortest = Decimal(repr(number))
    if number.is_integer():
        shortest = shortest.to_integral_value()
    return format(shortest, "f")


def _number(value: Value) -> float:
    match value:
        case bool():
            return 1.0 if value else 0.0
        case float():
            return value
        case str():
            return _string_to_number(value)
        case datetime.date():
            return _days(value)
        case NodeSet():
            return _number(value[0]) if value else math.nan
    raise TypeError(f"not an XPath value: {value!r}")


def _string_to_number(text: str) -> float:
    """XPath number(): plain decimal notation or NaN, plus ODK's days for ISO dates."""
    text = text.strip(" \t\r\n")
    if _XPATH_NUMBER.fullmatch(text):
        return float(text)
    moment = _parse_date(text)
    return math.nan if moment is None else _days(moment)


def _boolean(value: Value) -> bool:
    match value:
        case bool():
            return value
        case float():
            return not (value == 0 or math.isnan(value))
        case str() | NodeSet():
            return len(value) > 0
    return True  # a date


def _parse_date(text: str) -> datetime.date | None:
    """A date or date-time from ISO text ("2026-05-01", "2026-05-01T10:30:00+02:00")."""
    text = text.strip()
    try:
        if _ISO_DATE.fullmatch(text):
            return datetime.date.fromisoformat(text)
        if _ISO_DATETIME.fullmatch(text):
            return datetime.datetime.fromisoformat(text)
    except ValueError:
        pass
    return None


def _days(moment: datetime.date) -> float:
    """Days since 1970-01-01, with the time of day as a fraction (ODK's decimal-date-time)."""
    if isinstance(moment, datetime.datetime):
        local = _wall_clock(moment)
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return (local.date() - _EPOCH).days + seconds / 86400
    return float((moment - _EPOCH).days)


def _wall_clock(moment: datetime.datetime) -> datetime.datetime:
    """An aware date-time in the local time zone, so that its date is the local date.

    Answers read back from the database are aware and in UTC; 00:30 in Brussels is still
    the previous day in UTC. Naive date-times are taken as already local.
    """
    if moment.utcoffset() is None:
        return moment
    try:
        settings = _django_settings()
        if settings is not None and settings.USE_TZ:
            from django.utils import timezone

            return timezone.localtime(moment)
        return moment.astimezone()
    except (OverflowError, OSError, ValueError):  # at the edges of the representable range
        return moment


def _django_settings() -> Any:
    """Django's settings when Django is configured; this module also works without it."""
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency of the project
        return None
    return settings if settings.configured else None


def _local_now() -> datetime.datetime:
    settings = _django_settings()
    if settings is not None:
        from django.utils import timezone

        return timezone.localtime() if settings.USE_TZ else timezone.now()
    return datetime.datetime.now(datetime.UTC).astimezone()


def _local_today() -> datetime.date:
    settings = _django_settings()
    if settings is not None and settings.USE_TZ:
        from django.utils import timezone

        return timezone.localdate()
    return _local_now().date()


def _members(value: Value) -> tuple[Value, ...]:
    return value if isinstance(value, NodeSet) else (value,)


def _flat_members(values: Iterable[Value]) -> Iterator[Value]:
    """Arguments with node-sets opened up, for functions that take many values."""
    for value in values:
        yield from _members(value)


# --- Operators ---------------------------------------------------------------------------


def _compare(operator: str, left: Value, right: Value) -> bool:
    """XPath 1.0 comparison (section 3.4), with ODK's dates-as-days."""
    if isinstance(left, NodeSet) or isinstance(right, NodeSet):
        if isinstance(left, bool) or isinstance(right, bool):
            return _compare(operator, _boolean(left), _boolean(right))
        return any(_compare(operator, a, b) for a in _members(left) for b in _members(right))
    if operator in ("=", "!="):
        a: object
        b: object
        if isinstance(left, bool) or isinstance(right, bool):
            a, b = _boolean(left), _boolean(right)
        elif isinstance(left, str) and isinstance(right, str):
            a, b = left, right
        else:  # a number or a date on one side: compare as numbers (days for dates)
            a, b = _number(left), _number(right)
        return (a == b) if operator == "=" else (a != b)
    x, y = _number(left), _number(right)
    match operator:
        case "<":
            return x < y
        case "<=":
            return x <= y
        case ">":
            return x > y
    return x >= y


def _divide(a: float, b: float) -> float:
    """IEEE division, as XPath's div: 1 div 0 is Infinity, 0 div 0 is NaN."""
    if b == 0:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    """XPath's mod: the remainder of truncating division, with the sign of the dividend."""
    if b == 0 or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


_ARITHMETIC: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "div": _divide,
    "mod": _modulo,
}
_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})


class _Evaluation:
    """One evaluation of a tree against an Env; today() and now() are read once."""

    def __init__(self, env: Env) -> None:
        self.env = env

    @functools.cached_property
    def today(self) -> datetime.date:
        given = self.env.today
        if isinstance(given, datetime.datetime):
            return given.date()
        return given if given is not None else _local_today()

    @functools.cached_property
    def now(self) -> datetime.datetime:
        given = self.env.today
        if isinstance(given, datetime.datetime):
            return given
        if given is not None:  # a fixed day: its midnight, in the local time zone
            return datetime.datetime.combine(given, datetime.time(), tzinfo=_local_now().tzinfo)
        return _local_now()

    def evaluate(self, node: Node) -> Value:
        match node:
            case Literal(value):
                return value
            case Reference(name):
                return _from_answer(self.env.values.get(name))
            case Current():
                return _from_answer(self.env.current)
            case Column(name):
                return _from_answer(self.env.columns.get(name))
            case Negate(operand):
                return -_number(self.evaluate(operand))
            case Binary("and", left, right):
                return _boolean(self.evaluate(left)) and _boolean(self.evaluate(right))
            case Binary("or", left, right):
                return _boolean(self.evaluate(left)) or _boolean(self.evaluate(right))
            case Binary(operator, left, right) if operator in _COMPARISONS:
                return _compare(operator, self.evaluate(left), self.evaluate(right))
            case Binary(operator, left, right):
                a, b = _number(self.evaluate(left)), _number(self.evaluate(right))
                return _ARITHMETIC[operator](a, b)
            case Call(name, arguments):
                function = FUNCTIONS[name]
                if function.takes_context:
                    return function.implementation(self, *arguments)
                return function.implementation(*[self.evaluate(a) for a in arguments])
        raise TypeError(f"not a syntax tree node: {node!r}")


# --- Functions ---------------------------------------------------------------------------


def _finite_or_same(operation: Callable[[float], int]) -> Callable[[Value], float]:
    """floor(), ceiling() and int(): NaN and the infinities come back unchanged."""

    def apply(value: Value) -> float:
        number = _number(value)
        return float(operation(number)) if math.isfinite(number) else number

    return apply


def _round(value: Value, digits: Value = 0.0) -> float:
    """ODK's round(): half away from zero (round(2.5) = 3, round(-2.5) = -3), in decimal.

    Decimal arithmetic on the shortest text of the float, so that round(2.675, 2) is 2.68 as
    a person expects, not 2.67 as binary floating point would give.
    """
    number, places = _number(value), _number(digits)
    if math.isnan(places):
        return math.nan
    if not math.isfinite(number):
        return number
    places = max(-400.0, min(400.0, places))  # beyond this every float rounds to 0 or itself
    exponent = Decimal(1).scaleb(-math.trunc(places))
    try:
        rounded = Decimal(repr(number)).quantize(
            exponent, rounding=ROUND_HALF_UP, context=Context(prec=1000)
        )
    except InvalidOperation:  # pragma: no cover - prec=1000 covers every float and places
        return number
    return float(rounded)


def _pow(base: Value, exponent: Value) -> float:
    """Java's Math.pow, which ODK uses: overflow is Infinity, no real result is NaN."""
    a, b = _number(base), _number(exponent)
    odd_integer = math.isfinite(b) and b == math.trunc(b) and math.trunc(b) % 2 == 1
    try:
        return math.pow(a, b)
    except OverflowError:
        return -math.inf if a < 0 and odd_integer else math.inf
    except ValueError:  # 0 to a negative power, or a negative number to a fraction
        if a == 0:
            return math.copysign(math.inf, a) if odd_integer else math.inf
        return math.nan


def _extreme(pick: Callable[[list[float]], float]) -> Callable[..., float]:
    """min() and max() over their arguments and the members of node-set arguments."""

    def apply(*values: Value) -> float:
        numbers = [_number(member) for member in _flat_members(values)]
        if not numbers or any(math.isnan(number) for number in numbers):
            return math.nan
        return pick(numbers)

    return apply


def _sum(value: Value) -> float:
    total = 0.0
    for member in _members(value):
        total += _number(member)
    return total


def _count(value: Value) -> float:
    if isinstance(value, NodeSet):
        return float(len(value))
    return 1.0 if _string(value) else 0.0


def _selected(choices: Value, name: Value) -> bool:
    return _string(name).strip() in _string(choices).split()


def _selected_at(choices: Value, index: Value) -> str:
    names = _string(choices).split()
    position = _number(index)
    if not math.isfinite(position) or not 0 <= position < len(names):
        return ""
    return names[math.trunc(position)]


def _slice_index(value: Value, length: int) -> int:
    """A position for substr(): whole, NaN as 0, negative counting from the end (JavaRosa)."""
    number = _number(value)
    if math.isnan(number):
        return 0
    return math.trunc(max(-length - 1.0, min(length + 1.0, number)))


def _substr(value: Value, start: Value, end: Value | None = None) -> str:
    """ODK's substr(): start counts from 0 and end is exclusive, unlike XPath's substring()."""
    text = _string(value)
    stop = len(text) if end is None else _slice_index(end, len(text))
    return text[_slice_index(start, len(text)) : stop]


def _translate(value: Value, source: Value, target: Value) -> str:
    """XPath translate(): characters of source become those of target, or go if none."""
    to = _string(target)
    table: dict[int, int | None] = {}
    for index, character in enumerate(_string(source)):
        table.setdefault(ord(character), ord(to[index]) if index < len(to) else None)
    return _string(value).translate(table)


@functools.lru_cache(maxsize=256)
def _compile_regex(pattern: str) -> Any:
    if len(pattern) > MAX_REGEX_PATTERN:
        raise ExpressionError(f"regular expression longer than {MAX_REGEX_PATTERN} characters")
    try:
        return regex.compile(pattern, flags=regex.VERSION0)
    except (regex.error, RecursionError, OverflowError, ValueError) as error:
        raise ExpressionError(f"invalid regular expression {pattern!r}: {error}") from None


def _regex(value: Value, pattern: Value) -> bool:
    """ODK's regex(): does the pattern match anywhere in the text (search, not fullmatch).

    Backtracking patterns such as (a|aa)+ can take exponential time, so the text is bounded
    and the search stops after REGEX_TIMEOUT seconds (the `regex` engine's timeout).
    """
    text = _string(value)
    if len(text) > MAX_REGEX_SUBJECT:
        raise ExpressionError(
            f"regex() on a text longer than {MAX_REGEX_SUBJECT} characters is not allowed"
        )
    try:
        return _compile_regex(_string(pattern)).search(text, timeout=REGEX_TIMEOUT) is not None
    except TimeoutError:
        raise ExpressionError(
            "regex() took too long on this answer; simplify the pattern"
        ) from None


def _if(evaluation: _Evaluation, condition: Node, then: Node, otherwise: Node) -> Value:
    """Only the branch taken is evaluated, so if(${n} > 0, 1 div ${n}, 0) is safe."""
    chosen = then if _boolean(evaluation.evaluate(condition)) else otherwise
    return evaluation.evaluate(chosen)


def _coalesce(evaluation: _Evaluation, first: Node, second: Node) -> Value:
    value = evaluation.evaluate(first)
    return value if _string(value) != "" else evaluation.evaluate(second)


def _as_date(value: Value) -> datetime.date | None:
    """A value as a calendar date: dates, ISO text, or a number of days since 1970-01-01."""
    if isinstance(value, NodeSet):
        value = value[0] if value else ""
    if isinstance(value, datetime.datetime):
        return _wall_clock(value).date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        moment = _parse_date(value)
        if moment is not None:
            return _as_date(moment)
        if not _XPATH_NUMBER.fullmatch(value.strip(" \t\r\n")):
            return None
    days = _number(value)
    if not math.isfinite(days):
        return None
    try:
        return _EPOCH + datetime.timedelta(days=math.trunc(days))
    except OverflowError:  # beyond year 9999
        return None


def _date(value: Value) -> datetime.date | str:
    """ODK's date(): "" (a blank answer) when the value is empty or not a date."""
    day = _as_date(value)
    return "" if day is None else day


def _format_date(value: Value, template: Value) -> str:
    """ODK's format-date() with %Y %m %d %e (day, unpadded) %n (month, unpadded) %b.

    Other % sequences are left as they are.
    """
    day = _as_date(value)
    if day is None:
        return ""
    parts = {
        "Y": f"{day.year:04d}",
        "m": f"{day.month:02d}",
        "d": f"{day.day:02d}",
        "e": str(day.day),
        "n": str(day.month),
        "b": _MONTHS[day.month - 1],
    }
    return re.sub(
        r"%(.)", lambda match: parts.get(match.group(1), match.group()), _string(template)
    )


def _join(separator: Value, *values: Value) -> str:
    return _string(separator).join(_string(member) for member in _flat_members(values))


def _math(operation: Callable[[float], float]) -> Callable[[Value], float]:
    """sqrt(), exp(), log(), log10(): Java's results where Python raises."""

    def apply(value: Value) -> float:
        number = _number(value)
        try:
            return operation(number)
        except OverflowError:
            return math.inf
        except ValueError:  # outside the domain: log(0) is -Infinity, log(-1) NaN
            return -math.inf if number == 0 else math.nan

    return apply


def _substring_before(value: Value, separator: Value) -> str:
    text = _string(value)
    index = text.find(_string(separator))
    return text[:index] if index >= 0 else ""


def _substring_after(value: Value, separator: Value) -> str:
    text, sep = _string(value), _string(separator)
    index = text.find(sep)
    return text[index + len(sep) :] if index >= 0 else ""


class Function(NamedTuple):
    """An entry of the function table: how many arguments, and the Python that runs it.

    Ordinary implementations receive the argument values. Those with ``takes_context``
    receive the evaluation and the unevaluated argument nodes instead: if() and coalesce()
    to evaluate only what they need, today() and now() to read the evaluation's clock.
    """

    min_args: int
    max_args: int | None  # None: any number
    implementation: Callable[..., Value]
    takes_context: bool = False


# Read-only: the table is the whole of what an expression can make the server do.
FUNCTIONS: Mapping[str, Function] = MappingProxyType(
    {
        # booleans
        "true": Function(0, 0, lambda: True),
        "false": Function(0, 0, lambda: False),
        "not": Function(1, 1, lambda value: not _boolean(value)),
        "boolean": Function(1, 1, _boolean),
        "boolean-from-string": Function(1, 1, lambda value: _string(value) in ("true", "1")),
        "if": Function(3, 3, _if, takes_context=True),
        "coalesce": Function(2, 2, _coalesce, takes_context=True),
        # numbers
        "number": Function(0, 1, _number),
        "int": Function(1, 1, _finite_or_same(math.trunc)),
        "round": Function(1, 2, _round),
        "floor": Function(1, 1, _finite_or_same(math.floor)),
        "ceiling": Function(1, 1, _finite_or_same(math.ceil)),
        "abs": Function(1, 1, lambda value: abs(_number(value))),
        "pow": Function(2, 2, _pow),
        "sqrt": Function(1, 1, _math(math.sqrt)),
        "exp": Function(1, 1, _math(math.exp)),
        "log": Function(1, 1, _math(math.log)),
        "log10": Function(1, 1, _math(math.log10)),
        "pi": Function(0, 0, lambda: math.pi),
        "min": Function(1, None, _extreme(min)),
        "max": Function(1, None, _extreme(max)),
        "sum": Function(1, 1, _sum),
        "count": Function(1, 1, _count),
        # select_multiple answers
        "selected": Function(2, 2, _selected),
        "count-selected": Function(1, 1, lambda choices: float(len(_string(choices).split()))),
        "selected-at": Function(2, 2, _selected_at),
        # strings
        "string": Function(0, 1, _string),
        "string-length": Function(0, 1, lambda value: float(len(_string(value)))),
        "concat": Function(0, None, lambda *values: "".join(map(_string, _flat_members(values)))),
        "contains": Function(2, 2, lambda text, part: _string(part) in _string(text)),
        "starts-with": Function(2, 2, lambda text, part: _string(text).startswith(_string(part))),
        "ends-with": Function(2, 2, lambda text, part: _string(text).endswith(_string(part))),
        "substr": Function(2, 3, _substr),
        "substring-before": Function(2, 2, _substring_before),
        "substring-after": Function(2, 2, _substring_after),
        "normalize-space": Function(
            0, 1, lambda value: " ".join(_XPATH_SPACE.split(_string(value).strip(" \t\r\n")))
        ),
        "translate": Function(3, 3, _translate),
        "regex": Function(2, 2, _regex),
        "join": Function(2, None, _join),
        # dates
        "today": Function(0, 0, lambda evaluation: evaluation.today, takes_context=True),
        "now": Function(0, 0, lambda evaluation: evaluation.now, takes_context=True),
        "date": Function(1, 1, _date),
        "decimal-date-time": Function(1, 1, _number),
        "format-date": Function(2, 2, _format_date),
    }
)
