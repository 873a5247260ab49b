"""``validate`` text output lists the first issues and counts the rest; ``--json`` keeps every issue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.make_fixtures import valid_row, write_xlsx
from tracker.cli import MAX_TEXT_ISSUES, main


@pytest.fixture
def many_errors(tmp_path: Path) -> Path:
    """IDN.xlsx with 250 rows of an unknown status: 250 errors."""
    write_xlsx(tmp_path / "IDN.xlsx", [valid_row(status="Almost done") for _ in range(250)])
    return tmp_path / "IDN.xlsx"


def test_text_output_shows_the_first_issues_and_how_many_more(
    many_errors: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(many_errors)])

    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert sum(line.startswith("ERROR ") for line in lines) == MAX_TEXT_ISSUES
    assert lines[-2] == f"… and {250 - MAX_TEXT_ISSUES} more issues; run with --json for the full list."
    assert lines[-1].startswith("ERRORS: 250 error(s), 0 warning(s)")


def test_json_output_keeps_every_issue(many_errors: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(many_errors), "--json"])

    document = json.loads(capsys.readouterr().out)
    assert status == 1
    assert set(document) == {"ok", "issues"}
    assert document["ok"] is False and len(document["issues"]) == 250


def test_text_output_under_the_cap_lists_everything(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_xlsx(tmp_path / "IDN.xlsx", [valid_row(status="Almost done") for _ in range(3)])

    main(["validate", str(tmp_path / "IDN.xlsx")])

    out = capsys.readouterr().out
    assert out.count("ERROR ") == 3 and "more issues" not in out
