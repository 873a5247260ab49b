"""Every page a guest can open, in Bahasa Indonesia, in Chromium (issue 11, "Tests"): no English sentence is left
outside official titles, ids and the members' own words; the page draws as many charts as in English; axe-core
finds no serious violation with ``<html lang="id">``.

The check compares what the page shows in both languages: a line of five words or more that reads the same in
English and in Indonesian was not translated, unless it is an official title (the Adelaide areas, framework and
mechanism names) or text from the records (an action's title).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from loaders.dataset import load_dataset
from tracker import settings

from .axe import assert_no_serious_violations
from .test_browser import open_app, wait_for_app

pytestmark = pytest.mark.e2e

GUEST_PAGES = ["", "progress", "gaps", "overlap", "themes", "compare", "member", "method", "exports", "submit"]
WORD = re.compile(r"\b[A-Za-z]*[a-z][A-Za-z]*\b")  # a word, not an id (ASC-6.2, IDN-014, THA)


def allowed_english() -> set[str]:
    """Official titles (of the frameworks, areas, mechanisms and cited documents) and the records' own text: the
    same in every language."""
    data = load_dataset(settings.SAMPLE_DATA_DIR)
    catalog = data.catalog
    official = {c.title for c in catalog.commitments.values() if c.official_title}
    official |= {f.name for f in catalog.frameworks.values()} | {m.name for m in catalog.mechanisms.values()}
    official |= {s.title for s in catalog.sources.values()}
    members_words = ("title", "description", "lead_agency", "notes", "evidence")
    return official | {str(text) for column in members_words for text in data.actions[column].dropna() if text}


def is_allowed(line: str, allowed: set[str]) -> bool:
    """``line`` holds an allowed text, or is one cut short with "…" (a long title on a chart axis)."""
    cut = line.removesuffix("…").strip()
    return any(text in line or (line.endswith("…") and cut.split(" ", 1)[-1] in text) for text in allowed)


def shown_lines(page: Page) -> list[str]:
    """The main area's visible text, line by line."""
    text = page.get_by_test_id("stMain").inner_text()
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def charts_drawn(page: Page) -> int:
    plots = page.locator(".stPlotlyChart")
    for i in range(plots.count()):
        expect(plots.nth(i).locator(".js-plotly-plot .main-svg").first).to_be_attached()
    return plots.count()


@pytest.fixture(scope="module")
def allowed() -> set[str]:
    return allowed_english()


@pytest.mark.parametrize("path", GUEST_PAGES)
def test_the_page_in_indonesian_has_no_english_left(page: Page, app_url: str, allowed: set[str], path: str):
    open_app(page, f"{app_url}/{path}?lang=en")
    english = set(shown_lines(page))
    english_charts = charts_drawn(page)

    open_app(page, f"{app_url}/{path}?lang=id")
    wait_for_app(page)
    expect(page.locator("html")).to_have_attribute("lang", "id")
    indonesian = shown_lines(page)
    untranslated = [
        line
        for line in indonesian
        if line in english and len(WORD.findall(line)) >= 5 and not is_allowed(line, allowed)
    ]
    assert untranslated == [], f"/{path}: English left on the Indonesian page"
    assert charts_drawn(page) == english_charts
    assert_no_serious_violations(page, f"/{path}?lang=id")
