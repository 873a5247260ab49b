"""A guest tries the Submit page as an attacker would, in a real browser against a real server.

Hostile uploads (a workbook whose one far cell would make the reader allocate hundreds of GiB, a CSV of a
million columns, a YAML alias bomb, a macro workbook under a plain name) each get a clear issue, and the
server keeps serving everyone: after every upload its health check answers and a second, independent
session opens the dashboard. A file that cites a confidential action's id learns nothing about it.
"""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from tests.make_fixtures import INVALID_DIR

from .conftest import ROOT, streamlit_server
from .test_browser import metric, open_app, wait_for_app

pytestmark = pytest.mark.e2e

SECRET_ID = "THA-017"  # the sample's confidential THA action
SECRET_TITLE = "Sealed arrangement with a witness-protection unit (attacker test marker)"


@pytest.fixture(scope="module")
def attacked_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own on a copy of THA's and IDN's files, THA's confidential action given a marker title."""
    directory = tmp_path_factory.mktemp("attacked") / "data"
    directory.mkdir()
    for name in ("THA.yaml", "IDN.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, directory / name)
    text = (directory / "THA.yaml").read_text(encoding="utf-8")
    (secret,) = [a for a in yaml.safe_load(text)["actions"] if a.get("confidential")]
    assert secret["action_id"] == SECRET_ID
    (directory / "THA.yaml").write_text(text.replace(secret["title"], SECRET_TITLE), encoding="utf-8")
    log = tmp_path_factory.mktemp("attacked-log") / "server.log"
    with streamlit_server(log, env={"TRACKER_DATA_DIR": str(directory)}) as url:
        yield url


def healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as answer:
        return answer.read().decode() == "ok"


def upload(page: Page, path: Path) -> None:
    page.get_by_test_id("stFileUploader").locator("input[type=file]").set_input_files(str(path))
    wait_for_app(page, timeout=90_000)


def hostile_files(folder: Path) -> dict[str, tuple[Path, str]]:
    """name -> (the file, a phrase the issue shown for it must contain)."""
    folder.mkdir(exist_ok=True)
    million_columns = folder / "IDN.csv"
    million_columns.write_bytes(b"Member,Commitment IDs,Action title,Status,Last updated" + b",x" * 1_000_000 + b"\n")
    macro = folder / "IDN.xlsx"
    macro.write_bytes((INVALID_DIR / "vba-project-in-xlsx" / "IDN.xlsx").read_bytes())
    return {
        "far cell, single-quoted reference": (INVALID_DIR / "far-cell-single-quoted" / "IDN.xlsx", "cells"),
        "a million columns": (million_columns, "columns"),
        "YAML alias bomb": (INVALID_DIR / "yaml-alias-bomb" / "IDN.yaml", "IDN.yaml"),
        "VBA project in a plain .xlsx": (macro, "macro"),
    }


def test_no_upload_stops_the_server(attacked_url: str, page: Page, browser: Browser, tmp_path: Path) -> None:
    open_app(page, f"{attacked_url}/")
    before = metric(page, "Actions reported").inner_text()
    for name, (path, phrase) in hostile_files(tmp_path / "uploads").items():
        open_app(page, f"{attacked_url}/submit")
        upload(page, path)

        alert = page.get_by_test_id("stAlertContentError").first
        expect(alert, name).to_contain_text("Nothing has been saved")
        with page.expect_download() as info:  # the issues, as the download the page offers beside the table
            page.get_by_role("button", name="Download all 1 issues (CSV)").click()
        issues = Path(info.value.path()).read_text(encoding="utf-8-sig")
        assert phrase.lower() in issues.lower(), (name, issues)
        assert healthy(attacked_url), f"the server stopped answering after the {name} upload"
        other = browser.new_page()
        try:  # someone else, at the same time, still gets the dashboard
            open_app(other, f"{attacked_url}/")
            expect(metric(other, "Actions reported")).to_have_text(before)
        finally:
            other.close()


def test_citing_a_confidential_id_tells_a_guest_nothing(attacked_url: str, page: Page, tmp_path: Path) -> None:
    def preview_text(action_id: str) -> str:
        document = {
            "member": "THA",
            "actions": [
                {
                    "action_id": action_id,
                    "member": "THA",
                    "commitments": "BWP-A",
                    "title": "Probe",
                    "status": "limited",
                    "last_updated": "2026-01-15",
                }
            ],
        }
        path = tmp_path / action_id / "THA.yaml"
        path.parent.mkdir()
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        open_app(page, f"{attacked_url}/submit")
        upload(page, path)
        return page.get_by_test_id("stMain").inner_text()

    cited = preview_text(SECRET_ID)
    unknown = preview_text("THA-900")

    assert SECRET_TITLE not in cited
    assert cited.replace(SECRET_ID, "THA-900") == unknown
