"""The dashboard in a real browser: navigation, filters in the URL, downloads, chart drill-down, printing, a11y.

Every test also fails on a console error, an uncaught page error, a failed request or a request to a host other
than this machine (the ``browser_watch`` fixture in conftest.py). Set ``E2E_SCREENSHOT_DIR`` to keep a tall
screenshot of every page.
"""

from __future__ import annotations

import csv
import io
import os
import re
import time
import weakref
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, Request, expect

from tests.hostile import EVIL, HOSTILE, HOSTILE_EVIDENCE, LINK_AND_PIXEL, RAW_LINK, SAFE_EVIDENCE, write_hostile_data
from ui.text import WORD_JOINER

from .axe import assert_no_serious_violations
from .conftest import streamlit_server

pytestmark = pytest.mark.e2e

APP = '[data-testid="stApp"]'
NOTHING_MATCHES = "Nothing matches the current filters"
NO_ACTION_IN_CELL = "No action reported by this member for this commitment"

# The pages this suite knows, by URL path: (sidebar title, h1 pattern, draws charts). The walks below also visit
# any page added to the navigation later, with the checks that apply to every page.
PAGES = {
    "": ("Overview", r"^Overview$", True),
    "progress": ("Progress", r"^Progress$", True),
    "gaps": ("Gaps", r"^Gaps$", True),
    "overlap": ("ASEAN overlap", r"^ASEAN overlap\b", True),
    "member": ("Member profile", r"^Member profile$", True),
    "method": ("Method and data", r"^Method and data$", False),
    "submit": ("Submit an update", r"^Submit an update$", False),
}
# What a filtered page says when the filters match nothing; pages not listed do not depend on the filters.
EMPTY_MESSAGES = {"": NOTHING_MATCHES, "progress": NOTHING_MATCHES, "gaps": NO_ACTION_IN_CELL}
EMPTY_MESSAGES |= {"overlap": NOTHING_MATCHES, "member": NOTHING_MATCHES}


# --- helpers -------------------------------------------------------------------------------------------------------


_IN_FLIGHT: weakref.WeakKeyDictionary[Page, set[Request]] = weakref.WeakKeyDictionary()


def track_requests(page: Page) -> set[Request]:
    """The page's HTTP requests that have neither finished nor failed (listeners added on the first call)."""
    if page not in _IN_FLIGHT:
        pending: set[Request] = set()
        page.on("request", lambda request: pending.add(request))
        page.on("requestfinished", lambda request: pending.discard(request))
        page.on("requestfailed", lambda request: pending.discard(request))
        _IN_FLIGHT[page] = pending
    return _IN_FLIGHT[page]


def wait_for_app(page: Page, timeout: float = 30_000) -> None:
    """Wait until Streamlit is connected, has finished the script run and shows no skeleton (pitfalls J33),
    and until the requests the run started are done.

    The last step matters: as a run ends, every download button fetches its file from /media/. Leaving the page
    (or rerunning) while those fetches are in flight aborts them, and an aborted request fails the test.
    """
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=timeout)
    page.wait_for_timeout(250)  # a widget change reaches the server after a short debounce; let the run start
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout)
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=timeout)
    pending = track_requests(page)
    deadline = time.monotonic() + timeout / 1000
    while pending:
        if time.monotonic() > deadline:
            pytest.fail(f"requests still in flight: {sorted(r.url for r in pending)}")
        page.wait_for_timeout(25)
    exception = page.get_by_test_id("stException")
    if exception.count():  # fail here with the traceback, not later with a locator timeout
        pytest.fail(f"the app raised an exception:\n{exception.first.inner_text()[:3000]}")


def open_app(page: Page, path: str = "/") -> None:
    """Load a URL (relative to the server, or absolute) as a new Streamlit session and wait for it."""
    track_requests(page)
    page.goto(path)
    wait_for_app(page)


def sidebar(page: Page) -> Locator:
    return page.get_by_test_id("stSidebar")


