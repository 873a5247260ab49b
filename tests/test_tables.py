"""Reading member files (``loaders.tables``, ``loaders.dataset``, ``loaders.members``).

How files are found, which sheet and header row are used, how columns are
matched, and how each kind of bad file is refused with an issue instead of an
exception. Value rules are in ``test_actions.py``; the parametrised walk over
``tests/data/invalid/`` is there too.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from loaders import content, limits, safe_yaml, tables
from loaders.catalog import Catalog
from loaders.dataset import Dataset, expand_paths, load_dataset, member_files
from loaders.fields import HEADER_SEARCH_ROWS, LABELS, REQUIRED
from loaders.members import member_file_path, parse_member_id
from loaders.package import OLE_MAGIC
from loaders.tables import MAX_FILE_BYTES, MAX_UNZIPPED_BYTES, RawFile, read_member_bytes, read_member_file
from tests.make_fixtures import (
    DATA_DIR,
    HEADER,
    INVALID_DIR,
    LIBREOFFICE_VARIANTS,
    ROOT,
    TODAY,
    VALID_DIR,
    grid,
    main,
    valid_row,
    write_workbook,
    write_xlsx,
)

Check = Callable[..., Dataset]
MemberFile = Callable[..., Path]

# The contract fields as the valid set holds them (see tests/make_fixtures.py, VALID_ROWS).
EXPECTED_ACTIONS = pd.DataFrame(
    {
        "action_id": ["IDN-001", None, "IDN-007"],
        "member": ["IDN", "IDN", "IDN"],
        "commitments": ["ASC-1; BWP-B.3", "ASC-6.2", "ASC-CM; BWP-D"],
        "title": [
            "Joint investigations with the Royal Thai Police",
            "2024",
            "Consultation Mechanism focal point named",
        ],
        "description": ["Two joint operations on the Kalimantan border – “Operasi Bersama”", None, None],
        "status": ["complete", "substantial", "not_started"],
        "start_date": pd.to_datetime(["2023-07-01", "2024-02-01", None]).astype("datetime64[us]"),
        "due_date": pd.to_datetime(["2024-06-30", "2025-12-31", None]).astype("datetime64[us]"),
        "last_updated": pd.to_datetime(["2024-03-15", "2024-03-01", "2024-03-01"]).astype("datetime64[us]"),
        "lead_agency": ["Bareskrim POLRI", "Kementerian Sosial", None],
        "asean_mechanisms": ["ACTIP; SOMTC-WG-TIP", None, "SOMTC"],
        "evidence": ["https://example.org/idn/joint-operations.pdf", "MoU 12/2024 (KEMLU archive)", None],
        "origin": ["new", "pre-existing", None],
        "confidential": [False, True, False],
        "notes": [None, "Partners: ສປປ ລາວ, ไทย", "Follow up at SOMTC"],
    }
)
TEXT_COLUMNS = ["action_id", "member", "commitments", "title", "description", "status", "lead_agency"]
TEXT_COLUMNS += ["asean_mechanisms", "evidence", "origin", "notes"]
VALID_VARIANTS = sorted(p.name for p in VALID_DIR.iterdir() if p.is_dir())
SPREADSHEET_VARIANTS = [v for v in VALID_VARIANTS if v != "yaml"]


def _only_file(directory: Path) -> Path:
    (path,) = [p for p in directory.iterdir() if p.is_file()]
    return path


def _workbook(tmp_path: Path, sheets: dict[str, list[list[object]]], hidden: tuple[str, ...] = ()) -> bytes:
    """The bytes of an openpyxl workbook (an upload), sheets in the given order."""
    return write_workbook(tmp_path / "IDN.xlsx", sheets, hidden).read_bytes()


def _codes(raw: RawFile) -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.field, i.code) for i in raw.issues]


# --- files written by other tools read to the same records -----------------------------------


def test_valid_set_has_every_writer() -> None:
    assert set(VALID_VARIANTS) >= {"openpyxl", "csv-comma", "csv-semicolon", "yaml", *LIBREOFFICE_VARIANTS}


@pytest.mark.parametrize("variant", VALID_VARIANTS)
def test_every_writer_reads_to_the_same_actions(variant: str, check: Check) -> None:
    dataset = check(_only_file(VALID_DIR / variant))

    assert [(i.row, i.field, i.code) for i in dataset.issues] == [
        (5 if variant == "yaml" else 4, None, "unknown-column")
    ]
    actions = dataset.actions[list(EXPECTED_ACTIONS.columns)]
    expected = EXPECTED_ACTIONS.copy()
    expected[TEXT_COLUMNS] = expected[TEXT_COLUMNS].astype("str")
    pd.testing.assert_frame_equal(actions, expected, check_dtype=True)
    extras = [None if pd.isna(e) else json.loads(e) for e in dataset.actions["extra"]]
    assert extras == [{"Focal point": "Dewi Lestari"}, None, {"Focal point": "Budi"}]


@pytest.mark.parametrize("variant", SPREADSHEET_VARIANTS)
def test_spreadsheet_rows_are_the_rows_excel_shows(variant: str, check: Check) -> None:
    # Header on row 4 under two title rows and a blank row; blank row 6 is skipped.
    dataset = check(_only_file(VALID_DIR / variant))

    assert dataset.actions["source_row"].tolist() == [5, 7, 8]


def test_yaml_rows_are_the_lines_each_action_starts_on(check: Check) -> None:
    dataset = check(VALID_DIR / "yaml" / "IDN.yaml")

    assert dataset.actions["source_row"].tolist() == [5, 20, 31]
    text = (VALID_DIR / "yaml" / "IDN.yaml").read_text(encoding="utf-8").splitlines()
    assert [text[n - 1].strip()[:2] for n in (5, 20, 31)] == ["- "] * 3


@pytest.mark.parametrize("variant", LIBREOFFICE_VARIANTS)
def test_libreoffice_fixtures_were_written_by_libreoffice(variant: str) -> None:
    # Guards against the committed files being replaced by openpyxl copies, which
    # would silently drop the "written by another tool" coverage.
    data = _only_file(VALID_DIR / variant).read_bytes()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            meta = "meta.xml" if "meta.xml" in archive.namelist() else "docProps/app.xml"
            assert b"LibreOffice" in archive.read(meta)
    else:
        assert data.startswith(OLE_MAGIC)  # BIFF8 .xls in a compound file


def test_password_protected_fixture_is_a_real_encrypted_workbook() -> None:
    data = (INVALID_DIR / "password-protected" / "IDN.xlsx").read_bytes()

    assert data.startswith(OLE_MAGIC)
    assert "EncryptedPackage".encode("utf-16-le") in data
    assert "EncryptionInfo".encode("utf-16-le") in data


def test_committed_fixtures_are_what_make_fixtures_builds(tmp_path: Path) -> None:
    assert main(["--no-libreoffice", "--out", str(tmp_path)]) == 0

    built = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert built, "make_fixtures wrote nothing"
    stale = [str(p) for p in built if (DATA_DIR / p).read_bytes() != (tmp_path / p).read_bytes()]
    assert stale == [], "run .venv/bin/python tests/make_fixtures.py and commit the result"


# --- finding the header ----------------------------------------------------------------------


def test_header_is_found_on_the_last_searched_row(member_file: MemberFile, check: Check) -> None:
    notes = [[f"Note {n}"] for n in range(1, HEADER_SEARCH_ROWS)]
    path = member_file("IDN.xlsx", [valid_row()], preamble=notes)

    dataset = check(path)

    assert dataset.issues == []
    assert dataset.actions["source_row"].tolist() == [HEADER_SEARCH_ROWS + 1]


def test_rows_keep_their_excel_numbers_below_blank_rows_and_beside_blank_columns(
    member_file: MemberFile, check: Check
) -> None:
    # Blank rows above the table and a blank column A: calamine must not trim them, or row numbers would shift.
    path = member_file(
        "IDN.xlsx", [[None, *valid_row(status="Almost").values()]], header=[None, *valid_row()], preamble=[[], []]
    )

    dataset = check(path)

    assert [(i.row, i.field, i.code) for i in dataset.issues] == [(4, "status", "unknown-status")]
    assert "row 4" in dataset.issues[0].message


@pytest.mark.parametrize(
    "header",
    [
        pytest.param(["ACTION_ID", "MEMBER", "Commitment-IDs", "action title", "STATUS", "Last Updated"], id="labels"),
        pytest.param(["action_id", "member", "commitments", "title", "status", "last_updated"], id="field-names"),
        pytest.param(
            [" Action ID ", "member:", "commitment ids", "Action-Title", "status.", "last-updated"], id="punct"
        ),
        pytest.param(["action id", "Member", "COMMITMENT_IDS", "ACTIONTITLE", " Status", "LastUpdated"], id="squeezed"),
    ],
)
def test_headers_match_by_label_or_name_ignoring_case_spaces_and_punctuation(
    header: list[str], member_file: MemberFile, check: Check
) -> None:
    row = [" idn-014", "IDN", "ASC-1", "Border liaison offices", "Limited", "2024-03-01"]
    path = member_file("IDN.xlsx", [row], header=header)

    dataset = check(path)

    assert dataset.issues == []
    assert dataset.actions.loc[0, ["action_id", "member", "commitments", "status"]].tolist() == [
        "IDN-014",
        "IDN",
        "ASC-1",
        "limited",
    ]


def test_no_header_row_names_each_missing_required_column(member_file: MemberFile) -> None:
    path = member_file("IDN.xlsx", [["IDN", "ASC-1"]], header=["Member", "Commitment IDs", "Owner"])

    raw = read_member_file(path)

    assert _codes(raw) == [(None, f, "missing-column") for f in REQUIRED if f not in ("member", "commitments")]
    for issue in raw.issues:
        assert issue.file in issue.message
        assert LABELS[issue.field or ""] in issue.message
    assert raw.rows.empty


def test_empty_sheet_reports_every_required_column(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "IDN.xlsx", {"Actions": []})

    assert _codes(read_member_file(path)) == [(None, f, "missing-column") for f in REQUIRED]


# --- rows and columns ------------------------------------------------------------------------


def test_blank_rows_are_skipped_and_later_rows_keep_their_excel_numbers(member_file: MemberFile, check: Check) -> None:
    blank_with_spaces = {"title": "   ", "notes": ""}
    path = member_file("IDN.xlsx", [None, valid_row(), None, None, blank_with_spaces, valid_row(title="Later")])

    dataset = check(path)

    assert dataset.issues == []
    assert dataset.actions["source_row"].tolist() == [3, 7]


def test_unknown_column_is_kept_aside_with_a_warning(member_file: MemberFile, check: Check) -> None:
    row = valid_row(**{"Focal point": "Dewi Lestari", "Budget (USD)": 12000})
    path = member_file("IDN.xlsx", [row], header=[*HEADER, "Focal point", "Budget (USD)"])

    dataset = check(path)

    assert [(i.severity, i.row, i.code) for i in dataset.issues] == [("warning", 1, "unknown-column")] * 2
    assert "'Focal point' (column P)" in dataset.issues[0].message
    assert json.loads(dataset.actions.loc[0, "extra"]) == {"Focal point": "Dewi Lestari", "Budget (USD)": 12000}


def test_repeated_unknown_header_keeps_both_columns(member_file: MemberFile, check: Check) -> None:
    cells = [*(valid_row().get(f) for f in ("action_id", "member", "commitments", "title")), "first", "second"]
    header = ["Action ID", "Member", "Commitment IDs", "Action title", "Remark", "Remark", "Status", "Last updated"]
    path = member_file("IDN.xlsx", [[*cells, "Limited", "2024-03-01"]], header=header)

    dataset = check(path)

    assert json.loads(dataset.actions.loc[0, "extra"]) == {"Remark": "first", "Remark (column F)": "second"}


def test_values_under_a_blank_header_are_kept_with_a_warning(member_file: MemberFile, check: Check) -> None:
    header = ["Member", "Commitment IDs", "Action title", "Status", "Last updated"]
    row = ["IDN", "ASC-1", "Border liaison offices", "Limited", "2024-03-01", None, "see annex B"]
    path = member_file("IDN.xlsx", [row], header=header)

    dataset = check(path)

    assert [(i.row, i.code) for i in dataset.issues] == [(1, "unknown-column")]
    assert "column G" in dataset.issues[0].message
    assert json.loads(dataset.actions.loc[0, "extra"]) == {"column G": "see annex B"}


def test_duplicate_column_uses_the_first_and_reports_both_letters(member_file: MemberFile) -> None:
    path = member_file("IDN.xlsx", [valid_row()], header=[*HEADER, "STATUS"])

    raw = read_member_file(path)

    assert _codes(raw) == [(1, "status", "duplicate-column")]
    assert "columns F and P" in raw.issues[0].message
    assert raw.rows["status"].tolist() == ["Limited"]


def test_rows_hold_raw_values_under_field_names(member_file: MemberFile) -> None:
    path = member_file("IDN.xlsx", [valid_row(title=2024, start_date=dt.date(2024, 3, 1))])

    rows = read_member_file(path).rows

    assert list(rows.columns) == [*LABELS, "_row", "_extra"]
    assert rows.loc[0, "title"] in (2024, 2024.0)  # typed by the reader; made text by the validator
    assert pd.Timestamp(rows.loc[0, "start_date"]) == pd.Timestamp("2024-03-01")  # a date cell, not text


def test_illustrative_mark_above_the_header_is_noticed(member_file: MemberFile) -> None:
    marked = member_file("IDN.xlsx", [valid_row()], preamble=[["ILLUSTRATIVE sample data, not real reporting"]])
    plain = member_file("THA.xlsx", [valid_row(member="THA")], preamble=[["Thailand"]])

    assert read_member_file(marked).illustrative
    assert not read_member_file(plain).illustrative


def test_yaml_illustrative_flag_and_member_inheritance(member_file: MemberFile) -> None:
    text = "illustrative: true\nmember: IDN\nactions:\n  - title: A\n"
    path = member_file("IDN.yaml", [])
    path.write_text(text, encoding="utf-8")

    raw = read_member_file(path)

    assert raw.illustrative
    assert raw.rows["member"].tolist() == ["IDN"]  # rows inherit the file's member
    assert (raw.declared_member, raw.declared_member_line) == ("IDN", 1)


@pytest.mark.parametrize(
    ("line", "expected", "warned"),
    [
        ("public_record: 2026-11-30\n", dt.date(2026, 11, 30), None),
        ("", None, None),
        ("public_record:\n", None, None),  # blank: not the public record, and nothing to say
        ("public_record: yes\n", None, "'True'"),
        ("public_record: 2026-11-30 10:00:00\n", None, "'2026-11-30 10:00:00'"),  # a time: not a day
        (f"public_record: '{'x' * 60}'\n", None, "'" + "x" * 40 + "'"),
    ],
)
def test_yaml_public_record_is_the_day_its_sources_were_read(
    member_file: MemberFile, line: str, expected: dt.date | None, warned: str | None
) -> None:
    path = member_file("IDN.yaml", [])
    path.write_text(f"{line}member: IDN\nactions:\n  - title: A\n", encoding="utf-8")

    raw = read_member_file(path)

    assert raw.public_record == expected
    assert [(i.severity, i.code, i.file, i.row, i.field, i.message) for i in raw.issues] == (
        []
        if warned is None
        else [
            (
                "warning",
                "public-record-date",
                "IDN.yaml",
                None,
                "public_record",
                "IDN.yaml: 'public_record:' must be the day the public sources were read, as YYYY-MM-DD (got "
                f"{warned}); until it is, the file is not labelled as the public record",
            )
        ]
    )


def test_yaml_blank_member_declares_nothing(member_file: MemberFile, check: Check) -> None:
    path = member_file("IDN.yaml", [valid_row(member=None), valid_row()], member="")

    dataset = check(path)

    assert [(i.row, i.field, i.code) for i in dataset.issues] == [(3, "member", "missing-value")]


def test_yaml_rows_keep_their_own_member_and_unknown_keys_as_json_text() -> None:
    text = (
        "member: IDN\nactions:\n  - title: x\n    Focal point: Dewi Lestari (Café)\n    met on: 2024-03-01\n"
        "    member: THA\n  - title: y\n"
    )

    raw = read_member_bytes("IDN.yaml", text.encode())

    # Row 3 names its own member (the validator then reports the mismatch); row 7 inherits the file's.
    assert raw.rows["member"].tolist() == ["THA", "IDN"]
    # Kept aside as written: accents unescaped, a date as its ISO text.
    assert raw.rows["_extra"][0] == '{"Focal point": "Dewi Lestari (Café)", "met on": "2024-03-01"}'
    assert [(i.code, i.row, i.message) for i in raw.issues] == [
        (
            "unknown-column",
            3,
            f"IDN.yaml, line 3: the key '{key}' (in the action starting here) is not a template field; its values "
            "are kept aside but not used. Rename it to a template field if it was meant to be one",
        )
        for key in ("Focal point", "met on")
    ]


@pytest.mark.parametrize("head", ["", "member:\n"], ids=["no-member-key", "null-member"])
def test_yaml_without_a_member_declares_none(head: str) -> None:
    raw = read_member_bytes("IDN.yaml", f"{head}actions:\n  - title: x\n".encode())

    assert raw.declared_member is None
    assert raw.rows["member"].isna().all()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "- a\n",
            "IDN.yaml: expected 'member:' and a list under 'actions:' at the top of the file; see the sample files "
            "for the layout",
            id="no-mapping",
        ),
        pytest.param(
            "member: IDN\nactions:\n  - title: x\n  - 3\n",
            "IDN.yaml: entry 2 under 'actions:' is not a mapping of fields; each action starts with '- action_id: "
            "...' followed by its fields, indented alike",
            id="entry-not-a-mapping",
        ),
    ],
)
def test_yaml_of_the_wrong_shape_is_refused_whole_for_its_member(text: str, message: str) -> None:
    raw = read_member_bytes("IDN.yaml", text.encode())

    assert (raw.file, raw.member, raw.rows.empty) == ("IDN.yaml", "IDN", True)
    assert [(i.file, i.code, i.message) for i in raw.issues] == [("IDN.yaml", "yaml-structure", message)]


# --- choosing the sheet ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Actions", "actions", "ACTIONS", "aCtIoNs"])
def test_actions_sheet_in_any_case_wins_over_an_earlier_sheet(name: str, tmp_path: Path) -> None:
    earlier = grid([valid_row(title="From the first sheet")])
    actions = grid([valid_row(title="From the Actions sheet")], preamble=[["Actions of Indonesia"]])
    data = _workbook(tmp_path, {"Copy": earlier, name: actions})

    raw = read_member_bytes("IDN.xlsx", data)

    assert raw.sheet == name
    assert raw.rows["title"].tolist() == ["From the Actions sheet"]
    assert raw.rows["_row"].tolist() == [3]


@pytest.mark.parametrize("name", ["Actions", "actions"])
def test_actions_sheet_without_header_is_still_the_one_read(name: str, tmp_path: Path) -> None:
    data = _workbook(tmp_path, {"Data": grid([valid_row()]), name: [["nothing here"]]})

    raw = read_member_bytes("IDN.xlsx", data)

    assert raw.sheet == name
    assert {i.code for i in raw.issues} == {"missing-column"}
    assert all(i.sheet == name and f"sheet {name}" in i.message for i in raw.issues)


def test_without_actions_sheet_the_first_visible_sheet_with_the_header_is_read(tmp_path: Path) -> None:
    sheets = {
        "Old actions": grid([valid_row(title="hidden")]),
        "Read me": [["How to fill in this workbook"], ["Member", "Status"]],
        "Data 2024": grid([valid_row(title="visible")], preamble=[["2024 submission"], []]),
        "Data 2025": grid([valid_row(title="later sheet")]),
    }

    raw = read_member_bytes("IDN.xlsx", _workbook(tmp_path, sheets, hidden=("Old actions",)))

    assert raw.sheet == "Data 2024"
    assert raw.rows["title"].tolist() == ["visible"]
    assert raw.rows["_row"].tolist() == [4]


def test_hidden_actions_sheet_is_not_read(tmp_path: Path) -> None:
    sheets = {"Actions": grid([valid_row(title="hidden")]), "Sheet2": grid([valid_row(title="visible")])}

    raw = read_member_bytes("IDN.xlsx", _workbook(tmp_path, sheets, hidden=("Actions",)))

    assert (raw.sheet, raw.rows["title"].tolist()) == ("Sheet2", ["visible"])


def test_no_sheet_with_header_reports_on_the_first_visible_sheet(tmp_path: Path) -> None:
    raw = read_member_bytes("IDN.xlsx", _workbook(tmp_path, {"Notes": [["hello"]], "More": [["Member"]]}))

    assert raw.sheet == "Notes"
    assert [i.code for i in raw.issues] == ["missing-column"] * len(REQUIRED)


# --- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "bom"), [(",", True), (";", True), (",", False), ("\t", False)])
def test_csv_delimiters_and_bom(delimiter: str, bom: bool, member_file: MemberFile, check: Check) -> None:
    path = member_file(
        "IDN.csv", [valid_row(commitments="ASC-1; ASC-2", title="Café, “quoted”")], delimiter=delimiter, bom=bom
    )

    dataset = check(path)

    assert dataset.issues == []
    assert dataset.actions.loc[0, ["commitments", "title"]].tolist() == ["ASC-1; ASC-2", "Café, “quoted”"]


def test_csv_in_windows_1252_is_read(tmp_path: Path, check: Check) -> None:
    path = tmp_path / "IDN.csv"
    text = "Member;Commitment IDs;Action title;Status;Last updated\r\n"
    text += "IDN;ASC-1;Coopération régionale;Limited;01/03/2024\r\n"
    path.write_bytes(text.encode("cp1252"))

    dataset = check(path)

    assert dataset.issues == []
    assert dataset.actions.loc[0, "title"] == "Coopération régionale"


def test_csv_with_a_cell_beyond_the_csv_field_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "IDN.csv"
    path.write_text(
        f'Member,Commitment IDs,Action title,Status,Last updated\nIDN,ASC-1,"{"x" * 200_000}",Limited,2024-03-01\n'
    )

    raw = read_member_file(path)

    assert _codes(raw) == [(2, None, "cell-too-long")]
    assert "IDN.csv" in raw.issues[0].message


def test_csv_with_more_lines_than_a_sheet_holds_is_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CSV_LINES", 1_000)
    text = "Member,Commitment IDs,Action title,Status,Last updated\nIDN,ASC-1,A title,Limited,2024-03-01\n"

    # Lines ended by a line break each: 2 + 998 = 1,000 are at the limit, one more is over it.
    kept = read_member_bytes("IDN.csv", (text + "\n" * 998).encode())
    refused = read_member_bytes("IDN.csv", (text + "\n" * 999).encode())

    assert len(kept.rows) == 1 and not kept.issues
    assert refused.rows.empty
    assert _codes(refused) == [(None, None, "sheet-too-large")]
    assert "1,001 lines" in refused.issues[0].message


# --- files that are refused ------------------------------------------------------------------


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "IDN.xlsx"
    chunk = b"\0" * (1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(MAX_UNZIPPED_BYTES // len(chunk) + 1):
                member.write(chunk)
    assert path.stat().st_size < 1024 * 1024  # small on disk, 101 MB declared

    raw = read_member_file(path)

    assert _codes(raw) == [(None, None, "zip-bomb")]
    assert raw.issues[0].message.startswith("IDN.xlsx: ")


def test_file_over_the_size_limit_is_refused_unread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "IDN.xlsx"
    with path.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 10 MB written to disk
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("an oversized file must not be read"))

    raw = read_member_file(path)

    assert _codes(raw) == [(None, None, "file-too-large")]
    assert "IDN.xlsx" in raw.issues[0].message


def test_uploaded_bytes_over_the_size_limit_are_refused() -> None:
    raw = read_member_bytes("IDN.csv", b"x" * (MAX_FILE_BYTES + 1))

    assert _codes(raw) == [(None, None, "file-too-large")]


def test_file_too_large_gives_its_size_in_mb_and_the_limit() -> None:
    # 10,538,189 bytes are 10.0500002 MB: rounded up to 10.1 (a divisor off by one byte would give 10.0).
    (issue,) = read_member_bytes("IDN.csv", b"x" * 10_538_189).issues

    assert (issue.code, issue.file) == ("file-too-large", "IDN.csv")
    assert issue.message == (
        "IDN.csv: the file is 10.1 MB; the limit is 10 MB. Remove images or unused sheets, or split it"
    )


def test_unreadable_workbook_message_keeps_the_first_160_characters_of_the_reason() -> None:
    issue = content.unreadable("IDN.xlsx", "r" * 160 + "cut")

    assert (issue.code, issue.file, issue.severity) == ("unreadable-file", "IDN.xlsx", "error")
    assert issue.message == (
        f"IDN.xlsx: the workbook cannot be read ({'r' * 160}); open it in Excel or LibreOffice and save it "
        "again as .xlsx"
    )


class PanicException(BaseException):
    """What calamine raises when Rust panics: a BaseException, not an Exception."""


def test_reader_panic_in_this_process_is_an_issue_but_an_interrupt_is_not(
    member_file: MemberFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = member_file("IDN.xlsx", [valid_row()]).read_bytes()

    def panic(_: bytes) -> None:
        raise PanicException("index out of bounds")

    monkeypatch.setattr(content, "read_grids", panic)
    raw = read_member_bytes("IDN.xlsx", data)
    assert _codes(raw) == [(None, None, "unreadable-file")]
    assert "(PanicException: index out of bounds)" in raw.issues[0].message

    def interrupt(_: bytes) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(content, "read_grids", interrupt)
    with pytest.raises(KeyboardInterrupt):
        read_member_bytes("IDN.xlsx", data)


def test_file_at_the_size_limit_is_read() -> None:
    text = "member: IDN\nactions:\n  - title: x\n# "
    data = text.encode() + b"x" * (MAX_FILE_BYTES - len(text))

    raw = read_member_bytes("IDN.yaml", data)

    assert raw.issues == []
    assert raw.rows["title"].tolist() == ["x"]


# The whole message of each bad file: where, what, how to fix (messages are part of the product).
BAD_FILE_MESSAGES = {
    "ole-named-xlsx": (
        "IDN.xlsx: the workbook is password-protected (encrypted), so it cannot be read; remove the password "
        "(File > Info > Protect Workbook) and save again"
    ),
    "ole-named-ods": (
        "IDN.ods: the workbook is password-protected (encrypted), so it cannot be read; remove the password "
        "(File > Info > Protect Workbook) and save again"
    ),
    "text-named-xls": ("IDN.xls: the file is not a real .xls workbook (perhaps a renamed file); save it as .xlsx"),
    "text-named-ods": (
        "IDN.ods: the file is not a real .ods workbook (perhaps a renamed text or CSV file); open it in "
        "Excel or LibreOffice and save it as .ods"
    ),
    "damaged-zip": ("IDN.xlsx: the workbook is damaged (not a valid zip container); save it again"),
    "xlsm": (
        "IDN.xlsm: macro-enabled workbooks (.xlsm) are refused so that no macro can run; save the workbook "
        "as .xlsx (Excel Workbook) and upload that"
    ),
    "xlsb-upper-case": (
        "IDN.XLSB: macro-enabled workbooks (.xlsb) are refused so that no macro can run; save the workbook "
        "as .xlsx (Excel Workbook) and upload that"
    ),
    "xltm": (
        "IDN.xltm: macro-enabled workbooks (.xltm) are refused so that no macro can run; save the workbook "
        "as .xlsx (Excel Workbook) and upload that"
    ),
    "docx": ("IDN.docx: files of type '.docx' are not read; use .xlsx, .xls, .ods, .csv or .yaml"),
    "no-suffix": ("IDN: files of type '(none)' are not read; use .xlsx, .xls, .ods, .csv or .yaml"),
    "country-name": ("Indonesia.xlsx: the file name must be the member id, e.g. IDN.xlsx or IOM.xlsx; rename the file"),
    "browser-copy-suffix": (
        "IDN (2).csv: the file name must be the member id, e.g. IDN.csv or IOM.csv; rename the file"
    ),
    "yaml-not-utf8": ("IDN.yaml: the file is not UTF-8 text; save it as UTF-8"),
    "binary-csv": ("IDN.csv: the file is binary, not CSV text; export the sheet as CSV (File > Save As > CSV UTF-8)"),
}


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        pytest.param("IDN.xlsx", OLE_MAGIC + b"\0" * 504, "encrypted-workbook", id="ole-named-xlsx"),
        pytest.param("IDN.ods", OLE_MAGIC + b"\0" * 504, "encrypted-workbook", id="ole-named-ods"),
        pytest.param("IDN.xls", b"Member\tStatus\nIDN\tLimited\n", "not-a-workbook", id="text-named-xls"),
        pytest.param("IDN.ods", b"Member,Status\n", "not-a-workbook", id="text-named-ods"),
        pytest.param("IDN.xlsx", b"PK\x03\x04 truncated", "not-a-workbook", id="damaged-zip"),
        pytest.param("IDN.xlsm", b"anything", "macro-workbook-refused", id="xlsm"),
        pytest.param("IDN.XLSB", b"anything", "macro-workbook-refused", id="xlsb-upper-case"),
        pytest.param("IDN.xltm", b"anything", "macro-workbook-refused", id="xltm"),
        pytest.param("IDN.docx", b"PK\x03\x04", "unsupported-format", id="docx"),
        pytest.param("IDN", b"Member", "unsupported-format", id="no-suffix"),
        pytest.param("Indonesia.xlsx", b"PK\x03\x04", "bad-file-name", id="country-name"),
        pytest.param("IDN (2).csv", b"Member", "bad-file-name", id="browser-copy-suffix"),
        pytest.param("IDN.yaml", b"\xff\xfe\x00bad", "unreadable-file", id="yaml-not-utf8"),
        pytest.param("IDN.csv", b"Member\x00Status\n", "not-a-csv", id="binary-csv"),
    ],
)
def test_bad_files_become_one_file_level_issue(
    name: str, data: bytes, code: str, request: pytest.FixtureRequest
) -> None:
    raw = read_member_bytes(name, data)

    assert _codes(raw) == [(None, None, code)]
    assert (raw.issues[0].severity, raw.issues[0].file) == ("error", name)
    assert raw.issues[0].message == BAD_FILE_MESSAGES[request.node.callspec.id]
    assert raw.rows.empty


def test_zip_that_is_no_workbook_is_unreadable() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")

    raw = read_member_bytes("IDN.xlsx", buffer.getvalue())

    assert _codes(raw) == [(None, None, "unreadable-file")]


def test_zip_with_a_garbled_member_name_is_not_a_workbook() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/é.xml", "<x/>")  # stored as UTF-8 with the UTF-8 flag set
    data = buffer.getvalue().replace("é".encode(), b"\xa9\xa9")  # no longer valid UTF-8

    raw = read_member_bytes("IDN.xlsx", data)

    assert _codes(raw) == [(None, None, "not-a-workbook")]


def test_truncated_xls_that_makes_calamine_panic_is_unreadable() -> None:
    # calamine panics (pyo3 PanicException, a BaseException) on this truncated compound file.
    data = (VALID_DIR / "libreoffice-xls" / "IDN.xls").read_bytes()[:5632]

    raw = read_member_bytes("IDN.xls", data)

    assert _codes(raw) == [(None, None, "unreadable-file")]
    assert "PanicException" in raw.issues[0].message


def test_xlsx_with_a_stray_cell_far_away_is_refused_before_calamine(tmp_path: Path) -> None:
    # 3,000 rows x 1,000 columns: over the limit, yet small enough that calamine
    # would survive it if the guard regressed (the real danger, XFD1048576, aborts the process).
    sheet = grid([valid_row()])
    sheet.extend([[]] * 2997 + [[None] * 999 + ["stray"]])
    path = write_workbook(tmp_path / "IDN.xlsx", {"Notes": [["n"]], "Actions": sheet})

    raw = read_member_file(path)

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    assert raw.issues[0].sheet == "Actions"
    assert raw.issues[0].message.startswith("IDN.xlsx, sheet Actions: ")
    assert "row 3,000 and column ALL" in raw.issues[0].message


def test_ods_with_repeated_cells_far_away_is_refused_before_calamine() -> None:
    source = (VALID_DIR / "libreoffice-ods" / "IDN.ods").read_bytes()
    stray = (
        '<table:table-row table:number-rows-repeated="3000"><table:table-cell table:number-columns-repeated="1000" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(buffer, "w") as patched:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == "content.xml":
                content = content.replace(b"</table:table>", stray.encode() + b"</table:table>", 1)
            patched.writestr(info, content)

    raw = read_member_bytes("IDN.ods", buffer.getvalue())

    assert _codes(raw) == [(None, None, "sheet-too-large")]
    assert raw.issues[0].sheet == "Actions"


def test_sheet_of_ordinary_size_is_read(tmp_path: Path) -> None:
    rows = [valid_row(title=f"Action {n}") for n in range(3000)]
    path = write_xlsx(tmp_path / "IDN.xlsx", rows)

    raw = read_member_file(path)

    assert raw.issues == [] and len(raw.rows) == 3000


def test_xls_with_a_corrupt_dimensions_record_does_not_abort(tmp_path: Path) -> None:
    data = bytearray((VALID_DIR / "libreoffice-xls" / "IDN.xls").read_bytes())
    dimensions = data.index(b"\x00\x02\x0e\x00")  # BIFF8 DIMENSIONS record: type 0x0200, length 14
    data[dimensions + 7] = 0xCB  # high byte of its first-row field
    path = tmp_path / "IDN.xls"
    path.write_bytes(data)
    code = (
        "from loaders.tables import read_member_file; import sys; print(read_member_file(sys.argv[1]).issues[0].code)"
    )

    def cap_memory() -> None:  # so the doomed allocation fails at once instead of swapping
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))

    result = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap_memory,
        env={**os.environ, "RUST_BACKTRACE": "0"},
        check=False,
    )

    assert (result.returncode, result.stdout.strip()) == (0, "unreadable-file")


def test_missing_file_is_unreadable_not_an_exception(tmp_path: Path) -> None:
    raw = read_member_file(tmp_path / "IDN.xlsx")

    assert _codes(raw) == [(None, None, "unreadable-file")]
    assert raw.member == "IDN"


def test_yaml_object_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = f'member: IDN\nactions:\n  - title: !!python/object/apply:os.system ["touch {marker}"]\n'

    raw = read_member_bytes("IDN.yaml", text.encode())

    assert _codes(raw) == [(3, None, "yaml-unsafe-tag")]
    assert not marker.exists()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        pytest.param("member: IDN\nactions:\n  - ? [a, b]\n    : 1\n", "yaml-syntax", id="unhashable-key"),
        pytest.param("member: IDN\nactions:\n  - &a {title: x, self: *a}\n", "yaml-too-complex", id="recursive-alias"),
        pytest.param("member: IDN\nactions:\n  - title: !!int abc\n", "yaml-syntax", id="impossible-tagged-value"),
        pytest.param("actions:\n  - title: " + "[" * 150 + "]" * 150 + "\n", "yaml-too-complex", id="deep-nesting"),
        pytest.param("- just\n- a list\n", "yaml-structure", id="top-level-list"),
        pytest.param("member: IDN\nactions:\n  - 3\n", "yaml-structure", id="action-not-a-mapping"),
    ],
)
def test_yaml_problems_are_issues(text: str, code: str) -> None:
    raw = read_member_bytes("IDN.yaml", text.encode())

    assert [i.code for i in raw.issues] == [code]
    assert raw.issues[0].message.startswith("IDN.yaml")


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        pytest.param(
            b"member: IDN\n  bad: [\n",
            2,
            "IDN.yaml, line 2: the file is not valid YAML (mapping values are not allowed in this context); check "
            "indentation and quoting near this line",
            id="with-a-line",
        ),
        pytest.param(
            b"member: IDN\nactions:\n  - title: !!int abc\n",
            None,
            "IDN.yaml: a value cannot be read as the type its tag asks for (invalid literal for int() with base 10: "
            "'abc'); remove the !! tag or correct the value",
            id="without-a-line",
        ),
        pytest.param(b"\xff\xfe\x00bad", None, "IDN.yaml: the file is not UTF-8 text; save it as UTF-8", id="not-utf8"),
    ],
)
def test_yaml_refusal_names_the_line_when_there_is_one(data: bytes, line: int | None, message: str) -> None:
    (issue,) = read_member_bytes("IDN.yaml", data).issues

    assert (issue.file, issue.row, issue.message) == ("IDN.yaml", line, message)


def test_yaml_broken_entry_refuses_the_whole_file() -> None:
    text = "member: IDN\nactions:\n  - action_id: IDN-001\n    title: Fine\n  - 3\n"

    raw = read_member_bytes("IDN.yaml", text.encode())

    assert raw.rows.empty
    assert [i.code for i in raw.issues] == ["yaml-structure"]
    assert "entry 2 under 'actions:'" in raw.issues[0].message


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("member: IDN\nactions:\n  - title: x\n    due: 2025-01-31\n    n: 3\n", id="plain"),
        pytest.param("a: {b: [1, 2.5, true, null, '0012']}\n", id="flow-scalars"),
        pytest.param("base: {x: 1}\nmerged:\n  <<: {x: 1}\n  y: 2\n", id="merge-key"),
        pytest.param("s: !!set {a, b}\n", id="set"),
        pytest.param("o: !!omap [{a: 1}, {b: 2}]\n", id="ordered-map"),
        pytest.param("b: !!binary aGVsbG8=\n", id="binary"),
        pytest.param("1: one\n2024-01-01: day\n", id="non-string-keys"),
        pytest.param("s: !!str 12\nf: !!float 1\n", id="explicit-tags"),
    ],
)
def test_yaml_fast_build_gives_what_pyyaml_builds(text: str) -> None:
    # Documents without anchors take the fast builder; the standard constructor is the reference.
    assert not safe_yaml._needs_full_check(text)
    reference = yaml.load(text, Loader=safe_yaml._LineLoader)

    assert safe_yaml.load_yaml_text(text) == reference


def test_yaml_nesting_beyond_python_recursion_is_an_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_yaml, "MAX_DEPTH", 10**6)  # let the constructor itself hit the recursion limit
    text = "actions:\n  - title: " + "[" * 900 + "]" * 900 + "\n"

    raw = read_member_bytes("IDN.yaml", text.encode())

    assert [i.code for i in raw.issues] == ["yaml-too-complex"]


def test_yaml_nested_values_carry_no_line_markers(member_file: MemberFile) -> None:
    path = member_file("IDN.yaml", [])
    path.write_text("member: IDN\nactions:\n  - title: {en: Hotline}\n    extra: [{a: 1}]\n", encoding="utf-8")

    raw = read_member_file(path)

    assert raw.rows.loc[0, "title"] == {"en": "Hotline"}
    assert json.loads(raw.rows.loc[0, "_extra"]) == {"extra": [{"a": 1}]}


# --- finding files in a directory ------------------------------------------------------------


def test_member_files_and_expand_paths(tmp_path: Path) -> None:
    for name in ("IDN.xlsx", "THA.yaml", "AUS.csv", "NZL.xlsm", "_roles.yaml", ".~lock.IDN.xlsx", "README.md"):
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "history").mkdir()
    (tmp_path / "history" / "IDN.yaml").write_bytes(b"")
    single = tmp_path / "history" / "IDN.yaml"

    assert [p.name for p in member_files(tmp_path)] == ["AUS.csv", "IDN.xlsx", "NZL.xlsm", "THA.yaml"]
    assert expand_paths([single, tmp_path])[0] == single
    assert len(expand_paths([single, tmp_path])) == 5


def test_load_dataset_reads_one_file_per_member(tmp_path: Path, catalog: Catalog) -> None:
    write_xlsx(tmp_path / "IDN.xlsx", [valid_row(action_id="IDN-001")])
    write_xlsx(tmp_path / "THA.xlsx", [valid_row(member="THA")])
    (tmp_path / "IDN.yaml").write_text("member: IDN\nactions: []\n", encoding="utf-8")

    dataset = load_dataset(tmp_path, catalog, today=TODAY)

    assert [(i.file, i.code, i.field) for i in dataset.issues] == [("IDN.yaml", "duplicate-member-file", "member")]
    assert sorted(dataset.actions["member"]) == ["IDN", "THA"]
    assert dataset.files.set_index("file").loc["IDN.xlsx", "actions"] == 1


def test_load_dataset_of_a_missing_directory_is_empty(tmp_path: Path, catalog: Catalog) -> None:
    dataset = load_dataset(tmp_path / "absent", catalog)

    assert dataset.actions.empty
    assert dataset.issues == []


# --- member ids in paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "member", ["../etc", "IDN/..", "idn", "IDN.xlsx", "", " IDN", "ID", "IDNA", "../../IDN", "UNHCR/x", "IDN\n"]
)
def test_member_file_path_rejects_anything_but_a_member_id(member: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a member id"):
        member_file_path(tmp_path, member, ".xlsx")


@pytest.mark.parametrize("member", ["IDN", "UNHCR", "IOM", "UNODC", "ILO", "NCL"])
def test_member_file_path_joins_a_member_id(member: str, tmp_path: Path) -> None:
    assert member_file_path(tmp_path, member, ".yaml") == tmp_path / f"{member}.yaml"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("IDN", "IDN"), (" idn ", "IDN"), ("Unhcr", "UNHCR"), ("IDN-1", None), ("../x", None), ("", None), ("ABCD", None)],
)
def test_parse_member_id(text: str, expected: str | None) -> None:
    assert parse_member_id(text) == expected


def test_a_row_shorter_than_the_header_reads_its_missing_cells_as_blank():
    header = ",".join([LABELS[f] for f in ("action_id", "member", "commitments", "title", "status", "last_updated")])
    data = (
        f"{header},Donor,Region\n,IDN,ASC-1,Short row,limited,2026-06-01\n,IDN,ASC-1,Full row,limited,2026-06-01,EU,\n"
    )

    raw = read_member_bytes("IDN.csv", data.encode())

    assert raw.rows["title"].tolist() == ["Short row", "Full row"]
    assert raw.rows["_extra"].isna().tolist() == [True, False]
    assert raw.rows["_extra"].iloc[1] == '{"Donor": "EU"}'  # a blank extra cell is not kept
    assert [i.code for i in raw.issues] == ["unknown-column", "unknown-column"]


@pytest.mark.parametrize("name", ["IDN.yml", "IDN.YAML"])
def test_every_yaml_spelling_names_an_unknown_key_as_a_key(name: str) -> None:
    raw = read_member_bytes(name, b"member: IDN\nactions:\n  - title: x\n    Donor: EU\n")

    assert [i.message for i in raw.issues] == [
        f"{name}, line 3: the key 'Donor' (in the action starting here) is not a template field; its values are "
        "kept aside but not used. Rename it to a template field if it was meant to be one"
    ]


# --- safe_yaml: lines, limits and errors, value for value -------------------------------------

_LINE = safe_yaml.LINE_KEY


@pytest.mark.parametrize("anchor", ["", "x: &a 1\n"], ids=["fast-builder", "checked-constructor"])
def test_yaml_every_mapping_records_its_own_line(anchor: str) -> None:
    text = anchor + "top:\n  inner:\n    leaf: 1\nrows:\n  - a: 1\n    b: 2\n  - {c: 3}\nflow: {d: {e: 4}}\n"
    first = 2 if anchor else 1

    data = safe_yaml.load_yaml_text(text)

    assert data[_LINE] == 1
    assert data["top"][_LINE] == first + 1  # a block mapping starts at its first key
    assert data["top"]["inner"][_LINE] == first + 2
    assert [row[_LINE] for row in data["rows"]] == [first + 4, first + 6]
    assert data["flow"][_LINE] == first + 7
    assert data["flow"]["d"][_LINE] == first + 7


def test_yaml_aliased_mapping_keeps_the_line_of_its_anchor() -> None:
    data = safe_yaml.load_yaml_text("top: 0\nbase: &b\n  x: 1\nuse:\n  - *b\n")

    assert data["base"] == {"x": 1, _LINE: 2}  # an anchored mapping starts at its anchor
    assert data["use"][0] == {"x": 1, _LINE: 2}


def test_yaml_plain_documents_skip_the_size_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without anchors the fast builder makes everything itself: the standard constructor's size walk never runs.
    def refuse(root: object) -> None:
        raise AssertionError("size walk")

    monkeypatch.setattr(safe_yaml, "_check_size", refuse)
    text = "member: IDN\nactions:\n  - {n: 3, f: 2.5, ok: true, none: null, due: 2025-01-31}\n  - [1, 2]\n"

    data = safe_yaml.load_yaml_text(text)

    assert data["actions"][0] == {
        "n": 3,
        "f": 2.5,
        "ok": True,
        "none": None,
        "due": dt.date(2025, 1, 31),
        _LINE: 3,
    }
    assert data["actions"][1] == [1, 2]


def _yaml_error(text: str) -> safe_yaml.YamlError:
    with pytest.raises(safe_yaml.YamlError) as caught:
        safe_yaml.load_yaml_text(text)
    return caught.value


def test_yaml_value_count_limit_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # A mapping, its 2 keys and 2 values: 5 values made. The 6th (on line 3) is one too many.
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_NODES", 5)
    assert safe_yaml.strip_lines(safe_yaml.load_yaml_text("a: x\nb: y\n")) == {"a": "x", "b": "y"}

    error = _yaml_error("a: x\nb: y\nc: z\n")

    assert (error.code, error.message, error.line) == ("yaml-too-complex", safe_yaml._TOO_MANY, 3)


def test_yaml_character_limit_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    # Keys and values "a", "xxxx", "b", "yyyy": 10 characters exactly; one more on line 2 is too long.
    monkeypatch.setattr(safe_yaml, "MAX_EXPANDED_CHARS", 10)
    assert safe_yaml.strip_lines(safe_yaml.load_yaml_text("a: xxxx\nb: yyyy\n")) == {"a": "xxxx", "b": "yyyy"}

    error = _yaml_error("a: xxxx\nb: yyyyy\n")

    assert (error.code, error.message, error.line) == ("yaml-too-complex", safe_yaml._TOO_LONG, 2)


@pytest.mark.parametrize(
    ("ok", "too_deep", "line"),
    [
        pytest.param("- - x\n", "- - - x\n", 1, id="lists"),
        pytest.param("a:\n  b: x\n", "a:\n  b:\n    c: x\n", 3, id="mapping-values"),
        pytest.param("a:\n  ? b\n  : x\n", "a:\n  b:\n    ? c\n    : x\n", 3, id="mapping-keys"),
        pytest.param("- a: x\n", "- a:\n    - x\n", 2, id="list-of-mappings"),
    ],
)
def test_yaml_depth_limit_is_exact(monkeypatch: pytest.MonkeyPatch, ok: str, too_deep: str, line: int) -> None:
    monkeypatch.setattr(safe_yaml, "MAX_DEPTH", 3)  # three levels: a container, a container, a value
    safe_yaml.load_yaml_text(ok)

    error = _yaml_error(too_deep)

    assert (error.code, error.message, error.line) == ("yaml-too-complex", safe_yaml._too_deep(), line)
    assert "more than 3 levels" in error.message


def test_yaml_unhashable_key_is_a_syntax_issue_on_its_line() -> None:
    error = _yaml_error("a: 1\n? [x]\n: 2\n")

    assert error.code == "yaml-syntax"
    assert error.line == 2
    assert error.message.startswith("the file is not valid YAML (found unhashable key)")


def test_yaml_reader_error_without_position_is_a_syntax_issue() -> None:
    # The reader refuses control characters with an error that has no mark and no "problem".
    error = _yaml_error("a: \x07\n")

    assert (error.code, error.line) == ("yaml-syntax", None)
    assert "unacceptable character #x0007" in error.message
    assert error.message.endswith("; check indentation and quoting near this line")


def test_yaml_recursion_error_message(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safe_yaml, "MAX_DEPTH", 10**6)
    error = _yaml_error("a: " + "[" * 900 + "]" * 900 + "\n")

    assert (error.code, error.line) == ("yaml-too-complex", None)
    assert error.message == "the values are nested too deeply; a member file needs only a few"


def test_yaml_file_is_read_as_utf8_whatever_the_locale(tmp_path: Path) -> None:
    # The file's encoding is UTF-8 (a byte order mark allowed), not the encoding of the locale the process runs in.
    path = tmp_path / "IDN.yaml"
    path.write_bytes("\ufefftitle: Café\n".encode())
    code = (
        "import pathlib, sys; from loaders import safe_yaml; "
        "print(ascii(safe_yaml.load_yaml(pathlib.Path(sys.argv[1]))))"
    )
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}

    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        cwd=Path(__file__).parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    assert done.stdout.strip() == ascii({"title": "Café", safe_yaml.LINE_KEY: 1})


# --- the readers' own messages and shapes, exactly (each kills mutants that only "refused or not" let live) ---

SHORT_HEADER = ["Member", "Commitment IDs", "Action title", "Status", "Last updated"]


def issue_rows(raw: RawFile) -> list[tuple]:
    return [(i.severity, i.code, i.file, i.sheet, i.row, i.field, i.message) for i in raw.issues]


def test_a_sheet_without_the_header_is_named_with_its_sheet_and_keeps_file_and_member(member_file) -> None:
    path = member_file("IDN.xlsx", [], header=["Member", "Action title", "Status", "Last updated"])
    csv = member_file("IDN.csv", [], header=["Member", "Action title", "Status", "Last updated"])

    raw, plain = read_member_file(path), read_member_file(csv)

    assert (raw.file, raw.member, raw.sheet, len(raw.rows)) == ("IDN.xlsx", "IDN", "Actions", 0)
    assert issue_rows(raw) == [
        (
            "error",
            "missing-column",
            "IDN.xlsx",
            "Actions",
            None,
            "commitments",
            "IDN.xlsx, sheet Actions: no header row with the column 'Commitment IDs' was found in the first 10 rows; "
            "add a column headed 'Commitment IDs' to the header row",
        )
    ]
    assert [i.message.split(":")[0] for i in plain.issues] == ["IDN.csv"]  # a CSV has no sheet to name
    assert list(raw.rows.columns) == [*LABELS, "_row", "_extra"]


def test_values_beyond_the_header_are_kept_under_their_letter(member_file) -> None:
    row = [*valid_row().values(), None, "kept"]  # two cells past the header's five: the second has a value
    path = member_file("IDN.xlsx", [row], header=SHORT_HEADER)

    raw = read_member_file(path)

    assert issue_rows(raw) == [
        (
            "warning",
            "unknown-column",
            "IDN.xlsx",
            "Actions",
            1,
            None,
            "IDN.xlsx, sheet Actions, row 1: column G has values but no header; they are kept aside but not used. "
            "Give the column a template header if it was meant to be one",
        )
    ]
    assert json.loads(raw.rows.loc[0, "_extra"]) == {"column G": "kept"}


def test_a_row_ending_before_a_template_column_reads_that_field_as_blank(member_file) -> None:
    header = [*SHORT_HEADER, "Notes"]
    path = member_file("IDN.csv", [list(valid_row().values())], header=header)  # the Notes cell is not there at all

    raw = read_member_file(path)

    assert raw.issues == []
    assert raw.rows.loc[0, "notes"] is None and raw.rows.loc[0, "title"] == "Border liaison offices"


def test_unknown_columns_keep_their_text_and_dates_as_json(member_file) -> None:
    row = {**valid_row(), "Café note": "Kerja sama – ไทย", "Seen": dt.datetime(2024, 3, 1)}
    path = member_file("IDN.xlsx", [row], header=[*SHORT_HEADER, "Café note", "Seen"])

    raw = read_member_file(path)

    assert raw.rows.loc[0, "_extra"] == '{"Café note": "Kerja sama – ไทย", "Seen": "2024-03-01"}'  # a date, as text
    assert [i.message for i in raw.issues] == [
        "IDN.xlsx, sheet Actions, row 1: the column 'Café note' (column F) is not part of the template; its values are "
        "kept aside but not used. Rename it to a template field if it was meant to be one",
        "IDN.xlsx, sheet Actions, row 1: the column 'Seen' (column G) is not part of the template; its values are "
        "kept aside but not used. Rename it to a template field if it was meant to be one",
    ]


def test_yaml_unknown_keys_keep_their_text_and_dates_as_json(member_file) -> None:
    path = member_file("IDN.yaml", [{**valid_row(), "nota": "Café – ไทย", "seen": dt.date(2024, 3, 1)}])

    raw = read_member_file(path)

    assert raw.rows.loc[0, "_extra"] == '{"nota": "Café – ไทย", "seen": "2024-03-01"}'
    assert [(i.row, i.message) for i in raw.issues] == [
        (
            3,
            "IDN.yaml, line 3: the key 'nota' (in the action starting here) is not a template field; its values are "
            "kept aside but not used. Rename it to a template field if it was meant to be one",
        ),
        (
            3,
            "IDN.yaml, line 3: the key 'seen' (in the action starting here) is not a template field; its values are "
            "kept aside but not used. Rename it to a template field if it was meant to be one",
        ),
    ]


def test_past_the_first_unknown_columns_one_warning_counts_the_rest(member_file, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNKNOWN_COLUMN_WARNINGS", 2)
    extra = ["A1", "A2", "A3", "A4", "A5"]
    row = {**valid_row(), **{label: "x" for label in extra}}
    sheet = read_member_file(member_file("IDN.xlsx", [row], header=[*SHORT_HEADER, *extra]))
    yaml_file = read_member_file(member_file("IDN.yaml", [row]))

    assert [i.message for i in sheet.issues][2:] == [
        "IDN.xlsx, sheet Actions, row 1: 3 more columns outside the template (columns H to J); their values are "
        "kept aside but not used. A member file needs only the template's columns: delete the others"
    ]
    assert [(i.severity, i.code, i.sheet, i.row) for i in sheet.issues] == [
        ("warning", "unknown-column", "Actions", 1)
    ] * 3
    assert [(i.row, i.message) for i in yaml_file.issues][2:] == [
        (
            3,
            "IDN.yaml, line 3: 3 more columns outside the template (keys such as 'A3'); their values are kept aside "
            "but not used. A member file needs only the template's columns: delete the others",
        )
    ]
    assert [i.code for i in yaml_file.issues] == ["unknown-column"] * 3
    assert {i.file for i in [*sheet.issues, *yaml_file.issues]} == {"IDN.xlsx", "IDN.yaml"}
    assert json.loads(sheet.rows.loc[0, "_extra"]) == {label: "x" for label in extra}  # all kept, only the warnings cut


def test_exactly_the_limit_of_unknown_columns_gives_no_summary_warning(member_file, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNKNOWN_COLUMN_WARNINGS", 2)
    row = {**valid_row(), "A1": "x", "A2": "y"}

    sheet = read_member_file(member_file("IDN.xlsx", [row], header=[*SHORT_HEADER, "A1", "A2"]))
    yaml_file = read_member_file(member_file("IDN.yaml", [row]))

    assert len(sheet.issues) == len(yaml_file.issues) == 2
    assert "more columns" not in " ".join(i.message for i in [*sheet.issues, *yaml_file.issues])


def test_yaml_blank_values_read_as_blank(member_file) -> None:
    path = member_file("IDN.yaml", [valid_row(description="   ", notes="")])

    rows = read_member_file(path).rows

    assert rows.loc[0, "description"] is None and rows.loc[0, "notes"] is None


def test_the_empty_rows_frame_has_every_column_as_objects() -> None:
    frame = tables.empty_rows()

    assert list(frame.columns) == [*LABELS, "_row", "_extra"] and len(frame) == 0
    assert set(map(str, frame.dtypes)) == {"object"}


def test_a_refused_file_keeps_its_name_and_member() -> None:
    raw = read_member_bytes("IDN.xlsm", b"PK\x03\x04", label="upload 1 (IDN.xlsm)")

    assert (raw.file, raw.member) == ("upload 1 (IDN.xlsm)", "IDN")
    assert [i.file for i in raw.issues] == ["upload 1 (IDN.xlsm)"]


def test_a_file_at_the_size_limit_is_read_and_one_byte_more_is_refused(member_file, monkeypatch) -> None:
    path = member_file("IDN.yaml", [valid_row()])
    size = path.stat().st_size

    monkeypatch.setattr(limits, "MAX_FILE_BYTES", size)
    assert read_member_file(path).issues == [] and len(read_member_file(path).rows) == 1
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", size - 1)
    raw = read_member_file(path, display_name="data/IDN.yaml")
    assert (raw.file, raw.member, [i.code for i in raw.issues]) == ("data/IDN.yaml", "IDN", ["file-too-large"])
    assert raw.issues[0].file == "data/IDN.yaml"


def test_a_file_that_cannot_be_opened_says_why(tmp_path: Path) -> None:
    (tmp_path / "IDN.yaml").mkdir()  # a folder where the file should be: opening it fails

    raw = read_member_file(tmp_path / "IDN.yaml", display_name="shown/IDN.yaml")

    assert (raw.file, raw.member) == ("shown/IDN.yaml", "IDN")
    assert [(i.code, i.file, i.message) for i in raw.issues] == [
        ("unreadable-file", "shown/IDN.yaml", "shown/IDN.yaml: the file cannot be opened (Is a directory)")
    ]


def test_the_name_shown_is_the_display_name(member_file) -> None:
    path = member_file("IDN.yaml", [valid_row(aside="x")])

    raw = read_member_file(path, display_name="a/IDN.yaml")

    assert raw.file == "a/IDN.yaml" and [i.file for i in raw.issues] == ["a/IDN.yaml"]


def test_a_csv_row_wider_than_its_header_keeps_the_values_past_it(member_file) -> None:
    # A CSV's rows are as long as they are typed (a workbook's grid is padded to the sheet's width).
    path = member_file("IDN.csv", [[*valid_row().values(), "kept", "also"]], header=SHORT_HEADER)

    raw = read_member_file(path)

    assert [i.message for i in raw.issues] == [
        f"IDN.csv, row 1: column {letter} has values but no header; they are kept aside but not used. Give the "
        "column a template header if it was meant to be one"
        for letter in "FG"
    ]
    assert json.loads(raw.rows.loc[0, "_extra"]) == {"column F": "kept", "column G": "also"}


def test_a_repeated_template_column_is_named_with_its_sheet_row_and_field(member_file) -> None:
    path = member_file("IDN.xlsx", [valid_row()], header=[*SHORT_HEADER, "Status"])

    raw = read_member_file(path)

    assert issue_rows(raw) == [
        (
            "error",
            "duplicate-column",
            "IDN.xlsx",
            "Actions",
            1,
            "status",
            "IDN.xlsx, sheet Actions, row 1: the column 'Status' appears twice (columns D and F); delete or rename one",
        )
    ]


def test_the_summary_of_unknown_yaml_keys_is_on_the_line_of_the_first_one_it_counts(member_file, monkeypatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNKNOWN_COLUMN_WARNINGS", 1)
    path = member_file("IDN.yaml", [{**valid_row(), "A1": "x", "A2": "y"}, {**valid_row(), "A3": "z"}])

    raw = read_member_file(path)

    first_line, second_line = raw.rows["_row"].tolist()
    assert (first_line, second_line) == (3, 10)
    assert [(i.row, i.message) for i in raw.issues][1:] == [
        (
            3,  # A2's line: the first key the summary counts
            "IDN.yaml, line 3: 2 more columns outside the template (keys such as 'A2'); their values are kept aside "
            "but not used. A member file needs only the template's columns: delete the others",
        )
    ]


def test_a_line_key_typed_in_a_yaml_action_neither_hides_its_fields_nor_moves_its_line(member_file) -> None:
    path = member_file("IDN.yaml", [])
    path.write_text(
        "member: IDN\nactions:\n  - __line__: 99\n    title: Typed first\n    status: limited\n", encoding="utf-8"
    )

    raw = read_member_file(path)

    assert raw.rows.loc[0, "title"] == "Typed first" and raw.rows.loc[0, "status"] == "limited"
    assert raw.rows.loc[0, "_row"] == 3
