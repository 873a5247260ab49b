"""The layering rules of ``style.md``, checked on the source.

Nothing under ``loaders/`` or ``tracker/`` imports Streamlit (the cache wrappers
live in ``ui/``), ``ui/``, ``app_pages/`` or ``dashboard``; ``loaders/`` never
imports ``tracker/``; inside ``tracker/`` imports point down the layers of
``RULES`` (views at the bottom, figures and records on them, documents on all
three, the CLI on top), and its top level holds only the cross-cutting modules. Every page declared in
``dashboard.py`` starts with a one-line docstring saying which question it
answers.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.make_fixtures import ROOT

LIBRARY_MODULES = sorted(p for package in ("loaders", "tracker") for p in (ROOT / package).rglob("*.py"))


APP = ("streamlit", "ui", "app_pages", "dashboard")

# (where: a folder or a file, relative to the root; the modules it may not import; why). A module is held to
# every rule whose folder holds it. Anything not forbidden here is allowed: `documents/` may use views,
# figures and records (a briefing pack shows what changed since a snapshot), `records/` may use views (a
# snapshot keeps a filtered view), and only `tracker/cli.py` (with its `cli_catalog.py` part, and `__main__`)
# sits above them all.
RULES: list[tuple[str, tuple[str, ...], str]] = [
    ("loaders", APP, "loaders run without Streamlit or the app: in the CLI, the tests and their own child processes"),
    ("tracker", APP, "the domain logic runs without Streamlit or the app: the CLI and the tests call it directly"),
    ("loaders", ("tracker",), "loaders read and validate files; the tracker builds on them, never the reverse"),
    (
        "tracker/views",
        ("tracker.figures", "tracker.documents", "tracker.records", "tracker.cli", "tracker.cli_catalog"),
        "a view turns filtered records into numbers; figures, documents and records are built on views",
    ),
    (
        "tracker/figures",
        ("tracker.documents", "tracker.records", "tracker.cli", "tracker.cli_catalog"),
        "a figure draws numbers a view computed; what is written and what is taken away sit above it",
    ),
    (
        "tracker/records",
        ("tracker.figures", "tracker.documents", "tracker.cli", "tracker.cli_catalog"),
        "the write path needs nothing that draws or renders (plotly, Jinja, Chromium) to save a record",
    ),
    (
        "tracker/documents",
        ("tracker.cli", "tracker.cli_catalog"),
        "the command line calls the library, never the reverse",
    ),
    ("tracker/access.py", ("tracker",), "every layer checks roles here, so it depends on none of them"),
    ("tracker/settings.py", ("tracker",), "every layer reads settings here, so it depends on none of them"),
    ("loaders/i18n.py", ("loaders", "tracker"), "every layer translates and formats here, so it depends on none"),
]

# What may sit at tracker/'s top level: the cross-cutting modules, the entry, and the packages of RULES.
TRACKER_TOP_LEVEL = {"__init__.py", "__main__.py", "access.py", "settings.py", "cli.py", "cli_catalog.py"}
TRACKER_TOP_LEVEL |= {"views", "figures", "documents", "records"}


def imported_modules(tree: ast.AST, package: str = "") -> set[str]:
    """Every module an ``import`` or ``from … import`` statement names, anywhere in the file.

    ``from a import b`` names ``a`` and ``a.b`` (``b`` may be a module: ``from tracker.records import
    store``). Relative imports are resolved against ``package``, the dotted name of the file's package;
    without it they are skipped.
    """
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            elif package:
                parts = package.split(".")
                base = ".".join([*parts[: len(parts) - node.level + 1], *filter(None, [node.module])])
            else:
                continue
            if base:
                names.add(base)
                names.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def package_of(path: Path) -> str:
    """The dotted name of the package a source file belongs to (``tracker/views/gaps.py`` -> ``tracker.views``)."""
    return ".".join(path.relative_to(ROOT).parent.parts)


def forbidden_imports(path: Path, source: str) -> list[str]:
    """Each import of ``source`` (the text of ``path``) that a rule of ``RULES`` forbids, with the rule's why."""
    relative = path.relative_to(ROOT).as_posix()
    modules = imported_modules(ast.parse(source), package_of(path))
    found = []
    for where, forbidden, why in RULES:
        if relative == where or relative.startswith(f"{where}/"):
            hits = sorted(m for m in modules for f in forbidden if m == f or m.startswith(f"{f}."))
            if hits:
                found.append(f"{relative} imports {', '.join(hits)}: {why}")
    return found


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

    assert imported_modules(ast.parse(source)) == {"streamlit", "streamlit.testing.v1", "streamlit.testing.v1.AppTest"}


