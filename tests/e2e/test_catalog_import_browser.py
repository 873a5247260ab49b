"""An admin imports an official Bohol matrix in Chromium, and the dashboard shows it (issue 13 §3).

Local editing (an admin on this machine) on copies of the catalog and of a few member files: the *Method and
data* page takes the matrix and the remap table, previews what changes, imports, and the Gaps page then lists
the official items with no "working item" marker; axe-core checks the page with the import flow open.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from loaders.catalog import load_catalog
from tests.test_catalog_import import HEADER, bohol_rows, workbook

from .axe import assert_no_serious_violations
from .conftest import ROOT, streamlit_server
from .test_browser import open_app, save_tall_screenshot, wait_for_app

pytestmark = pytest.mark.e2e


def test_an_admin_imports_the_official_matrix_and_the_dashboard_reflects_it(page: Page, tmp_path: Path):
    data, cat = tmp_path / "data", tmp_path / "cat"
    data.mkdir()
    for name in ("THA.yaml", "KIR.yaml", "IDN.xlsx"):
        shutil.copy(ROOT / "data" / "sample" / name, data / name)
    shutil.copytree(ROOT / "commitments", cat)
    catalog = load_catalog(cat)
    rows = [r for r in bohol_rows(catalog) if r[0] != "BWP-A.2"]
    matrix = tmp_path / "BWP-2.0-matrix.xlsx"
    matrix.write_bytes(workbook([HEADER, *rows, ["BWP-A.9", "BWP-A", "Official item A.9", "", "p. 9"]]))
    remap = tmp_path / "MAP.csv"
    remap.write_text("old_id,new_id\nBWP-A.2,BWP-A.9\n")
    env = {"TRACKER_DATA_DIR": str(data), "TRACKER_CATALOG_DIR": str(cat), "TRACKER_LOCAL_EDITING": "1"}

    with streamlit_server(tmp_path / "import.log", env=env) as url:
        open_app(page, f"{url}/gaps")
        main = page.get_by_test_id("stMain")
        expect(main.get_by_text("working item, not official").first).to_be_attached()

        open_app(page, f"{url}/method")
        expect(main.get_by_role("heading", name="Import an official framework matrix")).to_be_visible()
        uploaders = main.get_by_test_id("stFileUploader").locator("input[type=file]")
        uploaders.nth(0).set_input_files(str(matrix))
        wait_for_app(page)
        expect(main.get_by_text("Not importable as it is")).to_be_visible()
        uploaders.nth(1).set_input_files(str(remap))
        wait_for_app(page)
        expect(main.get_by_text("Remapped: BWP-A.2 → BWP-A.9")).to_be_visible()
        expect(main.get_by_text("Actions re-pointed: 4 (KIR 2, THA 2)")).to_be_visible()
        assert_no_serious_violations(page, "Method and data with an import previewed")
        save_tall_screenshot(page, "catalog-import-preview")
        main.get_by_role("button", name="Import").click()
        wait_for_app(page)
        expect(main.get_by_text("Imported BWP-2.0-matrix.xlsx into the BWP entries of the catalog")).to_be_visible()

        open_app(page, f"{url}/gaps")
        expect(main.get_by_text("working item, not official")).to_have_count(0)
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached()
        save_tall_screenshot(page, "catalog-import-gaps-after")
        page.goto("about:blank")  # leave before the server stops, or the closed websocket logs errors

    assert "BWP-A.9" in (data / "THA.yaml").read_text(encoding="utf-8")
    assert not any(c.placeholder for c in load_catalog(cat).commitments.values())