def nav_pages(page: Page) -> list[tuple[str, str]]:
    """(title, URL path) of every link in the sidebar navigation, in order."""
    links = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
    found = links.evaluate_all(
        "links => links.map(a => [a.querySelector('[data-testid=stMarkdownContainer]').innerText, a.href])"
    )
    return [(title.strip(), urlsplit(href).path.strip("/")) for title, href in found]


def go_to(page: Page, title: str, path: str) -> None:
    """Click a page's link in the sidebar navigation and wait for it."""
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    expect(page).to_have_url(re.compile(rf"^[^?]*/{re.escape(path)}(\?.*)?$"))
    wait_for_app(page)


def metric(page: Page, label: str) -> Locator:
    """The value of the st.metric whose label is exactly ``label``."""
    label_box = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    return page.get_by_test_id("stMetric").filter(has=label_box).get_by_test_id("stMetricValue")


def _settled(box: Locator) -> Locator:
    """``box`` scrolled wholly into view first: a scroll still going on when the list opens closes it again
    (seen once the sidebar's navigation grew and its filters fell below a 720-pixel window)."""
    box.scroll_into_view_if_needed()
    expect(box).to_be_in_viewport(ratio=1)
    return box


def choose(page: Page, scope: Locator, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox."""
    _settled(scope.get_by_role("combobox", name=label, exact=True)).click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def add_choice(page: Page, scope: Locator, label: str, option: str, typed: str) -> None:
    """Add an option to a Streamlit multiselect by typing part of it and clicking it."""
    box = _settled(scope.get_by_role("combobox", name=label, exact=True))
    box.click()
    box.fill(typed)
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")
    wait_for_app(page)


def chosen(scope: Locator, label: str) -> Locator:
    """The tags a multiselect shows as selected."""
    box = scope.page.get_by_role("combobox", name=label, exact=True)  # `has` is matched inside each multiselect
    widget = scope.get_by_test_id("stMultiSelect").filter(has=box)
    return widget.get_by_role("group", name="Selected values")


def query_has(key: str, value: str) -> re.Pattern[str]:
    return re.compile(rf"[?&]{re.escape(key)}={re.escape(value)}(&|$)")


def save_tall_screenshot(page: Page, name: str) -> None:
    """Save the whole page to $E2E_SCREENSHOT_DIR/<name>.png when that variable is set.

    Streamlit scrolls inside stMain, so full_page=True would crop to the viewport (tech-notes §3): grow the
    viewport to stMain's scroll height (re-measured, as charts re-layout on resize), shoot, then restore it.
    """
    directory = os.environ.get("E2E_SCREENSHOT_DIR")
    if not directory:
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    original = page.viewport_size or {"width": 1400, "height": 900}
    height = 0
    for _ in range(3):
        wanted = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
        if wanted == height:
            break
        height = max(wanted, original["height"])
        page.set_viewport_size({"width": original["width"], "height": height})
        page.wait_for_timeout(300)
    page.screenshot(path=str(Path(directory) / f"{name}.png"))
    page.set_viewport_size(original)


def gap_cell(page: Page, *, with_actions: bool) -> dict[str, Any]:
    """A cell of the gap matrix, not in the first row or column, with or without actions, and its screen position.

    The cell's pixel centre comes from the plot's own axes (plotly's category axis maps index -> pixel), plus the
    plot's bounding box, after the chart has been scrolled to the top of the viewport.
    """
    page.locator(".st-key-gaps_matrix").evaluate("e => e.scrollIntoView({block: 'start'})")
    return page.locator(".st-key-gaps_matrix .js-plotly-plot").evaluate(
        """(gd, withActions) => {
          const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
          const cells = gd.data.find((t) => t.name === "cells").customdata;
          const [member, commitment, n] = cells.find(
            ([m, c, k]) => m !== ya._categories[0] && c !== xa._categories[0] && (k > 0) === withActions);
          const row = ya._categories.indexOf(member), col = xa._categories.indexOf(commitment);
          return {member, commitment, n, label: ya.ticktext[row],
                  x: box.left + xa._offset + xa.l2p(col), y: box.top + ya._offset + ya.l2p(row)};
        }""",
        with_actions,
    )


def click_gap_cell(page: Page, cell: dict[str, Any]) -> None:
    """Hover the chart, move onto the cell, check plotly's hover label names it, then press and release there."""
    page.locator(".st-key-gaps_matrix").hover()
    page.mouse.move(cell["x"], cell["y"])
    expect(page.locator(".st-key-gaps_matrix .hoverlayer")).to_contain_text(cell["label"])
    page.mouse.down()
    page.mouse.up()
    wait_for_app(page)


# --- tests ---------------------------------------------------------------------------------------------------------


def test_every_page_opens_from_the_sidebar_and_passes_axe(page: Page, browser_watch, subtests):
    """One walk from / through every link of the sidebar navigation; each page is its own subtest."""
    open_app(page, "/")
    pages = nav_pages(page)
    assert {path for _, path in pages} >= set(PAGES), f"pages missing from the navigation: {pages}"
    for title, path in pages:
        with subtests.test(msg=title):
            go_to(page, title, path)
            _, heading, charts = PAGES.get(path, (title, r"\S", False))
            expect(page.locator("h1").first).to_have_text(re.compile(heading))
            expect(page.get_by_test_id("stException")).to_have_count(0)
            if charts:
                plots = page.locator(".stPlotlyChart")
                expect(plots.first).to_be_visible()
                for i in range(plots.count()):
                    expect(plots.nth(i).locator(".js-plotly-plot .main-svg").first).to_be_attached()
            browser_watch.assert_clean(title)
            assert_no_serious_violations(page, title)
            save_tall_screenshot(page, f"page-{path or 'overview'}")


def test_a_filter_changes_the_headline_and_the_url(page: Page):
    open_app(page, "/")
    actions = metric(page, "Actions reported")
    everything = actions.inner_text()
    expect(metric(page, "Members reporting")).to_have_text(re.compile(r" of 49$"))

    choose(page, sidebar(page), "Member group", "Member organisations")

    expect(actions).not_to_have_text(everything)
    expect(metric(page, "Members reporting")).to_have_text("4 of 4")
    expect(page).to_have_url(query_has("group", "org"))


def test_the_url_restores_filters(page: Page):
    open_app(page, "/?member=IDN&framework=ASC")
    expect(sidebar(page).get_by_role("combobox", name="Framework", exact=True)).to_have_value("Adelaide Strategy")
    expect(chosen(sidebar(page), "Member")).to_have_text("Indonesia (IDN)")
    expect(metric(page, "Members reporting")).to_have_text("1 of 1")
    from_url = metric(page, "Actions reported").inner_text()

    open_app(page, "/")  # a new session, no filters
    unfiltered = metric(page, "Actions reported").inner_text()
    choose(page, sidebar(page), "Framework", "Adelaide Strategy")
    add_choice(page, sidebar(page), "Member", "Indonesia (IDN)", "Indonesia")

    expect(metric(page, "Actions reported")).to_have_text(from_url)
    assert from_url != unfiltered
    expect(page).to_have_url(query_has("member", "IDN"))
    expect(page).to_have_url(query_has("framework", "ASC"))


def test_filters_survive_navigation(page: Page):
    open_app(page, "/")
    add_choice(page, sidebar(page), "Member", "Thailand (THA)", "Thai")
    expect(page).to_have_url(query_has("member", "THA"))
    filtered = metric(page, "Actions reported").inner_text()

    go_to(page, "Progress", "progress")
    expect(page).to_have_url(query_has("member", "THA"))
    expect(chosen(sidebar(page), "Member"), "the widget still shows the filter").to_have_text("Thailand (THA)")
    # The page itself is filtered: the per-action timeline is drawn only for a narrow selection (≤150 actions).
    expect(page.get_by_text("The per-action timeline shows up to")).to_have_count(0)
    expect(page.get_by_test_id("stExpander").filter(has_text="Data table: Timeline of actions")).to_have_count(1)

    go_to(page, "Overview", "")
    expect(page).to_have_url(query_has("member", "THA"))
    expect(metric(page, "Actions reported")).to_have_text(filtered)


def test_a_chart_table_downloads_as_labelled_csv(page: Page):
    open_app(page, "/")
    expander = page.get_by_test_id("stExpander").filter(has_text="Data table: Status of actions by framework")
    expander.locator("summary").click()
    button = expander.get_by_role("button", name="Download this table (CSV)")
    expect(button).to_be_visible()
    assert_no_serious_violations(page, "Overview with a data table open")

    with page.expect_download() as info:
        button.click()
    download = info.value

    assert download.failure() is None
    assert download.suggested_filename == "status-by-framework.csv"
    raw = Path(download.path()).read_bytes()
    assert raw, "the download is empty"
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[0] == "data_note" and len(header) > 1, header
    assert {"group", "status"} <= set(header), header
    assert body, "no data rows"
    assert all(r[0].startswith("ILLUSTRATIVE SAMPLE DATA") for r in body)
    # Same rows as the table shown above the button (the grid's aria-rowcount counts its header row).
    shown = expander.get_by_test_id("stDataFrame").locator("table[aria-rowcount]")
    assert len(body) == int(shown.get_attribute("aria-rowcount") or 0) - 1


def test_clicking_a_gap_matrix_cell_lists_its_actions(page: Page):
    open_app(page, "/gaps")
    main = page.get_by_test_id("stMain")
    member_box = main.get_by_role("combobox", name="Member", exact=True)
    commitment_box = main.get_by_role("combobox", name="Commitment", exact=True)
    heading = main.get_by_test_id("stElementContainer").filter(
        has=page.get_by_role("heading", name="Actions behind a cell")
    )
    result = heading.locator("xpath=following-sibling::*[2]")  # after the row of the two selectboxes
    first_member = member_box.input_value()

    cell = gap_cell(page, with_actions=True)
    assert cell["label"] != first_member
    click_gap_cell(page, cell)

    expect(member_box).to_have_value(cell["label"])
    expect(commitment_box).to_have_value(re.compile(rf"^{re.escape(cell['commitment'])} "))
    table = result.get_by_test_id("stDataFrame").locator("table[aria-rowcount]")
    expect(table).to_have_attribute("aria-rowcount", str(cell["n"] + 1))  # the cell's count, plus the header row
    assert_no_serious_violations(page, "Gaps after a drill-down")

    empty = gap_cell(page, with_actions=False)
    click_gap_cell(page, empty)

    expect(member_box).to_have_value(empty["label"])
    expect(commitment_box).to_have_value(re.compile(rf"^{re.escape(empty['commitment'])} "))
    expect(result).to_contain_text(NO_ACTION_IN_CELL)
    expect(result.get_by_test_id("stDataFrame")).to_have_count(0)


def test_filters_that_match_nothing_say_so_on_every_page(page: Page, subtests):
    """BTN has no action file in the sample, so BTN + Discontinued matches nothing; every page says so in words."""
    open_app(page, "/?status=discontinued&member=BTN")
    for title, path in nav_pages(page):
        with subtests.test(msg=title):
            go_to(page, title, path)
            if path == "member":  # the profile's own picker replaces the member filter
                choose(page, page.get_by_test_id("stMain"), "Member", "Bhutan (BTN)")
            expect(page.get_by_test_id("stException")).to_have_count(0)
            if message := EMPTY_MESSAGES.get(path):
                expect(page.get_by_test_id("stAlert").filter(has_text=message).first).to_be_visible()
            if path in ("", "member"):
                expect(metric(page, "Actions reported")).to_have_text("0")
            save_tall_screenshot(page, f"nothing-{path or 'overview'}")


def test_printing_the_member_profile_leaves_out_the_sidebar(page: Page):
    open_app(page, "/member?m=IDN")
    expect(page.get_by_role("heading", name="Indonesia (IDN)")).to_be_visible()
    expect(sidebar(page)).to_be_visible()

    page.emulate_media(media="print")

    expect(sidebar(page)).to_be_hidden()
    expect(page.get_by_role("heading", name="Indonesia (IDN)")).to_be_visible()
    expect(page.locator(".stPlotlyChart").first).to_be_visible()
    save_tall_screenshot(page, "member-print")


def test_a_deep_link_on_a_fresh_server_runs_the_whole_app(page: Page, fresh_app_url: str):
    """Regression: with a pages/ folder, a first-ever request for /member ran the page alone (legacy multipage
    mode: file names as navigation, no filters, no wide layout) until someone had opened / once."""
    open_app(page, f"{fresh_app_url}/member?m=THA")

    expect(page.get_by_role("heading", name="Thailand (THA)")).to_be_visible()
    nav = page.get_by_test_id("stSidebarNav")
    for title, *_ in PAGES.values():
        expect(nav.get_by_role("link", name=title, exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="dashboard", exact=True), "legacy mode lists file names").to_have_count(0)
    expect(sidebar(page).get_by_role("heading", name="Filters")).to_be_visible()
    box = page.get_by_test_id("stMainBlockContainer").bounding_box()
    assert box and box["width"] > 900, f"layout is not wide: {box}"


# --- text is text --------------------------------------------------------------------------------------------------

# Attributes through which an element links to, or loads, another address.
_ADDRESS_ATTRIBUTES = ["href", "xlink:href", "src", "srcset", "style", "action", "formaction", "poster", "data"]


def elements_pointing_at(page: Page, host: str) -> list[str]:
    """Every element of the page (HTML or SVG, charts included) whose link or resource attribute names ``host``."""
    return page.evaluate(
        """([host, names]) => {
          const found = [];
          for (const el of document.querySelectorAll("*")) {
            for (const attr of el.attributes) {
              if (names.includes(attr.name) && attr.value.includes(host)) {
                found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
              }
            }
          }
          return found;
        }""",
        [host, _ADDRESS_ATTRIBUTES],
    )


@pytest.fixture
def hostile_app_url(page: Page, tmp_path: Path):
    """A server of its own whose only member file puts markup in every free-text field (tests/hostile.py)."""
    data = write_hostile_data(tmp_path / "data")
    with streamlit_server(tmp_path / "hostile-server.log", env={"TRACKER_DATA_DIR": str(data)}) as url:
        yield url
        page.goto("about:blank")  # leave before the server stops, or the closed websocket logs errors


def test_members_markup_is_shown_as_text_never_as_a_link_an_image_or_a_request(page: Page, hostile_app_url: str):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    open_app(page, f"{hostile_app_url}/member?m=IDN")
    actions = page.get_by_test_id("stTable").filter(has_text="Raw link")
    # What the reader sees (less the invisible word joiners that keep addresses from turning into links).
    shown = actions.inner_text().replace(WORD_JOINER, "")
    assert LINK_AND_PIXEL in shown  # the defect: a link and a tracking pixel, now the text as written
    assert RAW_LINK in shown and HOSTILE["script"] in shown and HOSTILE["latex"] in shown
    assert HOSTILE_EVIDENCE["javascript"] in shown  # as text, not a link
    evidence = actions.locator(f'a[href="{SAFE_EVIDENCE}"]')
    expect(evidence).to_have_text(SAFE_EVIDENCE)  # a web address is a link that shows where it goes
    assert not actions.locator('a[href^="javascript:" i], a[href^="data:" i]').count()
    assert elements_pointing_at(page, EVIL) == [], "on the member profile"

    open_app(page, f"{hostile_app_url}/progress?member=IDN")
    expect(page.locator(".stPlotlyChart .ytick text").first).to_be_attached()
    assert elements_pointing_at(page, EVIL) == [], "on the Progress page"
    ticks = page.locator(".stPlotlyChart .ytick text")
    expect(ticks.filter(has_text=RAW_LINK)).to_have_count(1)  # the timeline's label draws the tag as text

    assert not [url for url in requested if EVIL in url]
