"""Parsing a member file's bytes into plain content: which reader a file goes to, and the exact refusal when
none may read it (name, size, type, container, reader failure)."""

from __future__ import annotations

from typing import Any

import pytest

from loaders import content, limits
from loaders.content import parse_member_content
from loaders.issues import Issue
from loaders.safe_yaml import load_yaml_text
from tests.make_fixtures import VALID_DIR

_XLS = (VALID_DIR / "libreoffice-xls" / "IDN.xls").read_bytes()
_XLSX = (VALID_DIR / "openpyxl" / "IDN.xlsx").read_bytes()


def _refused(shown: str, code: str, message: str, row: int | None = None) -> tuple[str, Issue]:
    return "refused", Issue("error", code, shown, None, row, None, message)


def _parsed(name: str, data: bytes = b"Member\n") -> Any:
    return parse_member_content(name, data, f"upload 1 ({name})")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("IDN.xlsm", "macro-enabled workbooks (.xlsm) are refused"),
        ("IDN.XLSB", "macro-enabled workbooks (.xlsb) are refused"),
        ("IOM.xltm", "macro-enabled workbooks (.xltm) are refused"),
    ],
)
def test_macro_enabled_workbook_is_refused_by_its_type(name: str, message: str) -> None:
    shown = f"upload 1 ({name})"

    assert _parsed(name) == _refused(
        shown,
        "macro-workbook-refused",
        f"{shown}: {message} so that no macro can run; save the workbook as .xlsx (Excel Workbook) and upload that",
    )


@pytest.mark.parametrize(("name", "suffix"), [("IDN.txt", ".txt"), ("IDN", "(none)"), ("IDN.CSV.bak", ".bak")])
def test_file_of_another_type_is_refused(name: str, suffix: str) -> None:
    shown = f"upload 1 ({name})"

    assert _parsed(name) == _refused(
        shown,
        "unsupported-format",
        f"{shown}: files of type '{suffix}' are not read; use .xlsx, .xls, .ods, .csv or .yaml",
    )


@pytest.mark.parametrize("name", ["XX1.csv", "IDNX.csv", "../IDN.csv", "data/IDN.csv", "a\\IDN.csv"])
def test_file_not_named_for_a_member_is_refused(name: str) -> None:
    shown = f"upload 1 ({name})"

    assert _parsed(name) == _refused(
        shown,
        "bad-file-name",
        f"{shown}: the file name must be the member id, e.g. IDN.csv or IOM.csv; rename the file",
    )


def test_file_over_the_size_limit_is_refused_before_its_name_is_looked_at(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1_048_576)

    assert _parsed("IDN.txt", b"x" * 1_048_576)[1].code == "unsupported-format"  # at the limit: read on
    # 1.15 MB and a byte: "1.2"
    assert _parsed("IDN.txt", b"x" * 1_205_863) == _refused(
        "upload 1 (IDN.txt)",
        "file-too-large",
        "upload 1 (IDN.txt): the file is 1.2 MB; the limit is 1 MB. Remove images or unused sheets, or split it",
    )


@pytest.mark.parametrize(
    ("name", "data", "parsed"),
    [
        ("IDN.csv", b"Member;Notes\r\nIDN;x\r\n", ("csv", [["Member;Notes"], ["IDN;x"]])),
        ("unhcr.CSV", b"a\n", ("csv", [["a"]])),
        ("IDN.yaml", b"\xef\xbb\xbfmember: IDN\n", ("yaml", load_yaml_text("member: IDN\n"))),
        ("IDN.YML", b"- x\n", ("yaml", ["x"])),
        ("IDN.yml", b"", ("yaml", None)),
    ],
)
def test_text_files_go_to_their_parser(name: str, data: bytes, parsed: tuple[str, Any]) -> None:
    assert _parsed(name, data) == parsed


@pytest.mark.parametrize(
    ("data", "code", "message", "line"),
    [
        (b"caf\xe9: x\n", "unreadable-file", "the file is not UTF-8 text; save it as UTF-8", None),
        (
            b"member: IDN\nactions: [\n",
            "yaml-syntax",
            "the file is not valid YAML (did not find expected node content); check indentation and quoting near "
            "this line",
            3,
        ),
        (
            b"n: !!int abc\n",
            "yaml-syntax",
            "a value cannot be read as the type its tag asks for (invalid literal for int() with base 10: 'abc'); "
            "remove the !! tag or correct the value",
            None,
        ),
    ],
)
def test_yaml_that_cannot_be_read_is_refused_at_its_line(
    data: bytes, code: str, message: str, line: int | None
) -> None:
    where = f", line {line}" if line else ""

    assert _parsed("IDN.yaml", data) == _refused(
        "upload 1 (IDN.yaml)", code, f"upload 1 (IDN.yaml){where}: {message}", line
    )


