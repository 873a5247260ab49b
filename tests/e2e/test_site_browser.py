"""The published static site (``python -m tracker publish``) in a real browser.

Every generated page opened from ``file://`` (charts drawn by the local plotly.js, an h1, nothing requested from
outside the site's folder, axe-core WCAG 2.1 A/AA), the site served over HTTP from 127.0.0.1 with every other host
blocked, the tables without JavaScript, and full-page screenshots (kept in ``$E2E_SCREENSHOT_DIR`` when set).
The files themselves are checked by ``tests/test_site.py``.

No Streamlit server is involved: this module replaces conftest's ``browser_watch`` (whose ``page`` would start
one through ``base_url``) with :class:`SiteWatch`, which each test attaches to the pages it opens.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import struct
import threading
import time
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route, expect
from playwright.sync_api import Error as PlaywrightError

from loaders.catalog import Catalog
from tracker.cli import main

from .axe import AXE_JS, BLOCKING, describe, run_axe
from .conftest import VIEWPORT

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"
CHART = "div.plotly-graph-div"
TIMEOUT_MS = 15_000
# The pages opened over HTTP: the overview, one member, one area, the gaps and the crosswalk.
MEMBER = "member/AUS.html"
AREA = "area/ASC-1.html"
KEY_PAGES = ["index.html", MEMBER, AREA, "gaps.html", "crosswalk.html"]

# axe-core's default ``preload`` fetches the page's stylesheets with XMLHttpRequest (for its CSSOM rules). From
# file:// Chromium blocks that as a CORS request (origin 'null') and logs a console error, which is axe's doing,
# not the site's. From file:// axe therefore runs with ``preload: false``; over HTTP it keeps its default.
AXE_WITHOUT_PRELOAD = """
() => {
  const run = axe.run.bind(axe);
  axe.run = (context, options) => run(context, {...options, preload: false});
}
"""


@pytest.fixture(autouse=True)
def browser_watch() -> Iterator[None]:
    """Replaces conftest's fixture of that name: the tests here watch their own pages with :class:`SiteWatch`."""
    yield None


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site of the bundled sample, published once in-process through the command line."""
    out = tmp_path_factory.mktemp("site")
    assert main(["--data-dir", str(SAMPLE), "publish", "--out", str(out)]) == 0
    return out


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site_url(site: Path) -> Iterator[str]:
    """The site served over HTTP on a free loopback port, by a static file server in a thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class SiteWatch:
    """Everything a page asks for, and what must never happen: a request off the site (blocked), a console error,
    an uncaught error, a failed request or an HTTP error."""

    def __init__(self, is_local: Callable[[str], bool]) -> None:
        self.is_local = is_local
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.problems: list[str] = []

    def attach(self, page: Page) -> None:
        page.context.route("**/*", self._route)  # the context's, so a window the page opens is watched too
        page.on("request", self._request)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if self.is_local(url):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} (at {message.location.get('url')})")

    def _request_failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def take(self) -> tuple[list[str], list[str], list[str]]:
        """The requests, blocked requests and problems since the last call; starts afresh."""
        taken = self.requests, self.blocked, self.problems
        self.requests, self.blocked, self.problems = [], [], []
        return taken

    def assert_clean(self, where: str) -> list[str]:
        """Fail on a blocked request or a problem since the last call; return the requests made."""
        requests, blocked, problems = self.take()
        assert not blocked, f"{where}: requests off the site (blocked): {blocked}"
        assert not problems, f"{where}: browser problems:\n" + "\n".join(problems)
        return requests


@contextlib.contextmanager
def watched_page(
    browser: Browser, is_local: Callable[[str], bool], **context_args: Any
) -> Iterator[tuple[Page, SiteWatch]]:
    """A new browser context and page, watched; closed on the way out (after a last clean check)."""
    context = browser.new_context(viewport=VIEWPORT, **context_args)
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        watch = SiteWatch(is_local)
        watch.attach(page)
        yield page, watch
        watch.assert_clean("the end of the test")
    finally:
        context.close()


def is_loopback(url: str) -> bool:
    return urlsplit(url).hostname == "127.0.0.1"


def wait_for_charts(page: Page) -> int:
    """Wait until every plotly div of the page has drawn at least one visible trace; return how many there are."""
    chart_ids = page.locator(CHART).evaluate_all("divs => divs.map((div) => div.id)")
    for chart_id in chart_ids:
        # plotly draws a trace with nothing to show (a status no action has) as an empty, "hidden" group.
        drawn = page.locator(f'[id="{chart_id}"].js-plotly-plot .main-svg g.trace').filter(visible=True)
        drawn.first.wait_for(state="visible")
    return len(chart_ids)


