"""The XLSForm expression evaluator: examples of each feature, and properties over random input.

No database: expressions are evaluated against plain dictionaries of answers.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from casework.assessments.choices import NeedDomain
from casework.assessments.expressions import (
    FUNCTIONS,
    MAX_NESTING,
    Env,
    Expression,
    ExpressionError,
    NodeSet,
    parse,
    references,
)

TODAY = dt.date(2026, 5, 1)
DOB = dt.date(1990, 5, 17)
VISIT = dt.datetime(2026, 4, 30, 18, 0)  # naive: taken as local wall-clock time  # noqa: DTZ001
VALUES = {
    "age": 30,
    "name": "Amina",
    "blank": "",
    "none": None,
    "domains": "child health other",
    "dob": DOB,
    "dob_text": "1990-05-17",
    "visit": VISIT,
    "scores": NodeSet([1, 2, "3"]),
    "no_scores": NodeSet([]),
    "amount": Decimal("12.50"),
    "count_text": "12",
    "consent": "yes",
    "bad_pattern": "(",
}
ENV = Env(VALUES, current="hello world", today=TODAY, columns={"country": "CY", "div": "6"})

DOB_DAYS = float((DOB - dt.date(1970, 1, 1)).days)
VISIT_DAYS = float((VISIT.date() - dt.date(1970, 1, 1)).days) + 0.75


def same(actual: object, expected: object) -> bool:
    """Equal and of the same type (True == 1.0 in Python; not here), with NaN equal to NaN."""
    if type(actual) is not type(expected):
        return False
    if isinstance(expected, float) and math.isnan(expected):
        return math.isnan(actual)  # type: ignore[arg-type]
    return actual == expected


# --- Examples ----------------------------------------------------------------------------

VALUE_CASES = [
    # literals, references, the current value, choice-row columns
    ("12", 12.0),
    ("3.5", 3.5),
    (".5", 0.5),
    ("'single'", "single"),
    ("\"double 'quoted'\"", "double 'quoted'"),
    ("${age}", 30.0),
    ("${name}", "Amina"),
    ("${none}", ""),
    ("${not_in_values}", ""),
    ("${amount}", 12.5),
    ("${scores}", NodeSet([1.0, 2.0, "3"])),
    (".", "hello world"),
    ("country", "CY"),
    ("not_a_column", ""),
    # precedence and associativity
    ("1 + 2 * 3", 7.0),
    ("(1 + 2) * 3", 9.0),
    ("10 - 4 - 3", 3.0),
    ("2 * 3 div 4", 1.5),
    ("1 + 2 * 3 = 7", True),
    ("not(1 = 2) and 3 > 2", True),
    ("1 = 1 or 2 = 2 and 3 = 4", True),
    ("1 < 2 = true()", True),
    ("3 > 2 > 1", False),
    ("--3", 3.0),
    ("1 - -1", 2.0),
    ("- 2 * 3", -6.0),
    ("\t1\n+\r\n1 ", 2.0),
    # arithmetic
    ("7 div 2", 3.5),
    ("7 mod 3", 1.0),
    ("-7 mod 3", -1.0),
    ("7 mod -3", 1.0),
    ("5.5 mod 2", 1.5),
    ("1 div 0", math.inf),
    ("-1 div 0", -math.inf),
    ("0 div 0", math.nan),
    ("5 mod 0", math.nan),
    ("${count_text} + 1", 13.0),
    ("${blank} + 1", math.nan),
    # and/or/div/mod are operators only after an operand, so they can name columns
    ("div div div", 1.0),
    ("${age}-1", 29.0),
    ("count-selected(${domains})-1", 2.0),
    # comparisons: numbers, strings, NaN
    ("${age} > 18", True),
    ("${count_text} = 12", True),
    ("${count_text} = '12.0'", False),
    ("${count_text} < '13'", True),
    ("'abc' = 'abc'", True),
    ("'abc' != 'abd'", True),
    ("'a' < 'b'", False),
    ("${blank} = ''", True),
    ("${blank} = 0", False),
    ("${blank} != 0", True),
    ("${blank} < 1", False),
    ("${blank} >= 1", False),
    ("0 div 0 = 0 div 0", False),
    ("0 div 0 != 0 div 0", True),
    # comparisons with booleans
    ("${consent} = true()", True),
    ("${blank} = false()", True),
    ("true() > false()", True),
    ("1 = true()", True),
    # comparisons with node-sets: true if true for any member
    ("${scores} = 2", True),
    ("${scores} = 5", False),
    ("${scores} != 1", True),
    ("${scores} > 2", True),
    ("${scores} = '3'", True),
    ("${no_scores} = 1", False),
    ("${no_scores} != 1", False),
    ("${no_scores} = false()", True),
    # dates
    ("${dob} < today()", True),
    ("${dob} = '1990-05-17'", True),
    ("${dob} = ${dob_text}", True),
    ("${dob_text} < '2000-01-01'", True),
    ("'2026-05-01' > '2026-04-30'", True),
    ("${visit} < today()", True),
    ("${visit} > date('2026-04-30')", True),
    ("today() - date('2026-01-01')", 120.0),
    ("today() - ${dob}", float((TODAY - DOB).days)),
    ("today() - ${dob_text}", float((TODAY - DOB).days)),
    ("${dob} + 7", DOB_DAYS + 7),
    ("date(${dob} + 7)", dt.date(1990, 5, 24)),
    ("date(${dob_text})", DOB),
    ("date(${dob})", DOB),
    ("date(${visit})", dt.date(2026, 4, 30)),
    ("date(0)", dt.date(1970, 1, 1)),
    ("date('31')", dt.date(1970, 2, 1)),
    ("date('not a date')", ""),
    ("date('2026-02-30')", ""),
    ("date(${blank})", ""),
    ("date(${blank} + 7)", ""),
    ("date(1 div 0)", ""),
    ("date(10000000)", ""),
    ("today()", TODAY),
    ("decimal-date-time('1970-01-02T06:00:00')", 1.25),
    ("decimal-date-time(${visit})", VISIT_DAYS),
    ("decimal-date-time('soon')", math.nan),
    ("format-date(${dob}, '%Y-%m-%d')", "1990-05-17"),
    ("format-date('2026-03-05', '%e/%n/%Y %b')", "5/3/2026 Mar"),
    ("format-date(${visit}, '%d %b')", "30 Apr"),
    ("format-date(${dob}, '%H:%M %%')", "%H:%M %%"),
    ("format-date(${blank}, '%Y')", ""),
    # booleans
    ("true()", True),
    ("false()", False),
    ("not(${blank})", True),
    ("not(${name})", False),
    ("boolean('0')", True),
    ("boolean(0)", False),
    ("boolean(0 div 0)", False),
    ("boolean(${no_scores})", False),
    ("boolean(${scores})", True),
    ("boolean(today())", True),
    ("boolean-from-string('true')", True),
    ("boolean-from-string('1')", True),
    ("boolean-from-string('yes')", False),
    ("if(${age} > 18, 'adult', 'child')", "adult"),
    ("if(${age} > 65, 'older', 'younger')", "younger"),
    ("coalesce(${blank}, 'fallback')", "fallback"),
    ("coalesce(${name}, 'fallback')", "Amina"),
    ("coalesce(${none}, ${not_in_values})", ""),
    # strings
    ("string(3)", "3"),
    ("string(3.25)", "3.25"),
    ("string(1 div 0)", "Infinity"),
    ("string(-1 div 0)", "-Infinity"),
    ("string(0 div 0)", "NaN"),
    ("string(true())", "true"),
    ("string(${dob})", "1990-05-17"),
    ("string(${visit})", "2026-04-30T18:00:00.000"),
    ("string(${scores})", "1"),
    ("string(${no_scores})", ""),
    ("string()", "hello world"),
    ("string-length('abc')", 3.0),
    ("string-length()", 11.0),
    ("string-length(${none})", 0.0),
    ("concat('a', 1, true())", "a1true"),
    ("concat(${scores}, '!')", "123!"),
    ("concat()", ""),
    ("contains(${name}, 'min')", True),
    ("contains(${name}, 'x')", False),
    ("starts-with(${name}, 'Am')", True),
    ("starts-with(${name}, 'na')", False),
    ("ends-with(${name}, 'na')", True),
    ("ends-with(${name}, 'Am')", False),
    ("substr('hello', 1)", "ello"),
    ("substr('hello', 1, 3)", "el"),
    ("substr('hello', 0, 99)", "hello"),
    ("substr('hello', -3)", "llo"),
    ("substr('hello', 3, 1)", ""),
    ("substr('hello', 0 div 0, 2)", "he"),
    ("substring-before('a-b-c', '-')", "a"),
    ("substring-before('abc', 'x')", ""),
    ("substring-after('a-b-c', '-')", "b-c"),
    ("substring-after('abc', 'x')", ""),
    ("substring-before('abc', '')", ""),
    ("substring-after('abc', '')", "abc"),
    ("normalize-space('  a \t b\n ')", "a b"),
    ("normalize-space()", "hello world"),
    ("translate('abcabc', 'abc', 'AB')", "ABAB"),
    ("translate('hello', 'lo', 'LO')", "heLLO"),
    ("translate('aa', 'aa', 'xy')", "xx"),
    ("regex('AB-123', '[0-9]{3}')", True),
    ("regex('AB-12', '^[0-9]+$')", False),
    ("regex(., 'wor')", True),
    ("join(', ', ${scores})", "1, 2, 3"),
    ("join('-', 'a', ${scores}, ${no_scores})", "a-1-2-3"),
    # numbers
    ("number('12.5')", 12.5),
    ("number(' 7 ')", 7.0),
    ("number('-.5')", -0.5),
    ("number('1e3')", math.nan),
    ("number('+1')", math.nan),
    ("number('abc')", math.nan),
    ("number(true())", 1.0),
    ("number()", math.nan),
    ("number('1970-01-11')", 10.0),
    ("int(3.7)", 3.0),
    ("int(-3.7)", -3.0),
    ("int('12')", 12.0),
    ("int(${blank})", math.nan),
    ("int(1 div 0)", math.inf),
    ("round(2.5)", 3.0),
    ("round(-2.5)", -3.0),
    ("round(2.4)", 2.0),
    ("round(0.5)", 1.0),
    ("round(-0.5)", -1.0),
    ("round(1.005, 2)", 1.01),
    ("round(2.675, 2)", 2.68),
    ("round(1234.5678, -2)", 1200.0),
    ("round(1 div 0)", math.inf),
    ("round(1, 0 div 0)", math.nan),
    ("floor(2.5)", 2.0),
    ("floor(-2.5)", -3.0),
    ("ceiling(2.1)", 3.0),
    ("ceiling(-2.5)", -2.0),
    ("ceiling(0 div 0)", math.nan),
    ("abs(-4)", 4.0),
    ("pow(2, 10)", 1024.0),
    ("pow(2, -1)", 0.5),
    ("pow(-8, 1 div 3)", math.nan),
    ("pow(0, -1)", math.inf),
    ("pow(10, 400)", math.inf),
    ("pow(-10, 401)", -math.inf),
    ("sqrt(16)", 4.0),
    ("sqrt(-1)", math.nan),
    ("exp(0)", 1.0),
    ("exp(1000)", math.inf),
    ("log(1)", 0.0),
    ("log(0)", -math.inf),
    ("log(-1)", math.nan),
    ("log10(1000)", 3.0),
    ("pi()", math.pi),
    ("min(3, 1, 2)", 1.0),
    ("max(3, 1, 2)", 3.0),
    ("min(${scores})", 1.0),
    ("max(${scores}, 10)", 10.0),
    ("min(${no_scores})", math.nan),
    ("max(1, 'x')", math.nan),
    ("sum(${scores})", 6.0),
    ("sum(${no_scores})", 0.0),
    ("sum(${age})", 30.0),
    ("count(${scores})", 3.0),
    ("count(${no_scores})", 0.0),
    ("count(${name})", 1.0),
    ("count(${blank})", 0.0),
    # select_multiple answers
    ("selected(${domains}, 'health')", True),
    ("selected(${domains}, ' health ')", True),
    ("selected(${domains}, 'heal')", False),
    ("selected('a b', 'b')", True),
    ("selected(${blank}, 'a')", False),
    ("count-selected(${domains})", 3.0),
    ("count-selected(${blank})", 0.0),
    ("selected-at(${domains}, 0)", "child"),
    ("selected-at(${domains}, 2)", "other"),
    ("selected-at(${domains}, 3)", ""),
    ("selected-at(${domains}, -1)", ""),
    ("selected-at(${domains}, 'x')", ""),
]


@pytest.mark.parametrize(("source", "expected"), VALUE_CASES)
def test_evaluates(source: str, expected: object) -> None:
    result = parse(source).evaluate(ENV)
    assert same(result, expected), f"{source} gave {result!r}, expected {expected!r}"


def test_every_function_has_an_example() -> None:
    """The table is the whole of what expressions can do: each entry is exercised above."""
    sources = " ".join(source for source, _ in VALUE_CASES)
    untested = [name for name in FUNCTIONS if f"{name}(" not in sources]
    assert untested == ["now"]  # now() has its own test below


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2", "3"),
        ("10 div 4", "2.5"),
        ("${age}", "30"),
        ("${amount}", "12.5"),
        ("${count_text}", "12"),
        ("0.0000001 * 1", "0.0000001"),
        ("1000000 * 1000000 * 1000000 * 1000000", "1000000000000000000000000"),
        ("-0 * 1", "0"),
        ("1 div 0", "Infinity"),
        ("0 div 0", "NaN"),
        ("today()", "2026-05-01"),
        ("date(${dob} + 7)", "1990-05-24"),
        ("true()", "true"),
        ("1 > 2", "false"),
        ("${scores}", "1"),
        ("${no_scores}", ""),
        ("${none}", ""),
    ],
)
def test_as_string(source: str, expected: str) -> None:
    assert parse(source).as_string(ENV) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("${scores}", True),
        ("${no_scores}", False),
        ("'false'", True),  # a non-empty string, as in XPath
        ("''", False),
        ("0", False),
        ("0 div 0", False),
        ("-1", True),
        ("today()", True),
        ("${none}", False),
    ],
)
def test_as_bool(source: str, expected: bool) -> None:
    assert parse(source).as_bool(ENV) is expected


def test_answers_of_every_stored_type_are_read() -> None:
    env = Env(
        {
            "integer": 7,
            "huge": 10**400,
            "decimal": Decimal("2.50"),
            "signalling": Decimal("sNaN"),
            "flag": True,
            "choices": ["a", "b"],
            "time": dt.time(10, 30),
            "nested": NodeSet([NodeSet([1, 2]), None]),
        }
    )
    assert same(parse("${integer} div 2").evaluate(env), 3.5)
    assert same(parse("${huge}").evaluate(env), math.inf)
    assert same(parse("${decimal} * 2").evaluate(env), 5.0)
    assert same(parse("${signalling}").evaluate(env), math.nan)
    assert same(parse("${flag}").evaluate(env), True)
    assert same(parse("selected(${choices}, 'b')").evaluate(env), True)
    assert same(parse("${time}").evaluate(env), "10:30:00")
    assert same(parse("${nested}").evaluate(env), NodeSet([1.0, 2.0, ""]))


def test_if_coalesce_and_or_evaluate_only_what_they_need() -> None:
    failing = "regex('x', ${bad_pattern})"  # an evaluation error when it is evaluated
    with pytest.raises(ExpressionError, match="invalid regular expression"):
        parse(failing).evaluate(ENV)
    assert same(parse(f"if(false(), {failing}, 'skipped')").evaluate(ENV), "skipped")
    assert same(parse(f"if(true(), 'skipped', {failing})").evaluate(ENV), "skipped")
    assert same(parse(f"coalesce(${{name}}, {failing})").evaluate(ENV), "Amina")
    assert same(parse(f"false() and {failing}").evaluate(ENV), False)
    assert same(parse(f"true() or {failing}").evaluate(ENV), True)
    assert same(parse("if(true(), 1, 1 div 0)").evaluate(ENV), 1.0)
    for needed in (f"if(true(), {failing}, 0)", f"true() and {failing}", f"false() or {failing}"):
        with pytest.raises(ExpressionError):
            parse(needed).evaluate(ENV)


def test_now_follows_a_fixed_today() -> None:
    moment = dt.datetime(2026, 5, 1, 10, 30, tzinfo=dt.UTC)
    assert parse("now()").evaluate(Env({}, today=moment)) == moment
    assert parse("today()").evaluate(Env({}, today=moment)) == dt.date(2026, 5, 1)
    midnight = parse("now()").evaluate(Env({}, today=TODAY))
    assert isinstance(midnight, dt.datetime)
    assert (midnight.date(), midnight.time()) == (TODAY, dt.time())
    assert same(parse("decimal-date-time(now())").evaluate(Env({}, today=TODAY)), 20574.0)


def test_today_and_now_default_to_the_local_clock() -> None:
    from django.conf import settings
    from django.utils import timezone

    def local_today() -> dt.date:
        if settings.configured:
            return timezone.localdate()
        return dt.datetime.now(dt.UTC).astimezone().date()

    before = local_today()
    today = parse("today()").evaluate(Env({}))
    now = parse("now()").evaluate(Env({}))
    assert today in (before, local_today())
    assert isinstance(now, dt.datetime) and now.utcoffset() is not None
    assert now.date() in (before, local_today())


def test_aware_answers_are_read_in_the_local_time_zone() -> None:
    """An aware UTC date-time from the database falls on the local calendar day."""
    from django.conf import settings
    from django.utils import timezone

    if not settings.configured:
        pytest.skip("needs Django's time zone settings")
    late = dt.datetime(2026, 4, 30, 23, 30, tzinfo=dt.UTC)
    env = Env({"late": late})
    with timezone.override("Europe/Brussels"):  # UTC+2 in summer: already 1 May
        assert parse("date(${late})").evaluate(env) == dt.date(2026, 5, 1)
        assert parse("${late} = date('2026-05-01') + 1.5 div 24").as_bool(env)
    with timezone.override("America/New_York"):
        assert parse("format-date(${late}, '%d')").evaluate(env) == "30"


def test_works_without_django_settings() -> None:
    """The module is plain Python: it runs where Django is installed but not configured."""
    script = (
        "import datetime\n"
        "from django.conf import settings\n"
        "from casework.assessments.expressions import Env, parse\n"
        "assert not settings.configured\n"
        "local = datetime.datetime.now(datetime.UTC).astimezone()\n"
        "print(parse('today()').as_string(Env({})) == local.date().isoformat())\n"
        "print(parse('now()').evaluate(Env({})).utcoffset() == local.utcoffset())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
        env={"PATH": "/usr/bin:/bin"},  # no DJANGO_SETTINGS_MODULE
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_regex_limits() -> None:
    long_text = Env({"text": "a" * 10_001})
    with pytest.raises(ExpressionError, match="longer than 10000"):
        parse("regex(${text}, 'a')").evaluate(long_text)
    assert parse("regex(${text}, 'a')").as_bool(Env({"text": "a" * 10_000}))
    with pytest.raises(ExpressionError, match="longer than 500"):
        parse("regex(., ${pattern})").evaluate(Env({"pattern": "a" * 501}))
    assert parse("regex(., ${pattern})").as_bool(Env({"pattern": "a?" * 250}))


def test_forms_refer_to_questions_not_yet_answered() -> None:
    assert parse("${later} = ''").as_bool(Env({}))
    assert parse("${later} + 1").as_string(Env({})) == "NaN"


@pytest.mark.parametrize(
    ("values", "current", "source", "expected"),
    [  # expressions from the standard forms in casework/assessments/standard
        ({}, dt.date(2026, 5, 2), ". <= today()", "false"),
        ({}, dt.date(2026, 5, 1), ". <= today()", "true"),
        ({}, "2026-04-01", ". <= today()", "true"),
        ({}, 12, ". >= 0 and . < 1200", "true"),
        ({}, "1200", ". >= 0 and . < 1200", "false"),
        ({}, "", ". >= 0 and . < 1200", "false"),
        ({"service_type": "other"}, None, "${service_type} = 'other'", "true"),
        ({"services": NodeSet(["a", "b"])}, None, "count(${services})", "2"),
        ({"domains": "child other"}, None, "selected(${domains}, 'other')", "true"),
        ({"domains": "child other"}, None, "count-selected(${domains})", "2"),
        (
            {},
            "none child",
            "not(selected(., 'none') and count-selected(.) > 1)",
            "false",
        ),
        ({}, "none", "not(selected(., 'none') and count-selected(.) > 1)", "true"),
        (
            {"a": "3", "b": 2, "c": "1", "d": "4"},
            None,
            "int(${a}) + int(${b}) + int(${c}) + int(${d})",
            "10",
        ),
        (
            {"a": "3", "b": 2, "c": "1"},
            None,
            "int(${a}) + int(${b}) + int(${c}) + int(${d})",
            "NaN",
        ),
    ],
)
def test_standard_form_expressions(
    values: dict[str, object], current: object, source: str, expected: str
) -> None:
    assert parse(source).as_string(Env(values, current=current, today=TODAY)) == expected


NEEDS = NeedDomain.values


def _overall_need() -> str:
    def any_is(level: str) -> str:
        return " or ".join(f"${{{need}_need}} = '{level}'" for need in NEEDS)

    return (
        f"if({any_is('high')}, 'high', if({any_is('medium')}, 'medium', "
        f"if({any_is('low')}, 'low', 'none')))"
    )


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ({}, "none"),
        ({"housing": "low"}, "low"),
        ({"housing": "low", "family": "medium"}, "medium"),
        ({"legal": "medium", "education_work": "high"}, "high"),
    ],
)
def test_needs_assessment_overall_level(levels: dict[str, str], expected: str) -> None:
    values = {f"{need}_need": level for need, level in levels.items()}
    expression = parse(_overall_need())
    assert expression.references == {f"{need}_need" for need in NEEDS}
    assert expression.as_string(Env(values)) == expected


# --- What a parsed expression reports ----------------------------------------------------


def test_references_current_and_columns() -> None:
    expression = parse(
        "${a} + ${b.c-d} + ${a} + string-length('${not_a_reference}') + string-length() "
        "+ number(country = 'CY')"
    )
    assert expression.references == frozenset({"a", "b.c-d"})
    assert expression.uses_current is True  # string-length() is string-length(.)
    assert expression.column_references == frozenset({"country"})
    assert expression.source.startswith("${a} + ")
    assert references("if(${x}, ${y}, 'z')") == frozenset({"x", "y"})
    assert parse("1 + 1").uses_current is False
    assert parse("1 + 1").references == frozenset()


def test_parse_is_cached() -> None:
    assert parse("${cached} + 1") is parse("${cached} + 1")
    assert isinstance(parse("${cached} + 1"), Expression)


def test_parse_refuses_what_is_not_text() -> None:
    with pytest.raises(TypeError, match="expressions are text"):
        parse(5)


# --- Errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("1 + )", r"^unexpected '\)' at character 5$"),
        ("(1 + 2", r"^unexpected end of expression at character 7$"),
        ("", r"^unexpected end of expression at character 1$"),
        ("1 2", r"^unexpected '2' at character 3$"),
        ("1e3", r"^unexpected 'e3' at character 2$"),
        ("concat('a',)", r"^unexpected '\)' at character 12$"),
        ("*", r"^unexpected '\*' at character 1$"),
        ("'abc", r"^unterminated string starting at character 1$"),
        ("${age} = 'x", r"^unterminated string starting at character 10$"),
        ("1 # 2", r"^unexpected character '#' at character 3$"),
        ("1 ! 2", r"'!' is not an operator: use != or not\(\.\.\.\) \(at character 3\)"),
        ("/data/age = 1", r"^XPath paths .* are not supported.*\(at character 1\)$"),
        ("${a} = ../b", r"^parent paths .* not supported.*\(at character 8\)$"),
        ("${a} | ${b}", r"^node-set unions .* not supported \(at character 6\)$"),
        ("${a}[1]", r"^predicates .* not supported \(at character 5\)$"),
        ("$age > 1", r"^variables such as \$x are not supported.*\(at character 1\)$"),
        ("@id", r"^attributes .* not supported \(at character 1\)$"),
        ("child::x", r"^XPath axes .* not supported \(at character 6\)$"),
        ("${} = 1", r"^malformed reference.*\(at character 1\)$"),
        ("${1a} = 1", r"^malformed reference"),
        ("foo:bar = 1", r"^prefixed name 'foo:bar' at character 1 is not supported$"),
        ("position() > 1", r"^position\(\) at character 1 is not supported: repeats"),
        ("indexed-repeat(${a}, ${r}, 1)", r"^indexed-repeat\(\) at character 1 is not supp"),
        ("jr:choice-name(${a}, '${a}')", r"^jr:choice-name\(\) at character 1 is not supp"),
        ("substring('abc', 1)", r"not supported: use substr"),
        ("text()", r"^text\(\) at character 1 is not supported"),
        ("unknown-fn(1)", r"^unknown function unknown-fn\(\) at character 1$"),
        ("false() and unknown-fn()", r"^unknown function unknown-fn\(\) at character 13$"),
        ("__import__('os').system('ls')", r"^unknown function __import__\(\) at character 1$"),
        ("not()", r"^not\(\) at character 1 takes 1 argument, not 0$"),
        ("1 + if(1, 2)", r"^if\(\) at character 5 takes 3 arguments, not 2$"),
        ("substr('a')", r"^substr\(\) at character 1 takes 2 to 3 arguments, not 1$"),
        ("min()", r"^min\(\) at character 1 takes at least 1 argument, not 0$"),
        ("today(1)", r"^today\(\) at character 1 takes 0 arguments, not 1$"),
        ("regex(., '(')", r"^invalid regular expression '\(': .*\(in regex\(\) at character 1\)"),
        ("regex(., '" + "a" * 501 + "')", r"longer than 500 characters"),
        ("(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1), r"nested more than 32"),
        ("abs(" * (MAX_NESTING + 1) + "1" + ")" * (MAX_NESTING + 1), r"nested more than 32"),
        ("-" * 300 + "1", r"too deeply nested"),
        (" + ".join(["1"] * 300), r"too deeply nested"),
    ],
)
def test_syntax_errors(source: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse(source)


def test_error_position_and_type() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("${a} = = 1")
    assert caught.value.position == 8
    assert str(caught.value) == "unexpected '=' at character 8"
    assert isinstance(caught.value, ValueError)


def test_long_sums_still_evaluate() -> None:
    """A score that adds up 200 questions is within the depth limit."""
    names = [f"q{index}" for index in range(200)]
    expression = parse(" + ".join(f"${{{name}}}" for name in names))
    assert expression.as_string(Env(dict.fromkeys(names, 1))) == "200"


# --- Properties --------------------------------------------------------------------------

ARITHMETIC = {"+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}


def _arithmetic_trees() -> st.SearchStrategy[object]:
    numbers = st.integers(min_value=-1000, max_value=1000)
    return st.recursive(
        numbers,
        lambda children: st.tuples(st.sampled_from(sorted(ARITHMETIC)), children, children),
        max_leaves=12,
    )


def _render(tree: object) -> tuple[str, int]:
    """Text with only the parentheses that precedence and left-associativity require."""
    if isinstance(tree, int):
        return (str(tree) if tree >= 0 else f"-{-tree}"), 7
    assert isinstance(tree, tuple)
    operator, left, right = tree
    precedence = ARITHMETIC[operator]
    left_text, left_precedence = _render(left)
    right_text, right_precedence = _render(right)
    if left_precedence < precedence:
        left_text = f"({left_text})"
    if right_precedence <= precedence:
        right_text = f"({right_text})"
    return f"{left_text} {operator} {right_text}", precedence


def _python_value(tree: object) -> float:
    """What Python computes: div is float division, mod is fmod (the dividend's sign)."""
    if isinstance(tree, int):
        return float(tree)
    assert isinstance(tree, tuple)
    operator, left, right = tree
    a, b = _python_value(left), _python_value(right)
    match operator:
        case "+":
            return a + b
        case "-":
            return a - b
        case "*":
            return a * b
        case "div":
            return a / b  # ZeroDivisionError for 0
    return math.fmod(a, b)  # ValueError for 0


@given(_arithmetic_trees())
def test_integer_arithmetic_agrees_with_python(tree: object) -> None:
    source, _ = _render(tree)
    try:
        expected = _python_value(tree)
    except (ZeroDivisionError, ValueError):
        assume(False)  # division by zero: see the Infinity and NaN examples above
    result = parse(source).evaluate(Env({}))
    assert same(result, expected), source
    text = parse(source).as_string(Env({}))
    assert float(text) == expected
    assert ("." in text) is (not expected.is_integer())


def _number_text(number: float) -> str:
    """An XPath literal for a finite float (XPath has no exponent notation)."""
    text = format(Decimal(repr(abs(number))), "f")
    return f"-{text}" if math.copysign(1.0, number) < 0 else text


finite_floats = st.floats(allow_nan=False, allow_infinity=False)


@given(finite_floats)
def test_numbers_print_without_exponent_and_read_back(number: float) -> None:
    text = parse(_number_text(number)).as_string(Env({}))
    assert "e" not in text and "E" not in text
    assert float(text) == number
    if number == int(number):
        assert "." not in text


numbers = st.one_of(
    st.floats(allow_nan=False),
    st.integers(),
    st.decimals(allow_nan=False),
)


def _as_float(number: float | int | Decimal) -> float:
    try:
        return float(number)
    except OverflowError:  # an integer beyond float's range
        return math.inf if number > 0 else -math.inf


@given(numbers, numbers)
def test_comparisons_are_consistent(a: float | int | Decimal, b: float | int | Decimal) -> None:
    """Exactly one of <, =, > holds, the others agree with them, and all agree with Python."""
    env = Env({"a": a, "b": b})
    x, y = _as_float(a), _as_float(b)
    forms = [("${a}", "${b}")]
    if math.isfinite(x) and math.isfinite(y):
        forms.append((_number_text(x), _number_text(y)))
    for left, right in forms:
        less = parse(f"{left} < {right}").as_bool(env)
        equal = parse(f"{left} = {right}").as_bool(env)
        greater = parse(f"{left} > {right}").as_bool(env)
        assert [less, equal, greater].count(True) == 1
        assert (less, equal, greater) == (x < y, x == y, x > y)
        assert parse(f"{left} != {right}").as_bool(env) is not equal
        assert parse(f"{left} <= {right}").as_bool(env) is (less or equal)
        assert parse(f"{left} >= {right}").as_bool(env) is (greater or equal)


def test_comparisons_with_nan_are_false_except_not_equal() -> None:
    env = Env({"nan": math.nan, "one": 1})
    for operator in ("<", "<=", "=", ">=", ">"):
        assert not parse(f"${{nan}} {operator} ${{one}}").as_bool(env)
        assert not parse(f"${{one}} {operator} ${{nan}}").as_bool(env)
    assert parse("${nan} != ${one}").as_bool(env)


question_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.\-]{0,8}", fullmatch=True)
column_names = question_names.filter(lambda name: ":" not in name)
literal_text = st.text(st.characters(exclude_characters="'", codec="utf-8"), max_size=12)
Generated = tuple[str, frozenset[str], frozenset[str]]  # text, references, columns
NOTHING: frozenset[str] = frozenset()


