"""Confidential actions reach no viewer: not their values, not their existence, not a count that includes them.

First the loader boundary (``loaders/disclosure.py``): which validation issues concern a confidential row, for
every rule and every invalid fixture. Then the pages: the *Method and data* page for a guest and a reviewer, and a
walk over every page as a guest, which must render exactly as it does for the same data without the confidential
rows (anything that differs is something the guest can read or infer about them).
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from loaders.catalog import Catalog
from loaders.dataset import Dataset, build_dataset, expand_paths
from loaders.disclosure import visible_issues
from loaders.fields import FIELD_NAMES
from loaders.issues import CONTRACT_KEYS, Issue
from loaders.tables import RawFile, read_member_file
from tests.make_fixtures import INVALID_DIR, TODAY
from tracker.filters import Filters, apply_filters
from tracker.method import files_table, issue_counts
from tracker.overview import headline

ROOT = Path(__file__).resolve().parent.parent
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
    assert viewer[["file", "actions", "errors", "warnings"]].values.tolist() == [["IDN.xlsx", 2, 1, 0]]
    shown = visible_issues(dataset.issues, can_see_confidential=False)
    assert issue_counts(shown) == (1, 0) and issue_counts(dataset.issues) == (2, 0)
    # The same figure as the viewer's headline "Actions reported" for the unfiltered data.
    view = apply_filters(dataset, Filters(), can_see_confidential=False)
    assert viewer["actions"].sum() == headline(view).actions
