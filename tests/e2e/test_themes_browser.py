"""The Themes page in a real browser: pick a theme, its charts drawn, axe-core, and one click to Gaps on that theme.

The page's numbers are checked against hand counts in ``tests/test_themes_page.py`` (AppTest); here is what only a
browser shows: the bars drawn, the chosen theme in the address bar, the button that opens Gaps with the sidebar's
theme filter set (in the same session, where a link's query string alone would be dropped by the sidebar), and
WCAG 2.1 A/AA. Set ``E2E_SCREENSHOT_DIR`` to keep a tall screenshot of the page.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_no_serious_violations
from .test_browser import choose, chosen, open_app, query_has, save_tall_screenshot, sidebar, wait_for_app

pytestmark = pytest.mark.e2e

THEME, LABEL = "victim-centred-protection", "Victim-centred protection"
FIRST = "forced-criminality"  # the catalog's first theme: the page's default


def test_themes_page_charts_a_chosen_theme_and_opens_gaps_on_it(page: Page):
    open_app(page, "/themes?group=asean")
    main = page.get_by_test_id("stMain")
    expect(page.locator("h1").first).to_have_text("Themes")
    expect(page).to_have_url(query_has("theme_page", FIRST))

    choose(page, main, "Theme", LABEL)

    expect(page).to_have_url(query_has("theme_page", THEME))
    expect(page).to_have_url(query_has("group", "asean"))  # the sidebar filters stay in the URL beside it
    expect(main.locator("h2").first).to_have_text(LABEL)
    chart = page.locator(".stPlotlyChart").filter(has_text=f"Status of actions on {LABEL}, by framework")
    expect(chart.locator(".js-plotly-plot .main-svg").first).to_be_attached()
    expect(chart.locator(".barlayer .point path").first).to_be_visible()  # bars drawn, not only the axes
    assert chart.locator(".barlayer .point path").count() > 0
    expect(main.get_by_test_id("stMetric").first).to_be_visible()
    # The Bohol working items that carry the theme say so in words (issue 13): "BWP-B.1 … (working item, not official)".
    # (st.dataframe draws on a canvas; its accessible grid cells hold the text)
    expect(main.get_by_text("Victim identification (working item, not official)")).to_be_attached()
    assert_no_serious_violations(page, "Themes")
    save_tall_screenshot(page, "themes")

    main.get_by_role("button", name="Gaps on this theme").click()

    expect(page).to_have_url(re.compile(r"/gaps\?"))
    wait_for_app(page)
    expect(page.locator("h1").first).to_have_text("Gaps")
    expect(page).to_have_url(query_has("theme", THEME))  # still there once the sidebar has synced the URL
    expect(page).to_have_url(query_has("group", "asean"))
    expect(chosen(sidebar(page), "Theme")).to_have_text(LABEL)
