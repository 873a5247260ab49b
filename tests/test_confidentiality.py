"""Confidential actions reach no viewer: not their values, not their existence, not a count that includes them.

First the loader boundary (``loaders/disclosure.py``): which validation issues concern a confidential row, for
every rule and every invalid fixture. Then the pages: the *Method and data* page for a guest and a reviewer, and a
walk over every page as a guest, which must render exactly as it does for the same data without the confidential
rows (anything that differs is something the guest can read or infer about them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
import yaml
from streamlit.testing.v1 import AppTest

from loaders.catalog import Catalog
from loaders.dataset import Dataset, build_dataset, expand_paths
from loaders.disclosure import visible_issues
from loaders.fields import FIELD_NAMES
from loaders.issues import CONTRACT_KEYS, Issue
from loaders.tables import RawFile, read_member_file
from tests import test_upload_page
from tests.chart_tables import open_chart_tables
from tests.make_fixtures import INVALID_DIR, TODAY
from tests.test_upload_page import (
    ANONYMOUS,
    REVIEWER,
    ROLES,
    SECRET_COMMITMENT,
    SECRET_ID,
    SECRET_TITLE,
    app,
    downloads,
    readable,
)
from tracker.views.filters import Filters, apply_filters
from tracker.views.method import files_table, issue_counts
from tracker.views.overview import headline

ROOT = Path(__file__).resolve().parent.parent
media = test_upload_page.media  # the fixture that lets a test fetch what a download button gives
PROBLEM_DIRS = sorted(p.name for p in INVALID_DIR.iterdir() if p.is_dir())
# What viewers get of each fixture's issues as it is (every other fixture: "public"). A file refused whole with a
# parser's own text in the message: a general form; a Confidential cell that is neither yes nor no: nothing.
FOR_VIEWERS = {
    "binary-csv": "generalised",
    "yaml-syntax": "generalised",
    "yaml-unsafe-tag": "generalised",
    "bad-confidential": "confidential",
}
NO = {"", "no", "n", "false", "0", False}


def rows_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    records = [{**{f: r.get(f) for f in FIELD_NAMES}, "_row": n + 2, "_extra": None} for n, r in enumerate(rows)]
    return pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]).astype(object)


def row(number: int | None, **values: Any) -> dict[str, Any]:
    """A valid IDN row; ``values`` override fields."""
    return {
        "action_id": None if number is None else f"IDN-{number:03d}",
        "member": "IDN",
        "commitments": "ASC-1",
        "title": f"Public action {number}",
        "status": "Limited",
        "last_updated": "2026-03-01",
        **values,
    }


def check(catalog: Catalog, rows: list[dict[str, Any]], name: str = "IDN.xlsx") -> Dataset:
    raw = RawFile(file=name, member="IDN", sheet="Actions", rows=rows_frame(rows))
    return build_dataset(catalog, [raw], today=TODAY)


def disclosures(issues: list[Issue]) -> dict[tuple[int | None, str | None, str], str]:
    return {(i.row, i.field, i.code): i.disclosure for i in issues}


# --- the loader boundary: which issues concern a confidential row --------------------------------------------


def test_issues_on_a_confidential_row_or_naming_one_are_for_reviewers_only(catalog):
    dataset = check(
        catalog,
        [
            row(1),  # row 2: valid and public
            row(2, status="Sealed status marker", last_updated="2031-12-25", confidential="yes"),  # row 3
            row(3, title="x" * 201, confidential="perhaps"),  # row 4: confidentiality unreadable: cautious
            row(4, commitments="ASC-99"),  # row 5: public, with an error
            row(7, confidential=True),  # row 6: confidential, first use of IDN-007
            row(7),  # row 7: public duplicate whose message names row 6
            row(8),  # row 8: public, first use of IDN-008
            row(8, confidential="Yes"),  # row 9: confidential duplicate
            row(10),  # row 10
            row(10, confidential="no"),  # row 11: public duplicate of a public row
        ],
    )

    assert disclosures(dataset.issues) == {
        (3, "status", "unknown-status"): "confidential",
        (3, "last_updated", "future-date"): "confidential",
        (4, "title", "title-too-long"): "confidential",
        (4, "confidential", "bad-confidential"): "confidential",
        (5, "commitments", "unknown-commitment"): "public",
        (7, "action_id", "duplicate-action-id"): "confidential",
        (9, "action_id", "duplicate-action-id"): "confidential",
        (11, "action_id", "duplicate-action-id"): "public",
    }
    shown = visible_issues(dataset.issues, can_see_confidential=False)
    assert [(i.row, i.code) for i in shown] == [(5, "unknown-commitment"), (11, "duplicate-action-id")]
    assert visible_issues(dataset.issues, can_see_confidential=True) == dataset.issues
    viewer_text = json.dumps([i.to_dict() for i in shown])
    for secret in ("Sealed status marker", "2031-12-25", "perhaps", "IDN-007", "IDN-008", "row 6", "row 9"):
        assert secret not in viewer_text


def test_a_yaml_key_outside_the_template_is_hidden_when_a_confidential_action_uses_it_first(catalog, member_file):
    actions = [
        row(1, confidential="yes", informant="Sealed marker"),  # lines 3-10: the key's first use
        row(2, informant="public text", budget=5),  # lines 11-18
    ]
    path = member_file("IDN.yaml", [{k: v for k, v in a.items() if v is not None} for a in actions])
    dataset = build_dataset(catalog, [read_member_file(path)], today=TODAY)

    assert {(i.row, i.code, i.message.split("'")[1]): i.disclosure for i in dataset.issues} == {
        (3, "unknown-column", "informant"): "confidential",
        (11, "unknown-column", "budget"): "public",
    }


def test_the_json_contract_has_exactly_its_keys(catalog, tmp_path):
    """``validate --json`` is for whoever holds the files: it keeps every issue, and no key beyond the contract."""
    (tmp_path / "IDN.yaml").write_text(
        yaml.safe_dump({"member": "IDN", "actions": [row(1, status="Sealed status marker", confidential=True)]}),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "validate", "--json", str(tmp_path / "IDN.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )

    assert done.returncode == 1, done.stderr
    (issue,) = json.loads(done.stdout)["issues"]
    assert tuple(issue) == CONTRACT_KEYS == ("severity", "code", "file", "sheet", "row", "field", "message")
    assert (issue["code"], '"Sealed status marker"' in issue["message"]) == ("unknown-status", True)


def _read(problem: str) -> tuple[list[Path], list[RawFile]]:
    paths = expand_paths(sorted(p for p in (INVALID_DIR / problem).iterdir() if p.is_file()))
    return paths, [read_member_file(p) for p in paths]


def _made_confidential(raw: RawFile) -> RawFile:
    """The same file with every row confidential (a Confidential cell that is not blank or no is kept)."""
    rows = raw.rows.copy()
    rows["confidential"] = ["yes" if pd.isna(v) or v in NO else v for v in rows["confidential"].astype(object)]
    return dataclasses.replace(raw, rows=rows)


@pytest.mark.parametrize("problem", PROBLEM_DIRS)
def test_each_invalid_fixture_tells_viewers_what_it_may(catalog, problem):
    paths, raws = _read(problem)

    public = build_dataset(catalog, raws, today=TODAY, paths=paths)
    secret = build_dataset(catalog, [_made_confidential(r) for r in raws], today=TODAY, paths=paths)

    def triples(issues: list[Issue]) -> list[tuple[Any, ...]]:
        return sorted(((i.file, i.row, i.field, i.code) for i in issues), key=repr)

    assert triples(secret.issues) == triples(public.issues), "marking never changes what is found"
    expected = FOR_VIEWERS.get(problem, "public")
    assert {i.disclosure for i in public.issues} == {expected}
    data_rows = {(r.file, int(n)) for r in raws for n in r.rows["_row"].dropna()}
    for issue in secret.issues:
        on_a_row = (issue.file, issue.row) in data_rows
        assert issue.disclosure == ("confidential" if on_a_row else expected), issue
    for_viewers = visible_issues(secret.issues, can_see_confidential=False)
    assert [i for i in for_viewers if (i.file, i.row) in data_rows] == []
    for issue in visible_issues(public.issues, can_see_confidential=False):
        if expected == "generalised":  # the file, the code and the severity; nothing of the message
            original = next(i for i in public.issues if i.code == issue.code)
            assert issue.row is None and issue.message.startswith(f"{issue.file}: a problem of the kind")
            assert original.message.split(": ", 1)[1] not in issue.message
        else:
            assert issue in public.issues


# --- the member files table and the counts beside the issues --------------------------------------------------


def test_a_viewer_counts_only_what_they_may_see_in_the_files_table(catalog):
    dataset = check(
        catalog,
        [
            row(1),  # public, valid
            row(2, confidential="yes"),  # confidential, valid
            row(3, status="Sealed status marker", confidential="yes"),  # confidential, with an error
            row(4, commitments="ASC-99"),  # public, with an error
            row(5),  # public, valid
        ],
    )

    reviewer = files_table(dataset, can_see_confidential=True)
    viewer = files_table(dataset, can_see_confidential=False)

    assert reviewer[["file", "rows", "actions", "errors", "warnings"]].values.tolist() == [["IDN.xlsx", 5, 3, 2, 0]]
    assert "rows" not in viewer.columns, "rows minus the actions shown would count the confidential ones"
    assert "modified" in reviewer.columns and "modified" not in viewer.columns, "a secret edit moves the file time"
    assert viewer[["file", "actions", "errors", "warnings"]].values.tolist() == [["IDN.xlsx", 2, 1, 0]]
    shown = visible_issues(dataset.issues, can_see_confidential=False)
    assert issue_counts(shown) == (1, 0) and issue_counts(dataset.issues) == (2, 0)
    # The same figure as the viewer's headline "Actions reported" for the unfiltered data.
    view = apply_filters(dataset, Filters(), can_see_confidential=False)
    assert viewer["actions"].sum() == headline(view).actions


# --- the pages: a guest sees nothing of the confidential rows --------------------------------------------------

SECRET_ERROR_ID = "THA-090"
# Values of the two confidential rows found nowhere else in the data: seen anywhere by a guest, they leaked.
SECRET_VALID = {  # a valid confidential action: the sample's THA-017, with its values replaced
    "title": SECRET_TITLE,
    "description": "Sealed description of the witness unit (marker)",
    "start_date": dt.date(2024, 2, 29),
    "due_date": dt.date(2027, 2, 28),
    "last_updated": dt.date(2026, 10, 31),
    "lead_agency": "Sealed lead agency (marker)",
    "evidence": "https://sealed.example/evidence-marker",
}
SECRET_INVALID = {  # a confidential action with errors: an unknown status, a date in the future
    "action_id": SECRET_ERROR_ID,
    "member": "THA",
    "commitments": ["ASC-6"],
    "title": "Sealed plan for a covert liaison office (marker)",
    "status": "Sealed status marker",
    "start_date": dt.date(2023, 2, 28),
    "due_date": dt.date(2031, 1, 31),
    "last_updated": dt.date(2031, 12, 25),
    "evidence": "https://sealed.example/error-evidence-marker",
    "confidential": True,
}
MARKERS = [
    SECRET_ID,
    SECRET_ERROR_ID,
    *(v for v in SECRET_VALID.values() if isinstance(v, str)),
    *(v for v in SECRET_INVALID.values() if isinstance(v, str) and v not in ("THA", SECRET_ERROR_ID)),
    *(f"{d:%Y-%m-%d}" for d in (*SECRET_VALID.values(), *SECRET_INVALID.values()) if isinstance(d, dt.date)),
]
FIXED_MTIME_NS = 1_790_000_000 * 10**9  # every member file alike, so "modified" never tells the two data sets apart


def write_data(directory: Path, *, secrets: bool) -> Path:
    """Part of the sample (THA, IDN, AUS) with, when ``secrets``, the two confidential THA rows last in THA.yaml.

    Without them the files are the same byte for byte up to those rows: the data set a guest must not be able
    to tell apart from the one with them.
    """
    directory.mkdir()
    for name in ("IDN.xlsx", "AUS.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, directory / name)
    document = yaml.safe_load((ROOT / "data" / "sample" / "THA.yaml").read_text(encoding="utf-8"))
    (valid,) = [a for a in document["actions"] if a.get("confidential")]
    assert valid["action_id"] == SECRET_ID
    document["actions"].remove(valid)
    if secrets:
        document["actions"] += [{**valid, **SECRET_VALID}, SECRET_INVALID]
    (directory / "THA.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    (directory / "_roles.yaml").write_text(ROLES, encoding="utf-8")
    for path in directory.iterdir():
        os.utime(path, ns=(FIXED_MTIME_NS, FIXED_MTIME_NS))
    return directory


@pytest.fixture
def with_secrets(tmp_path: Path) -> Path:
    return write_data(tmp_path / "with", secrets=True)


@pytest.fixture
def without_secrets(tmp_path: Path) -> Path:
    return write_data(tmp_path / "without", secrets=False)


def rendered(at: AppTest, data_dir: Path) -> str:
    """Every element the page rendered, as protobuf text (labels, values, tables, chart specs, options, …).

    What differs between two runs for reasons other than the data is blanked: the address of a file made
    on click, and the data directory's path.
    """
    parts = [str(node.proto) for node in at._tree if getattr(node, "proto", None) is not None]
    text = "\n".join(parts).replace(str(data_dir), "<data>")
    return re.sub(r'(deferred_file_id|url): "[^"]*"', r'\1: "…"', text)


def taken_away(at: AppTest, media: list[Any]) -> list[tuple[str, str]]:
    """(label, text) of every download the page offers, made as a click makes it (PDFs and workbooks as text)."""
    # When a workbook or PDF was made, and the random ids of a pack's chart elements, are not what it says.
    volatile = re.compile(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?|D:\d{14}|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
    )
    files = [(label, volatile.sub("<id>", readable(data))) for label, _, data in downloads(at, media)]
    return [(label, _svg_ids(text)) for label, text in files]


def _svg_ids(text: str) -> str:
    """A chart image's SVG names its parts after random ids (defs-4dc906, clip4dc906xy, p4dc906-legend-2bf491)."""
    for uid in re.findall(r'id="defs-(\w+)"', text):
        text = text.replace(uid, "<id>")
    return re.sub(r"(p<id>-(?:legend-)?)[0-9a-f]{6}", r"\1<id>", text)


