"""The Compare page in a real browser: a comparison opened from its URL draws both subjects and its charts.

Set ``E2E_SCREENSHOT_DIR`` to keep a tall screenshot of the page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_no_serious_violations
from .test_browser import metric, open_app, save_tall_screenshot

pytestmark = pytest.mark.e2e


def test_two_members_from_the_url_side_by_side(page: Page):
    open_app(page, "/compare?cmp_members=THA,IDN")
    main = page.get_by_test_id("stMain")

    expect(main.get_by_role("heading", name="Compare", level=1)).to_be_visible()
    headings = main.get_by_role("heading", level=3)
    expect(headings.filter(has_text=re.compile(r"^(Indonesia \(IDN\)|Thailand \(THA\))$"))).to_have_text(
        ["Indonesia (IDN)", "Thailand (THA)"]  # A–Z by name, whatever the order in the URL
    )
    expect(metric(page, "Actions reported")).to_have_count(2)
    for key in ("compare_status", "compare_coverage", "compare_dual", "compare_themes", "compare_freshness"):
        expect(page.locator(f".st-key-{key} .js-plotly-plot .main-svg").first).to_be_visible()
    # Drawn, not only mounted: one bar per subject and framework on the coverage chart.
    expect(page.locator(".st-key-compare_coverage .js-plotly-plot .bars .point")).to_have_count(4)
    expect(page).to_have_url(re.compile(r"[?&]cmp_members=IDN(,|%2C)THA(&|$)"))  # written back in a fixed order

    save_tall_screenshot(page, "compare-members")
    assert_no_serious_violations(page, "the Compare page")
