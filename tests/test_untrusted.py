"""Uploads are parsed in a child process: whatever the reader does there, the caller gets issues, never a crash."""

from __future__ import annotations

import io
import os
import pickle
import sys
from pathlib import Path

import pytest

from loaders import content, sandbox, untrusted
from loaders.tables import read_member_bytes
from loaders.untrusted import read_untrusted_bytes
from tests.make_fixtures import VALID_DIR


def _codes(name: str, data: bytes = b"x") -> list[tuple[int | None, str | None, str]]:
    return [(i.row, i.field, i.code) for i in read_untrusted_bytes(name, data).issues]


@pytest.mark.parametrize("variant", ["openpyxl", "libreoffice-xls", "libreoffice-ods", "csv-comma", "yaml"])
def test_upload_read_in_a_child_gives_what_reading_here_gives(variant: str) -> None:
    (path,) = [p for p in (VALID_DIR / variant).iterdir() if p.is_file()]
    data = path.read_bytes()

    isolated, here = read_untrusted_bytes(path.name, data), read_member_bytes(path.name, data)

    assert isolated.issues == here.issues
    assert isolated.rows.equals(here.rows)
    assert (isolated.member, isolated.sheet, isolated.illustrative) == (here.member, here.sheet, here.illustrative)


def test_refusals_made_in_the_child_come_back_as_they_are() -> None:
    assert _codes("IDN.xlsm") == [(None, None, "macro-workbook-refused")]
    assert _codes("IDN.yaml", b"member: IDN\nactions:\n  - title: !!python/object/apply:os.system [x]\n") == [
        (3, None, "yaml-unsafe-tag")
    ]


# What the issue says happened to the child (tests/hostile_reader.py), name by name.
WHY_THE_CHILD_FAILED = {
    "ABO.csv": "the reader stopped: it crashed (signal SIGABRT)",
    "MEM.csv": "the reader ran out of memory (over 1024 MB)",
    "SLP.csv": "reading took longer than 3 s",
    "PKL.csv": "its answer was not plain data: posix.system is not plain data",
}


@pytest.mark.parametrize("name", ["ABO.csv", "MEM.csv", "SLP.csv", "PKL.csv"])
def test_a_reader_that_crashes_exhausts_memory_hangs_or_lies_becomes_an_issue(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(untrusted, "CHILD_MODULE", "tests.hostile_reader")
    monkeypatch.setattr(sandbox, "CHILD_TIMEOUT_SECONDS", 3)
    marker = Path("/tmp/hostile-reader-ran")
    marker.unlink(missing_ok=True)

    raw = untrusted.read_untrusted_bytes(name, b"Member,Status\n")

    assert [(i.file, i.row, i.field, i.code) for i in raw.issues] == [(name, None, None, "unreadable-file")]
    assert raw.issues[0].message == (
        f"{name}: this file could not be read ({WHY_THE_CHILD_FAILED[name]}). Open it in Excel or LibreOffice, "
        "save it again as .xlsx (File > Save As > Excel Workbook) and upload that"
    )
    assert raw.rows.empty
    assert not marker.exists()  # the pickle's payload never ran here


def test_the_child_runs_under_a_memory_limit() -> None:
    with pytest.raises(sandbox.ChildFailedError, match="memory"):
        sandbox.run_child("tests.hostile_reader", pickle.dumps(("MEM.csv", "", b"")))
    assert os.getpid() > 0  # and we are still here


def _child_side(monkeypatch: pytest.MonkeyPatch, name: str, shown: str, data: bytes) -> object:
    """What ``python -m loaders.content`` answers for (name, shown, data), run in this process."""
    stdout = io.TextIOWrapper(io.BytesIO())
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(pickle.dumps((name, shown, data)))))
    monkeypatch.setattr(sys, "stdout", stdout)
    content._child_main()
    return pickle.loads(stdout.buffer.getvalue())  # type: ignore[attr-defined]


def test_the_child_side_answers_what_parsing_here_gives_and_reads_xls_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (VALID_DIR / "libreoffice-xls" / "IDN.xls").read_bytes()
    # Already in a child: a second child for .xls would only cost time.
    monkeypatch.setattr(content, "read_grids_isolated", lambda _: pytest.fail("the child started another child"))

    answer = _child_side(monkeypatch, "IDN.xls", "upload 1 (IDN.xls)", data)

    assert answer == content.parse_member_content("IDN.xls", data, "upload 1 (IDN.xls)", isolate_xls=False)
    assert answer[0] == "workbook"  # type: ignore[index]


def test_the_child_side_names_the_file_as_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    kind, issue = _child_side(monkeypatch, "IDN.xlsm", "upload 1 (IDN.xlsm)", b"x")  # type: ignore[misc]

    assert (kind, issue.code, issue.file) == ("refused", "macro-workbook-refused", "upload 1 (IDN.xlsm)")


def test_why_the_child_failed_is_cut_to_160_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def failed(module: str, payload: bytes) -> bytes:
        raise sandbox.ChildFailedError("r" * 160 + "cut")

    monkeypatch.setattr(untrusted, "run_child", failed)

    (issue,) = read_untrusted_bytes("IDN.csv", b"Member\n", label="upload 1 (IDN.csv)").issues

    assert (issue.file, issue.code) == ("upload 1 (IDN.csv)", "unreadable-file")
    assert issue.message == (
        f"upload 1 (IDN.csv): this file could not be read ({'r' * 160}). Open it in Excel or LibreOffice, save it "
        "again as .xlsx (File > Save As > Excel Workbook) and upload that"
    )