PAGE_VISITS = {  # page -> how a guest gets to what the page shows about THA
    "overview": ("app_pages/overview.py", {}),
    "overview-tha": ("app_pages/overview.py", {"member": "THA"}),
    "progress": ("app_pages/progress.py", {"member": "THA"}),
    "gaps": ("app_pages/gaps.py", {}),
    "overlap": ("app_pages/overlap.py", {"member": "THA"}),
    "member": ("app_pages/member.py", {"m": "THA"}),
    "method": ("app_pages/method.py", {}),
    "exports": ("app_pages/exports.py", {"member": "THA"}),
    "submit": ("app_pages/submit.py", {}),
    "themes": ("app_pages/themes.py", {"member": "THA", "theme_page": "victim-centred-protection"}),
    "compare": ("app_pages/compare.py", {"cmp_members": "IDN,THA"}),
}
# The confidential action cites BWP-A, which carries no theme: the Themes page is the same for a reviewer with or
# without it, so only the guest's walk is checked there.
NO_SECRET_ON_PAGE = {"themes"}


def walk(
    user: dict[str, Any],
    visit: str,
    data_dir: Path,
    media: list[Any],
    monkeypatch,
    *,
    images: bool = True,
    fresh: bool = True,
) -> str:
    """All a user sees and can download on one page (after its THA selections), as one text.

    ``images``: also make the chart images of the exports page (Chromium, a few seconds). ``fresh``: start with
    empty caches (the default); without, the walk finds what earlier sessions left, as a server's next visitor.
    """
    monkeypatch.setenv("TRACKER_DATA_DIR", str(data_dir))
    if fresh:
        st.cache_data.clear()
        st.cache_resource.clear()
    page, query = PAGE_VISITS[visit]
    at = app(user, page, query=query)
    if visit == "gaps":
        at.selectbox(key="gaps_member").select("THA").run()
        at.selectbox(key="gaps_commitment").select(SECRET_COMMITMENT).run()
    if visit == "submit":
        at.selectbox(key="submit_member").select("THA").run()
    if visit == "exports" and images:
        at.button(key="exports_make_images").click().run()
    open_chart_tables(at)  # every chart's table and its CSV, as a reader opening them
    assert not at.exception, at.exception
    files = "\n".join(f"--- {label}\n{text}" for label, text in taken_away(at, media))
    return f"{rendered(at, data_dir)}\n=== downloads\n{files}"