def _expressions() -> st.SearchStrategy[Generated]:
    """Well-formed expressions over the whole function table, with the names they use."""
    leaves = st.one_of(
        question_names.map(lambda name: (f"${{{name}}}", frozenset({name}), NOTHING)),
        column_names.map(lambda name: (name, NOTHING, frozenset({name}))),
        st.integers(min_value=0, max_value=10**6).map(lambda n: (str(n), NOTHING, NOTHING)),
        literal_text.map(lambda text: (f"'{text}'", NOTHING, NOTHING)),
        question_names.map(lambda name: (f"'${{{name}}}'", NOTHING, NOTHING)),  # not a ref
        st.just((".", NOTHING, NOTHING)),
    )

    def combine(text: str, parts: list[Generated]) -> Generated:
        return (
            text,
            frozenset().union(*(part[1] for part in parts)),
            frozenset().union(*(part[2] for part in parts)),
        )

    def extend(children: st.SearchStrategy[Generated]) -> st.SearchStrategy[Generated]:
        binary = st.tuples(children, st.sampled_from(sorted(_OPERATORS)), children).map(
            lambda t: combine(f"({t[0][0]}) {t[1]} ({t[2][0]})", [t[0], t[2]])
        )
        negation = children.map(lambda child: combine(f"-({child[0]})", [child]))

        @st.composite
        def call(draw: st.DrawFn) -> Generated:
            name = draw(st.sampled_from(sorted(FUNCTIONS)))
            function = FUNCTIONS[name]
            high = function.max_args if function.max_args is not None else function.min_args + 3
            count = draw(st.integers(function.min_args, min(high, function.min_args + 3)))
            arguments = [draw(children) for _ in range(count)]
            if name == "regex":  # a literal pattern is checked when parsing
                arguments[1] = ("'[a-z]+'", NOTHING, NOTHING)
            return combine(f"{name}({', '.join(a[0] for a in arguments)})", arguments)

        return st.one_of(binary, negation, call())

    return st.recursive(leaves, extend, max_leaves=10)


