"""The layering rules of ``style.md``, checked on the source.

Nothing under ``loaders/`` or ``tracker/`` imports Streamlit (the cache wrappers
live in ``ui/``), and every page declared in ``dashboard.py`` starts with a
one-line docstring saying which question it answers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.make_fixtures import ROOT

LIBRARY_MODULES = sorted(p for package in ("loaders", "tracker") for p in (ROOT / package).rglob("*.py"))


def imported_modules(tree: ast.AST) -> set[str]:
    """Every module an ``import`` or ``from … import`` statement names, anywhere in the file."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def declared_pages() -> list[Path]:
    """The page files ``dashboard.py`` hands to ``st.Page("…")``, and the files beside them."""
    tree = ast.parse((ROOT / "dashboard.py").read_text(encoding="utf-8"))
    pages = [
        ROOT / node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Page"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]
    # Also any other page file beside them, so a page not (yet) declared is held to the same rule.
    siblings = {p for d in {page.parent for page in pages} for p in d.glob("*.py") if p.name != "__init__.py"}
    return sorted({*pages, *siblings})


def test_there_are_library_modules_to_check() -> None:
    assert len(LIBRARY_MODULES) > 10
    assert ROOT / "loaders" / "tables.py" in LIBRARY_MODULES


@pytest.mark.parametrize("path", LIBRARY_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_loaders_and_tracker_never_import_streamlit(path: Path) -> None:
    modules = imported_modules(ast.parse(path.read_text(encoding="utf-8")))

    assert not {m for m in modules if m == "streamlit" or m.startswith("streamlit.")}


def test_import_detection_sees_every_form() -> None:
    source = "import streamlit as st\nfrom streamlit.testing.v1 import AppTest\ndef f():\n    import streamlit\n"

    assert imported_modules(ast.parse(source)) == {"streamlit", "streamlit.testing.v1"}


def test_dashboard_declares_pages() -> None:
    assert len(declared_pages()) >= 5


@pytest.mark.parametrize("path", declared_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_page_starts_with_a_one_line_docstring(path: Path) -> None:
    assert path.is_file(), f"dashboard.py declares {path.relative_to(ROOT)}, which does not exist"
    module = ast.parse(path.read_text(encoding="utf-8"))

    docstring = ast.get_docstring(module, clean=False)  # only set when it is the first statement

    assert docstring, f"{path.name} must start with a docstring saying which question the page answers"
    assert "\n" not in docstring.strip(), f"{path.name}: the docstring should be one line"