def test_import_detection_resolves_relative_imports() -> None:
    source = "from . import gaps\nfrom ..records.store import Store\nfrom .. import documents\n"

    assert imported_modules(ast.parse(source), "tracker.views") == {
        "tracker.views",
        "tracker.views.gaps",
        "tracker.records.store",
        "tracker.records.store.Store",
        "tracker",
        "tracker.documents",
    }


@pytest.mark.parametrize("path", LIBRARY_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_layers(path: Path) -> None:
    assert forbidden_imports(path, path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tracker/views/gaps.py", "from tracker.records.store import Store"),
        ("tracker/views/gaps.py", "from ..documents import brief"),
        ("tracker/views/gaps.py", "from tracker.figures.palette import FONT"),
        ("tracker/figures/gaps.py", "from tracker.documents import exports"),
        ("tracker/figures/gaps.py", "import tracker.records.snapshots"),
        ("tracker/records/store.py", "from tracker.documents.exports import is_formula_like"),
        ("tracker/records/store.py", "from tracker.figures.status import base_layout"),
        ("tracker/documents/brief.py", "from tracker.cli import main"),
        ("tracker/access.py", "from tracker import settings"),
        ("tracker/settings.py", "from tracker.views.filters import Filters"),
        ("tracker/cli.py", "from ui.state import dataset_catalog"),
        ("tracker/records/journal.py", "def f():\n    from app_pages import submit\n"),
        ("tracker/views/filters.py", "import dashboard"),
        ("loaders/tables.py", "from tracker.records.member_yaml import member_yaml"),
    ],
)
def test_the_layer_rules_refuse_an_upward_import(module: str, source: str) -> None:
    assert forbidden_imports(ROOT / module, source)


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("tracker/figures/gaps.py", "from tracker.views.overview import NO_ACTION"),
        ("tracker/records/snapshots.py", "from tracker.views.filters import View, apply_filters"),
        ("tracker/documents/brief.py", "from tracker.records.snapshots import Snapshot\nfrom tracker import settings"),
        ("tracker/cli.py", "from tracker.records.store import Store\nfrom tracker.documents.brief import brief_html"),
        ("tracker/__main__.py", "from tracker.cli import main"),
    ],
)
def test_the_layer_rules_allow_a_downward_import(module: str, source: str) -> None:
    assert forbidden_imports(ROOT / module, source) == []


def test_every_rule_names_a_folder_or_file_that_exists() -> None:
    assert [where for where, _, _ in RULES if not (ROOT / where).exists()] == []


def test_tracker_top_level_holds_only_the_cross_cutting_modules_and_the_layers() -> None:
    tracker = ROOT / "tracker"
    entries = {p.name for p in tracker.glob("*.py")} | {p.parent.name for p in tracker.glob("*/__init__.py")}

    assert entries - TRACKER_TOP_LEVEL == set(), (
        "a new module goes in the package of its job (views, figures, documents, records); a new package "
        "gets its place in RULES and TRACKER_TOP_LEVEL (style.md, Layers)"
    )


def test_dashboard_declares_pages() -> None:
    assert len(declared_pages()) >= 5


@pytest.mark.parametrize("path", declared_pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_each_page_starts_with_a_one_line_docstring(path: Path) -> None:
    assert path.is_file(), f"dashboard.py declares {path.relative_to(ROOT)}, which does not exist"
    module = ast.parse(path.read_text(encoding="utf-8"))

    docstring = ast.get_docstring(module, clean=False)  # only set when it is the first statement

    assert docstring, f"{path.name} must start with a docstring saying which question the page answers"
    assert "\n" not in docstring.strip(), f"{path.name}: the docstring should be one line"