_OPERATORS = {"or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "div", "mod"}


@given(_expressions())
def test_references_are_the_names_put_in(generated: Generated) -> None:
    source, names, columns = generated
    expression = parse(source)
    assert expression.references == names
    assert references(source) == names
    assert expression.column_references == columns


offsets = st.timedeltas(
    min_value=dt.timedelta(hours=-23, minutes=-59), max_value=dt.timedelta(hours=23, minutes=59)
).map(dt.timezone)
scalars = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=12),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.just(Decimal("sNaN")),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=offsets),
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(dt.datetime.isoformat),
    st.sampled_from(["a b c", "12", " 3.5 ", "-0", "NaN", "Infinity", "(", "[a-z]+", "%Y %b"]),
)
answers = st.one_of(scalars, st.lists(scalars, max_size=4).map(NodeSet))
environments = st.builds(
    Env,
    values=st.dictionaries(question_names, answers, max_size=6),
    current=answers,
    today=st.one_of(st.none(), st.dates(), st.datetimes(timezones=offsets)),
    columns=st.dictionaries(column_names, st.text(max_size=5), max_size=3),
)

# Text that is often nearly an expression, so that the parser's deeper paths are reached.
# fmt: off
SYNTAX = [
    "${a}", "${b}", "$", "{", "}", ".", "..", "/", "|", "[", "]", "@", "::", ":", "'", '"',
    "'x'", "1", "2.5", ".5", "0", "(", ")", ",", " ", "+", "-", "*", "=", "!=", "<", "<=",
    ">", ">=", "!", "and", "or", "div", "mod", "country",
    *(f"{name}(" for name in FUNCTIONS),
    "position(", "jr:choice-name(", "unknown(",
]
# fmt: on
near_expressions = st.lists(st.sampled_from(SYNTAX), max_size=25).map("".join)