@pytest.mark.parametrize("visit", PAGE_VISITS)
def test_a_guest_sees_nothing_of_confidential_actions_on_any_page(
    with_secrets, without_secrets, media, monkeypatch, visit
):
    guest = walk(ANONYMOUS, visit, with_secrets, media, monkeypatch)
    baseline = walk(ANONYMOUS, visit, without_secrets, media, monkeypatch)

    leaked = [marker for marker in MARKERS if marker in guest]
    assert not leaked, f"{visit} shows a guest {leaked}"
    assert not [marker for marker in MARKERS if marker in baseline], "the markers must be unique to the secrets"
    # Not even a count: the page is what it would be if the confidential rows did not exist.
    assert guest.splitlines() == baseline.splitlines()


@pytest.mark.parametrize("visit", ["overview", "overview-tha", "progress", "gaps", "member"])
def test_what_a_reviewer_computed_is_never_shown_to_a_guest_after_them(
    with_secrets, without_secrets, media, monkeypatch, visit
):
    """The pages share what they compute across sessions (ui.state.shared): a reviewer opens the page first, then a
    guest opens it on the same server (caches warm, same data, same filters). The guest's page is still the page
    of a data set without the confidential rows."""
    baseline = walk(ANONYMOUS, visit, without_secrets, media, monkeypatch, images=False)
    reviewer = walk(REVIEWER, visit, with_secrets, media, monkeypatch, images=False)
    guest = walk(ANONYMOUS, visit, with_secrets, media, monkeypatch, images=False, fresh=False)
    again = walk(ANONYMOUS, visit, with_secrets, media, monkeypatch, images=False, fresh=False)

    assert reviewer != guest  # the reviewer's page did hold them
    assert [marker for marker in MARKERS if marker in guest] == []
    assert guest.splitlines() == baseline.splitlines() == again.splitlines()


