"""Uploads are parsed in a child process: whatever the reader does there, the caller gets issues, never a crash."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from loaders import sandbox, untrusted
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


@pytest.mark.parametrize("name", ["ABO.csv", "MEM.csv", "SLP.csv", "PKL.csv"])
def test_a_reader_that_crashes_exhausts_memory_hangs_or_lies_becomes_an_issue(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(untrusted, "CHILD_MODULE", "tests.hostile_reader")
    monkeypatch.setattr(sandbox, "CHILD_TIMEOUT_SECONDS", 3)
    marker = Path("/tmp/hostile-reader-ran")
    marker.unlink(missing_ok=True)

    raw = untrusted.read_untrusted_bytes(name, b"Member,Status\n")

    assert [(i.row, i.field, i.code) for i in raw.issues] == [(None, None, "unreadable-file")]
    assert raw.issues[0].message.startswith(f"{name}: this file could not be read")
    assert "save it again as .xlsx" in raw.issues[0].message
    assert raw.rows.empty
    assert not marker.exists()  # the pickle's payload never ran here


def test_the_child_runs_under_a_memory_limit() -> None:
    with pytest.raises(sandbox.ChildFailedError, match="memory"):
        sandbox.run_child("tests.hostile_reader", pickle.dumps(("MEM.csv", "", b"")))
    assert os.getpid() > 0  # and we are still here
