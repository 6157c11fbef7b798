"""Apps import only from apps before them in ORDER: the one list of the import order.

docs/development/README.md and docs/architecture.md state the same order; the last test
checks that they do. Every module under casework/ is read with `ast`, so imports inside
functions and under `if TYPE_CHECKING:` count the same as those at the top.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "casework"

ORDER = (
    "core",
    "audit",
    "accounts",
    "people",
    "cases",
    "immigration",
    "assessments",
    "referrals",
    "finance",
    "network",
    "synthetic",
    "indicators",
    "api",
)
# Outside the order: these may import any app, and no app imports them...
OUTSIDE = {"settings", "urls", "cli", "wsgi", "testing"}
# ...except an app's tests, which may use the test helpers and read the settings file as written.
FOR_TESTS = {"testing", "settings"}


def imported(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import in the tree, relative ones resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = module.split(".")
                parts = parts if is_package else parts[:-1]
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, *([node.module] if node.module else [])])
            if base == "casework":  # `from casework import cases`
                for alias in node.names:
                    yield node.lineno, f"casework.{alias.name}"
            else:
                yield node.lineno, base


def is_test(module: str) -> bool:
    parts = module.split(".")
    return "tests" in parts or parts[-1] == "conftest" or parts[-1].startswith("test_")


def refusals(module: str, source: str, is_package: bool = False) -> list[str]:
    """Why each import of `module` breaks the order (empty when it keeps it)."""
    parts = module.split(".")
    app = parts[1] if len(parts) > 1 else ""
    if app not in ORDER:
        return []  # casework/__init__.py and the modules outside the order import anything
    allowed = set(ORDER[: ORDER.index(app) + 1]) | (FOR_TESTS if is_test(module) else set())
    found = []
    for line, name in imported(ast.parse(source), module, is_package):
        target = name.split(".")
        if target[0] == "casework" and len(target) > 1 and target[1] not in allowed:
            found.append(f"{module}:{line} imports {name}")
    return found


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        yield ".".join(parts[:-1] if parts[-1] == "__init__" else parts), path


def test_every_top_level_package_is_in_the_order_or_outside_it() -> None:
    names = {p.stem for p in PACKAGE.iterdir() if p.suffix == ".py" or (p / "__init__.py").exists()}
    assert names - {"__init__"} <= set(ORDER) | OUTSIDE, "add the new app to ORDER"
    assert set(ORDER) | OUTSIDE <= names, "ORDER or OUTSIDE names something that is gone"


def test_no_app_imports_an_app_later_in_the_order() -> None:
    found = [
        refusal
        for module, path in modules()
        for refusal in refusals(module, path.read_text(), path.name == "__init__.py")
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    ("module", "source", "refused"),
    [
        ("casework.core.crypto", "def f():\n    from casework.audit import services\n", True),
        ("casework.core.access", "import casework.accounts.models\n", True),
        ("casework.cases.views", "from casework import immigration\n", True),
        ("casework.people.services", "from ..cases.models import Case\n", True),
        ("casework.cases.services", "from casework.testing.personas import World\n", True),
        ("casework.cases.views", "from casework.urls import urlpatterns\n", True),
        ("casework.cases.tests.test_x", "from casework.indicators import compute\n", True),
        ("casework.cases.tests.test_x", "from casework.testing.personas import World\n", False),
        ("casework.indicators.views", "from casework.people.models import Person\n", False),
        ("casework.people.services", "from .models import Person\n", False),
        ("casework.urls", "from casework.api import urls\n", False),
    ],
)
def test_the_check_sees_every_kind_of_import(module: str, source: str, refused: bool) -> None:
    assert bool(refusals(module, source)) is refused


def test_the_docs_state_this_order() -> None:
    order = " → ".join(ORDER)
    for doc in ("docs/development/README.md", "docs/architecture.md"):
        assert order in " ".join((ROOT / doc).read_text().split()), f"{doc} states another order"
