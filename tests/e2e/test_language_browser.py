"""The dashboard in Bahasa Indonesia, in Chromium (issue 11): the switch, the URL, the filters it keeps, axe-core.

What only a browser shows: a selectbox's browser side holds its option's label, and a change of language changes
the labels ("ASEAN member states" becomes "Negara anggota ASEAN"), so without ``ui.sidebar.keep_filters`` the
next page would lose the member-group filter.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from .axe import assert_no_serious_violations
from .test_browser import open_app, sidebar, wait_for_app

pytestmark = pytest.mark.e2e


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_switching_to_indonesian_keeps_the_filters_and_the_language_across_pages(page: Page, app_url: str):
    open_app(page, f"{app_url}/?group=asean")
    main = page.get_by_test_id("stMain")
    english = main.get_by_test_id("stMetricValue").all_inner_texts()
    expect(page.locator("html")).to_have_attribute("lang", "en")

    sidebar(page).get_by_role("combobox", name="Language · Bahasa").click()
    page.get_by_role("option", name="Bahasa Indonesia").click()
    wait_for_app(page)

    expect(page.locator("h1").first).to_have_text("Ikhtisar")
    expect(page.locator("html")).to_have_attribute("lang", "id")  # WCAG 3.1.1: the page says its language
    assert query(page)["lang"] == ["id"] and query(page)["group"] == ["asean"]
    indonesian = main.get_by_test_id("stMetricValue").all_inner_texts()
    assert [v.replace(",", "").replace(" of ", "/") for v in english] == [
        v.replace(".", "").replace(" dari ", "/") for v in indonesian
    ]  # the same figures, written the Indonesian way
    expect(sidebar(page).get_by_role("combobox", name="Kelompok anggota")).to_have_value("Negara anggota ASEAN")
    assert_no_serious_violations(page, "Overview in Bahasa Indonesia")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Kesenjangan").click()
    wait_for_app(page)

    assert query(page)["lang"] == ["id"] and query(page)["group"] == ["asean"]  # neither is lost on the way
    expect(page.get_by_test_id("stSidebarNav").get_by_role("link", name="Ikhtisar")).to_be_visible()
    page.goto("about:blank")
