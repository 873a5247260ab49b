"""Importing an official framework matrix (issue 13 §3): reading and checking the matrix, and the plan.

The matrix fixtures are built here, cell by cell, from the bundled catalog's Bohol entries, so each test changes
one thing and states the exact issue (file, sheet, row, field, message) or plan it expects.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import openpyxl
import pytest

from loaders.catalog import Catalog
from loaders.matrix import read_matrix
from tests.builders import action, dataset_of
from tracker.records.catalog_import import citations, plan_import, read_remap

HEADER = ["ID", "Parent", "Title", "Summary", "Source"]


def workbook(rows: Sequence[Sequence[object]], *, title_rows: Sequence[Sequence[object]] = (), sheet="Matrix") -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in [*title_rows, *rows]:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def bohol_rows(catalog: Catalog) -> list[list[object]]:
    """The catalog's Bohol entries as a matrix's rows (what an unchanged import would hold)."""
    return [
        [c.id, c.parent or "", c.title, c.summary, f"BWP 2.0 matrix, {c.id}"] for c in catalog.commitments_of("BWP")
    ]


def issues_of(matrix) -> list[tuple]:
    return [(i.code, i.sheet, i.row, i.field, i.message) for i in matrix.issues]


# --- reading the matrix ------------------------------------------------------------------------------------


def test_a_matrix_below_title_rows_reads_every_entry(catalog: Catalog) -> None:
    rows = bohol_rows(catalog)
    data = workbook([HEADER, *rows], title_rows=[["ASEAN Multi-Sectoral Work Plan Against TIP 2023-2028"], []])

    matrix = read_matrix("BWP-2.0.xlsx", data, "BWP")

    assert matrix.ok and matrix.issues == []
    assert matrix.ids == [c.id for c in catalog.commitments_of("BWP")]
    first = matrix.rows[0]
    assert (first.id, first.parent, first.title, first.row) == ("BWP-A", None, "Prevention", 4)
    item = next(r for r in matrix.rows if r.id == "BWP-A.1")
    assert (item.parent, item.source) == ("BWP-A", "BWP 2.0 matrix, BWP-A.1")


def test_headers_match_in_any_case_and_spacing_and_blank_rows_are_skipped() -> None:
    data = workbook(
        [
            ["id", " PARENT ", "title", "summary", "source"],
            ["BWP-A", None, "Prevention", "", ""],
            [],
            ["BWP-A.1", "BWP-A", "Awareness", "s", "p. 4"],
        ]
    )

    matrix = read_matrix("m.xlsx", data, "BWP")

    assert matrix.ok
    assert [(r.id, r.row) for r in matrix.rows] == [("BWP-A", 2), ("BWP-A.1", 4)]


def test_a_missing_column_is_named() -> None:
    data = workbook([["ID", "Parent", "Title", "Source"], ["BWP-A", None, "Prevention", ""]])

    matrix = read_matrix("m.xlsx", data, "BWP")

    assert issues_of(matrix) == [
        (
            "matrix-missing-column",
            "Matrix",
            None,
            "summary",
            "m.xlsx, sheet Matrix: no row among the first 10 holds every column of a framework matrix; the column "
            "'Summary' is missing. Add a header row with ID, Parent, Title, Summary and Source",
        )
    ]
    assert matrix.rows == [] and not matrix.ok


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param(
            [["BWP-A", None, "Prevention", "", ""], ["BWP-A", None, "Protection", "", ""]],
            (
                "matrix-duplicate-id",
                3,
                "id",
                "m.xlsx, sheet Matrix, row 3, ID: 'BWP-A' is used twice (first in row 2); give each entry its own id",
            ),
            id="duplicate-id",
        ),
        pytest.param(
            [["BWP-A", None, "Prevention", "", ""], ["BWP-B.1", "BWP-B", "Identification", "", ""]],
            (
                "matrix-bad-parent",
                3,
                "parent",
                "m.xlsx, sheet Matrix, row 3, Parent: 'BWP-B' is not a top-level entry "
                "(one with no Parent) of this matrix; correct the Parent",
            ),
            id="parent-that-does-not-exist",
        ),
        pytest.param(
            [["BWP-A", None, "Prevention", "", ""], ["ASC-1.1", "BWP-A", "Joint periods", "", ""]],
            (
                "matrix-bad-id",
                3,
                "id",
                "m.xlsx, sheet Matrix, row 3, ID: 'ASC-1.1' is not an id of framework BWP; its "
                "ids look like BWP-A (top level) or BWP-A.3 (an item under BWP-A)",
            ),
            id="id-of-another-framework",
        ),
        pytest.param(
            [["BWP-A", None, "Prevention", "", ""], ["BWP-B.1", "BWP-A", "Identification", "", ""]],
            (
                "matrix-bad-parent",
                3,
                "parent",
                "m.xlsx, sheet Matrix, row 3, Parent: 'BWP-B.1' does not continue its "
                "Parent 'BWP-A'; an item under it is BWP-A.1, …",
            ),
            id="item-under-another-pillar",
        ),
        pytest.param(
            [["BWP-A.1", None, "Awareness", "", ""]],
            (
                "matrix-bad-parent",
                2,
                "parent",
                "m.xlsx, sheet Matrix, row 2, Parent: 'BWP-A.1' is an item id but has no "
                "Parent; give the top-level entry it belongs to",
            ),
            id="item-without-parent",
        ),
        pytest.param(
            [["BWP-A", None, "", "", ""]],
            (
                "matrix-missing-value",
                2,
                "title",
                "m.xlsx, sheet Matrix, row 2, Title: the Title is empty; every entry needs one",
            ),
            id="missing-title",
        ),
        pytest.param(
            [[None, None, "Prevention", "", ""]],
            (
                "matrix-missing-value",
                2,
                "id",
                "m.xlsx, sheet Matrix, row 2, ID: the ID is empty; every entry needs one",
            ),
            id="missing-id",
        ),
    ],
)
def test_a_bad_matrix_row_is_refused_by_its_cell(rows, expected) -> None:
    matrix = read_matrix("m.xlsx", workbook([HEADER, *rows]), "BWP")

    assert not matrix.ok
    code, row, column, message = expected
    assert (code, "Matrix", row, column, message) in issues_of(matrix)
    assert row not in [r.row for r in matrix.rows]  # the bad row is left out


def test_a_csv_matrix_and_a_refused_file() -> None:
    csv = b"ID,Parent,Title,Summary,Source\r\nBWP-A,,Prevention,,\r\n"

    assert read_matrix("m.csv", csv, "BWP").ids == ["BWP-A"]
    macro = read_matrix("m.xlsm", b"PK", "BWP")
    assert [i.code for i in macro.issues] == ["macro-workbook-refused"] and not macro.ok
    assert [i.code for i in read_matrix("m.yaml", b"a: 1", "BWP").issues] == ["unsupported-format"]


def test_a_matrix_with_only_a_header_says_it_is_empty() -> None:
    matrix = read_matrix("m.xlsx", workbook([HEADER]), "BWP")

    assert issues_of(matrix) == [
        ("matrix-empty", "Matrix", None, None, "m.xlsx, sheet Matrix: the matrix has a header row but no entries")
    ]


# --- the plan ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cited(catalog: Catalog):
    rows = [
        action("IDN", 1, "BWP-B.3", "limited"),
        action("IDN", 2, "BWP-B.3; BWP-A.1", "limited", confidential="yes"),  # confidential ones count too
        action("THA", 1, "BWP-B.3", "limited"),
        action("THA", 2, "ASC-1", "limited"),
    ]
    return citations(dataset_of(catalog, rows))


def test_an_unchanged_matrix_changes_nothing(catalog: Catalog, cited) -> None:
    matrix = read_matrix("m.xlsx", workbook([HEADER, *bohol_rows(catalog)]), "BWP")

    plan = plan_import(catalog, matrix, cited)

    assert plan.ok and not plan.changes_anything
    assert (plan.added, plan.retitled, plan.removed, plan.repointed) == ([], [], [], {})


def test_a_clean_import_adds_and_retitles(catalog: Catalog, cited) -> None:
    rows = bohol_rows(catalog)
    rows[next(i for i, r in enumerate(rows) if r[0] == "BWP-A.2")][2] = "Address root causes of vulnerability"
    rows.append(["BWP-D.4", "BWP-D", "Monitoring, evaluation, reporting and learning", "The MERL framework.", "p. 30"])

    plan = plan_import(catalog, read_matrix("m.xlsx", workbook([HEADER, *rows]), "BWP"), cited)

    assert plan.ok and plan.changes_anything
    assert plan.added == ["BWP-D.4"] and plan.removed == []
    assert [(r.id, r.old_title, r.new_title) for r in plan.retitled] == [
        ("BWP-A.2", "Reduce vulnerability to trafficking", "Address root causes of vulnerability")
    ]


def test_removing_a_cited_id_without_a_remap_is_refused(catalog: Catalog, cited) -> None:
    rows = [r for r in bohol_rows(catalog) if r[0] != "BWP-B.3"]

    plan = plan_import(catalog, read_matrix("m.xlsx", workbook([HEADER, *rows]), "BWP"), cited, remap_file="MAP.csv")

    assert not plan.ok
    assert plan.removed == ["BWP-B.3"]
    assert [(i.code, i.file, i.field, i.message) for i in plan.issues] == [
        (
            "import-removes-cited-id",
            "m.xlsx",
            "id",
            "m.xlsx: the matrix has no 'BWP-B.3', which 3 action(s) still cite (members IDN, THA); add a row "
            "'BWP-B.3,<new id>' to MAP.csv so they are re-pointed, or keep the id in the matrix",
        )
    ]


def test_a_remap_re_points_the_actions_that_cite_a_removed_id(catalog: Catalog, cited) -> None:
    rows = [r for r in bohol_rows(catalog) if r[0] != "BWP-B.3"]

    plan = plan_import(catalog, read_matrix("m.xlsx", workbook([HEADER, *rows]), "BWP"), cited, {"BWP-B.3": "BWP-B.2"})

    assert plan.ok, plan.issues
    assert plan.repointed == {"IDN": 2, "THA": 1}  # actions, not citations: IDN-002 cites BWP-B.3 once


def test_a_remap_must_name_a_removed_id_and_a_new_one(catalog: Catalog, cited) -> None:
    rows = [r for r in bohol_rows(catalog) if r[0] != "BWP-B.3"]
    matrix = read_matrix("m.xlsx", workbook([HEADER, *rows]), "BWP")

    plan = plan_import(catalog, matrix, cited, {"BWP-B.3": "BWP-B.9", "BWP-A.1": "BWP-A.2"}, remap_file="MAP.csv")

    assert [(i.code, i.message) for i in plan.issues if i.code.startswith("remap")] == [
        (
            "remap-unknown-target",
            "MAP.csv: 'BWP-B.3' is remapped to 'BWP-B.9', which is not in the matrix; remap it "
            "to one of the matrix's ids",
        ),
        ("remap-not-removed", "MAP.csv: 'BWP-A.1' is not an id this import removes; only removed ids are remapped"),
    ]
    assert not plan.ok


def test_an_unknown_framework_is_refused(catalog: Catalog, cited) -> None:
    plan = plan_import(catalog, read_matrix("m.xlsx", workbook([HEADER, ["XYZ-A", None, "A", "", ""]]), "XYZ"), cited)

    assert [i.message for i in plan.issues] == ["m.xlsx: 'XYZ' is not a framework of the catalog; use one of ASC, BWP"]


def test_the_remap_table_is_read_with_cell_level_messages() -> None:
    data = b"old_id,new_id\r\nBWP-B.3,BWP-B.2\r\n,\r\nBWP-B.4,\r\nBWP-B.3,BWP-B.1\r\n"

    remap, issues = read_remap("MAP.csv", data)

    assert remap == {"BWP-B.3": "BWP-B.2"}
    assert [(i.code, i.row, i.field, i.message) for i in issues] == [
        ("remap-missing-value", 4, "new_id", "MAP.csv, row 4, new_id: empty; give both ids"),
        ("remap-duplicate-id", 5, "old_id", "MAP.csv, row 5, old_id: 'BWP-B.3' is remapped twice; keep one row"),
    ]
    assert [i.code for i in read_remap("MAP.csv", b"from,to\r\na,b\r\n")[1]] == ["remap-missing-column"]