def test_csv_refusal_is_returned_as_it_is() -> None:
    assert _parsed("IDN.csv", b"a\x00") == _refused(
        "upload 1 (IDN.csv)",
        "not-a-csv",
        "upload 1 (IDN.csv): the file is binary, not CSV text; export the sheet as CSV (File > Save As > CSV UTF-8)",
    )


# --- workbooks ----------------------------------------------------------------------------------


@pytest.fixture
def readers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bytes]]:
    """Which reader each workbook went to (each answers with one sheet named after itself)."""
    calls: list[tuple[str, bytes]] = []

    def reader(which: str) -> Any:
        return lambda data: calls.append((which, data)) or [(which, [["x"]])]

    monkeypatch.setattr(content, "read_grids", reader("here"))
    monkeypatch.setattr(content, "read_grids_isolated", reader("child"))
    return calls


@pytest.mark.parametrize(
    ("name", "data", "isolate", "which"),
    [
        ("IDN.xls", _XLS, None, "child"),
        ("IDN.xls", _XLS, True, "child"),
        ("IDN.xls", _XLS, False, "here"),
        ("IDN.xlsx", _XLSX, None, "here"),
        ("IDN.xlsx", _XLSX, True, "here"),
    ],
)
def test_legacy_xls_alone_is_read_in_a_child_unless_already_in_one(
    name: str, data: bytes, isolate: bool | None, which: str, readers: list[tuple[str, bytes]]
) -> None:
    options = {} if isolate is None else {"isolate_xls": isolate}

    assert parse_member_content(name, data, name, **options) == ("workbook", [(which, [["x"]])])
    assert readers == [(which, data)]


def test_workbook_the_container_check_refuses_is_never_read(readers: list[tuple[str, bytes]]) -> None:
    assert _parsed("IDN.xlsx", b"Member\n") == _refused(
        "upload 1 (IDN.xlsx)",
        "not-a-workbook",
        "upload 1 (IDN.xlsx): the file is not a real .xlsx workbook (perhaps a renamed text or CSV file); open it in "
        "Excel or LibreOffice and save it as .xlsx",
    )
    assert readers == []


def test_workbook_without_a_visible_sheet_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(content, "read_grids", lambda data: [])

    assert _parsed("IDN.xlsx", _XLSX) == _refused(
        "upload 1 (IDN.xlsx)",
        "no-sheet",
        "upload 1 (IDN.xlsx): the workbook has no visible sheet; add a sheet named Actions",
    )


class ReaderFailedWithAVeryLongNameForItsKindError(Exception):
    """An exception whose name and message together run past the 160 characters a reason keeps."""


class PanicException(BaseException):
    """What pyo3 raises for a Rust panic in calamine: not an Exception."""


@pytest.mark.parametrize(
    ("exc", "reason"),
    [
        (ValueError("bad zip"), "ValueError: bad zip"),
        (ValueError("z" * 200), "ValueError: " + "z" * 120),
        (
            ReaderFailedWithAVeryLongNameForItsKindError("y" * 200),
            ("ReaderFailedWithAVeryLongNameForItsKindError: " + "y" * 120)[:160],
        ),
        (PanicException("index out of bounds"), "PanicException: index out of bounds"),
    ],
)
def test_reader_failure_becomes_an_issue_with_its_reason(
    exc: BaseException, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(data: bytes) -> Any:
        raise exc

    monkeypatch.setattr(content, "read_grids", fail)

    assert _parsed("IDN.xlsx", _XLSX) == _refused(
        "upload 1 (IDN.xlsx)",
        "unreadable-file",
        f"upload 1 (IDN.xlsx): the workbook cannot be read ({reason}); open it in Excel or LibreOffice and save it "
        "again as .xlsx",
    )


def test_an_interrupt_while_reading_is_not_a_read_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(data: bytes) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(content, "read_grids", interrupted)

    with pytest.raises(KeyboardInterrupt):
        _parsed("IDN.xlsx", _XLSX)