def _parse_or_refuse(source: str) -> Expression | None:
    try:
        return parse(source)
    except ExpressionError:
        return None


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), near_expressions))
def test_any_text_parses_or_raises_expression_error(source: str) -> None:
    expression = _parse_or_refuse(source)
    if expression is not None:
        assert expression.source == source


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(_expressions().map(lambda generated: generated[0]), near_expressions), environments
)
def test_evaluating_any_expression_raises_only_expression_error(source: str, env: Env) -> None:
    expression = _parse_or_refuse(source)
    if expression is None:
        return
    try:
        value = expression.evaluate(env)
        text = expression.as_string(env)
        truth = expression.as_bool(env)
    except ExpressionError:
        return
    assert isinstance(value, str | float | bool | dt.date | NodeSet)
    assert isinstance(text, str)
    assert isinstance(truth, bool)


@given(literal_text)
def test_string_literals_stay_strings(text: str) -> None:
    for quoted in (f"'{text}'", f'"{text}"' if '"' not in text else f"'{text}'"):
        expression = parse(quoted)
        assert same(expression.evaluate(ENV), text)
        assert expression.references == frozenset()


@pytest.mark.parametrize(
    "code",
    [
        "__import__('os').system('touch /tmp/pwned')",
        "().__class__.__mro__[1].__subclasses__()",
        "${age}.__class__",
        "open('/etc/passwd').read()",
    ],
)
def test_python_code_in_a_string_is_only_a_string(code: str) -> None:
    quote = '"' if "'" in code else "'"
    assert same(parse(f"{quote}{code}{quote}").evaluate(ENV), code)
    assert same(parse(f"concat({quote}{code}{quote}, '')").evaluate(ENV), code)
    with pytest.raises(ExpressionError):
        parse(code)


def test_a_catastrophic_pattern_stops_with_an_error_instead_of_stalling() -> None:
    with pytest.raises(ExpressionError, match="took too long"):  # 60 characters: centuries
        parse("regex(., '^(a|aa)+$')").as_bool(Env({}, current="a" * 60 + "!"))