@pytest.mark.parametrize("visit", [v for v in PAGE_VISITS if v not in NO_SECRET_ON_PAGE])
def test_a_reviewer_sees_the_confidential_actions_on_every_page(
    with_secrets, without_secrets, media, monkeypatch, visit
):
    """The guest's walk compares pages that do change with the confidential rows: for a reviewer they do."""
    reviewer = walk(REVIEWER, visit, with_secrets, media, monkeypatch, images=False)
    baseline = walk(REVIEWER, visit, without_secrets, media, monkeypatch, images=False)

    assert reviewer != baseline
    if visit in ("gaps", "member", "exports", "submit"):  # pages listing actions by title, or a download that does
        assert SECRET_TITLE in reviewer
    if visit == "method":
        assert '\\"Sealed status marker\\" is not on the scale' in reviewer


def test_every_page_a_guest_can_open_is_walked():
    """A new page is added to PAGE_VISITS, or this fails: the walk above is the leak check of every page."""
    declared = re.findall(r'st\.Page\("(app_pages/\w+\.py)"', (ROOT / "dashboard.py").read_text(encoding="utf-8"))
    reviewers_only = {"app_pages/review.py", "app_pages/round.py"}
    assert set(declared) - reviewers_only == {page for page, _ in PAGE_VISITS.values()}