def h1_text(page: Page) -> str:
    heading = page.locator("h1")
    expect(heading).to_have_count(1)
    expect(heading).to_be_visible()
    text = heading.inner_text().strip()
    assert text, "the h1 is empty"
    return text


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def shot_dir(tmp_path: Path) -> Path:
    directory = Path(os.environ.get("E2E_SCREENSHOT_DIR") or tmp_path)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


# --- from the file system --------------------------------------------------------------------------------------


def test_every_page_from_file_draws_its_charts_offline_and_passes_axe(
    browser: Browser, site: Path, catalog: Catalog
) -> None:
    pages = sorted(site.rglob("*.html"))
    top_levels = [c for c in catalog.commitments.values() if c.parent is None]
    assert len(pages) == 3 + len(top_levels) + len(catalog.members)  # overview, gaps, crosswalk, areas, members
    site_prefix = site.resolve().as_uri() + "/"
    assets = {site_prefix + "assets/plotly.min.js", site_prefix + "assets/site.css"}
    failures: dict[str, str] = {}
    charts: dict[str, int] = {}
    started = time.monotonic()
    axe_seconds = 0.0
    with watched_page(browser, lambda url: url.startswith("file://")) as (page, watch):
        for path in pages:
            name = str(path.relative_to(site))
            url = path.resolve().as_uri()
            try:
                page.goto(url)
                charts[name] = wait_for_charts(page)
                # Each chart is a figure with its data table.
                expect(page.locator("figure.chart")).to_have_count(charts[name])
                expect(page.locator("figure.chart details table")).to_have_count(charts[name])
                expect(page.locator("header")).to_have_count(1)
                expect(page.locator("nav")).to_have_count(1)
                expect(page.locator("main")).to_have_count(1)
                expect(page.locator("footer")).to_have_count(1)
                title = h1_text(page)
                reported = re.search(r"([\d,]+) action\(s\) reported", page.locator("main").inner_text())
                if name.startswith(("area/", "member/")):  # a chart when there is something to draw
                    assert reported, "the page does not say how many actions were reported"
                    assert charts[name] == (int(reported.group(1).replace(",", "")) > 0), (reported[0], charts[name])
                assert page.title().startswith(f"{title} · "), f"the h1 {title!r} is not the title {page.title()!r}"
                requests = watch.assert_clean(name)
                assert url in requests and assets <= set(requests), f"not every file was requested: {requests}"
                outside = [r for r in requests if not r.startswith(site_prefix)]
                assert not outside, f"requests outside the site's folder: {outside}"
                axe_started = time.monotonic()
                if not page.evaluate("typeof window.axe !== 'undefined'"):
                    page.add_script_tag(path=str(AXE_JS))
                page.evaluate(AXE_WITHOUT_PRELOAD)
                violations = run_axe(page, exclusions=())
                axe_seconds += time.monotonic() - axe_started
                blocking = [v for v in violations if v["impact"] in BLOCKING]
                assert not blocking, f"axe: serious/critical WCAG 2.1 A/AA violations:\n{describe(blocking)}"
                watch.assert_clean(f"{name} (axe)")
            except (AssertionError, PlaywrightError) as error:  # every page is checked; all failures are reported
                failures[name] = str(error)
                watch.take()
    elapsed = time.monotonic() - started
    print(f"\n{len(pages)} pages from file:// in {elapsed:.1f} s ({axe_seconds:.1f} s of it axe-core)")
    assert not failures, f"{len(failures)} of {len(pages)} page(s) failed:\n" + "\n\n".join(
        f"== {name}\n{error}" for name, error in failures.items()
    )
    # The walk saw the charts it should: two on the overview, the gap matrix, two crosswalk grids, one per area
    # (every area has actions in the sample) and one per member who reported anything (most did).
    assert charts["index.html"] == 2 and charts["gaps.html"] == 1 and charts["crosswalk.html"] == 2, charts
    assert all(charts[f"area/{c.id}.html"] == 1 for c in top_levels), charts
    assert sum(charts[f"member/{m}.html"] for m in catalog.members) > len(catalog.members) // 2, charts


# --- over HTTP ---------------------------------------------------------------------------------------------------


