"""The dashboard opened on the public record (``data/public``) in a real browser: labelled, sourced, accessible.

What only a browser shows: the label above every page's figures, each action's source page as a real link the
reviewer can follow (with the address visible), the charts drawn from the few dozen real actions, and WCAG 2.1
A/AA by axe-core on each page opened. The label's wording on every surface is tested in
``tests/test_public_record.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from tracker.settings import PROJECT_ROOT

from .axe import assert_no_serious_violations
from .conftest import streamlit_server
from .test_browser import open_app, save_tall_screenshot

pytestmark = pytest.mark.e2e

PUBLIC = PROJECT_ROOT / "data" / "public"
BANNER = "Public record: these actions were compiled from public sources read on 30 November 2026"


def test_the_public_record_is_labelled_sourced_and_accessible(page: Page, tmp_path: Path):
    philippines = yaml.safe_load((PUBLIC / "PHL.yaml").read_text(encoding="utf-8"))["actions"]
    with streamlit_server(tmp_path / "public.log", env={"TRACKER_DATA_DIR": str(PUBLIC)}) as url:
        for path, title in (("/", "Overview"), ("/gaps", "Gaps"), ("/member?m=PHL", "Member profile")):
            open_app(page, f"{url}{path}")
            main = page.get_by_test_id("stMain")
            expect(page.locator("h1").first).to_have_text(title)
            expect(main.get_by_text(BANNER)).to_be_visible()
            expect(main.get_by_text("Illustrative sample data")).to_have_count(0)
            expect(page.locator(".js-plotly-plot .main-svg").first).to_be_attached()
            assert_no_serious_violations(page, f"{title} on the public record")
        save_tall_screenshot(page, "public-record-member")

        # Every action of the member links to its source page, its address shown as the link's text.
        for entry in philippines:
            link = page.locator(f'a[href="{entry["evidence"]}"]').first
            expect(link).to_be_attached()
            expect(link).to_have_text(entry["evidence"])
        page.goto("about:blank")  # leave before the server stops, or the closed websocket logs errors