def test_the_method_page_counts_and_lists_for_each_role_what_it_may_see(with_secrets, media, monkeypatch):
    monkeypatch.setenv("TRACKER_DATA_DIR", str(with_secrets))
    st.cache_resource.clear()
    guest = app(ANONYMOUS, "app_pages/method.py")
    reviewer = app(REVIEWER, "app_pages/method.py")

    def caption(at: AppTest) -> str:
        return next(c.value for c in at.caption if "member file(s)" in c.value).split(".")[0]

    assert caption(guest) == "0 error(s) and 0 warning(s) in 3 member file(s)"
    assert [s.value for s in guest.success] == ["No issues in what you can see."]
    assert caption(reviewer) == "2 error(s) and 0 warning(s) in 3 member file(s)"
    issues = next(d.value for d in reviewer.dataframe if "code" in d.value.columns)
    assert issues[["file", "field", "code"]].values.tolist() == [
        ["THA.yaml", "last_updated", "future-date"],
        ["THA.yaml", "status", "unknown-status"],
    ]
    (_, _, csv), *_ = downloads(reviewer, media)
    assert "Sealed status marker" in readable(csv)
    guest_files = next(d.value for d in guest.dataframe if "actions" in d.value.columns)
    reviewer_files = next(d.value for d in reviewer.dataframe if "actions" in d.value.columns)
    assert "rows" not in guest_files.columns and "rows" in reviewer_files.columns
    tha = {"guest": guest_files, "reviewer": reviewer_files}
    actions = {who: int(frame.set_index("file").loc["THA.yaml", "actions"]) for who, frame in tha.items()}
    assert actions["reviewer"] == actions["guest"] + 1, "the valid confidential action counts for reviewers only"


def test_a_viewer_reads_a_generalised_issue_as_which_file_which_sheet_which_kind_and_where_to_see_it():
    issue = Issue(
        "error",
        "bad-date",
        "IDN.xlsx",
        "Actions",
        14,
        "due_date",
        "row 14: '31/02/2026' is not a date",
        disclosure="generalised",
    )

    (general,) = visible_issues([issue], can_see_confidential=False)

    assert (general.row, general.field, general.code, general.sheet) == (None, "due_date", "bad-date", "Actions")
    assert general.message == (
        "IDN.xlsx, sheet Actions: a problem of the kind 'bad-date'. Its detail can quote the file's content, so only "
        "reviewers see it here; the member's focal point sees it by checking the file on Submit an update"
    )
    assert visible_issues([issue], can_see_confidential=True) == [issue]