def test_the_site_over_http_draws_its_charts_and_asks_no_other_host(browser: Browser, site_url: str) -> None:
    with watched_page(browser, is_loopback) as (page, watch):
        for name in KEY_PAGES:
            response = page.goto(site_url + name)
            assert response is not None and response.status == 200, name
            assert wait_for_charts(page) >= 1, f"{name} drew no chart"
            h1_text(page)
            requests = watch.assert_clean(name)
            assert {site_url + "assets/plotly.min.js", site_url + "assets/site.css"} <= set(requests), requests
            assert all(is_loopback(r) for r in requests), requests
            # Over HTTP axe-core can read the stylesheets (its default preload), so its CSSOM rules run too.
            blocking = [v for v in run_axe(page, exclusions=()) if v["impact"] in BLOCKING]
            assert not blocking, f"axe on {name}: serious/critical WCAG 2.1 A/AA violations:\n{describe(blocking)}"
            watch.assert_clean(f"{name} (axe)")

        # From the overview's list of members to a member's page, by clicking the link.
        page.goto(site_url + "index.html")
        members = page.locator("section", has=page.get_by_role("heading", name="Members", level=2))
        links = members.get_by_role("link")
        assert links.count() > 40
        link = links.filter(has_text="(AUS)")
        expect(link).to_have_count(1)
        label = link.inner_text().strip()
        link.click()
        expect(page).to_have_url(site_url + MEMBER)
        expect(page.locator("h1")).to_have_text(label)
        assert wait_for_charts(page) == 1

        # And back through the site's navigation.
        page.get_by_role("navigation", name="Site").get_by_role("link", name="Gaps").click()
        expect(page).to_have_url(site_url + "gaps.html")
        expect(page.locator("h1")).to_have_text("Gaps")
        expect(page.get_by_role("link", name="Gaps")).to_have_attribute("aria-current", "page")
        watch.assert_clean("after following links")


# --- without JavaScript --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["index.html", MEMBER])
def test_without_javascript_the_tables_are_still_there(browser: Browser, site: Path, name: str) -> None:
    with watched_page(browser, lambda url: url.startswith("file://"), java_script_enabled=False) as (page, watch):
        page.goto((site / name).resolve().as_uri())
        h1_text(page)
        assert page.locator(CHART).count() >= 1
        expect(page.locator(".main-svg")).to_have_count(0)  # JavaScript is really off: no chart is drawn
        details = page.locator("figure.chart details")
        assert details.count() >= 1
        for index in range(details.count()):
            item = details.nth(index)
            rows = item.locator("tbody tr")
            caption = item.locator("caption").text_content() or ""
            found = re.search(r"\((\d+) rows?\)$", caption.strip())
            assert found, caption
            assert int(found.group(1)) >= 1
            expect(rows).to_have_count(int(found.group(1)))
            expect(rows.first).to_be_hidden()  # closed at first
            item.locator("summary").click()
            expect(item).to_have_attribute("open", "")
            expect(rows.first).to_be_visible()
            expect(rows.last).to_be_visible()
            expect(rows.first.locator("td")).not_to_have_count(0)
        # The tables outside the charts (key figures, a member's actions) are shown as they are.
        plain = page.locator("main > section > .table-wrap table")
        assert plain.count() >= 1
        expect(plain.first.locator("tbody tr").first).to_be_visible()
        watch.assert_clean(name)


# --- screenshots ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["index.html", AREA])
def test_full_page_screenshot_shows_the_whole_page_without_sideways_scrolling(
    browser: Browser, site: Path, tmp_path: Path, name: str
) -> None:
    with watched_page(browser, lambda url: url.startswith("file://")) as (page, watch):
        page.goto((site / name).resolve().as_uri())
        count = wait_for_charts(page)
        assert count >= 1
        width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
        assert width <= VIEWPORT["width"], f"{name} scrolls sideways: {width}px wide"
        for index in range(count):
            box = page.locator(CHART).nth(index).bounding_box()
            main = page.locator("main").bounding_box()
            assert box and main and box["height"] > 100 and box["x"] >= main["x"], (box, main)
            assert box["x"] + box["width"] <= main["x"] + main["width"] + 1, (box, main)
        target = shot_dir(tmp_path) / f"site-{name.replace('/', '-').removesuffix('.html')}.png"
        page.screenshot(path=str(target), full_page=True)
        assert png_size(target) == (VIEWPORT["width"], height)
        watch.assert_clean(name)


# --- nothing leaves the machine, even on a click ----------------------------------------------------------------


def test_no_chart_offers_to_send_itself_to_plotly_cloud(browser: Browser, site: Path) -> None:
    with watched_page(browser, lambda url: url.startswith("file://")) as (page, watch):
        for name in KEY_PAGES:
            page.goto((site / name).resolve().as_uri())
            count = wait_for_charts(page)
            assert count >= 1
            flags = page.locator(CHART).evaluate_all("divs => divs.map((div) => div._context.showSendToCloud)")
            assert flags == [False] * count, f"{name}: showSendToCloud is {flags}"
            page.locator(CHART).first.hover()
            toolbar = page.locator(".modebar-btn")
            expect(toolbar.first).to_be_visible()  # the toolbar is there, just without the button
            expect(page.locator('.modebar-btn[data-title^="Share chart"]')).to_have_count(0)
            watch.assert_clean(name)
