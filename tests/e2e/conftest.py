"""Fixtures for the real-browser tests: one `streamlit run` server, the system Chromium, and a watch on the browser.

Run with ``.venv/bin/pytest tests/e2e -q -m e2e``. Playwright's bundled browser cannot be downloaded offline, so
the system Chromium is used (``CHROMIUM_PATH``, default ``/usr/bin/chromium``; tech-notes §3).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Response

# One server starter and one set of Chromium flags for the browser tests and the benchmarks.
from benchmarks.server import CHROMIUM_ARGS, running_server
from tracker import settings

ROOT = Path(__file__).resolve().parents[2]
VIEWPORT = {"width": 1400, "height": 900}
HEALTH_TIMEOUT_S = 60
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"data", "blob", "about"}

# The one allow-listed error. Opening a page other than the default by its URL (e.g. /gaps) makes Streamlit's
# frontend first probe <page>/_stcore/health and <page>/_stcore/host-config (in case the app is served under that
# path), which answer 404, before it uses /_stcore/... . Chromium logs each 404 as a console error "Failed to load
# resource". Streamlit's own behaviour, not the app's: https://github.com/streamlit/streamlit/issues/7074 (open).
# Matched on the exact URL shape, so a 404 on any other address still fails.
STREAMLIT_BASE_PATH_PROBE = re.compile(r"^http://[^/]+/[^/?#]+/_stcore/(?:health|host-config)$")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "accept_downloads": True}


@contextlib.contextmanager
def streamlit_server(
    log_path: Path, *, env: Mapping[str, str] | None = None, args: Sequence[str] = (), port: int | None = None
) -> Iterator[str]:
    """Run ``streamlit run dashboard.py`` on a loopback port; yield its base URL once healthy.

    The app's defaults apply (the bundled illustrative sample and catalog, which the tests rely on, read-only
    for an anonymous viewer) unless ``env`` sets ``TRACKER_*`` variables; ``args`` adds command-line options,
    ``port`` fixes the port. See :func:`benchmarks.server.running_server`, which does the work.
    """
    # The suite's fixed date (tests/conftest.py) reaches the server too: running_server drops TRACKER_*.
    env = {settings.TODAY_ENV: os.environ[settings.TODAY_ENV], **(env or {})}
    # A server that does not start raises RuntimeError with the log's tail: the test errors with it.
    with running_server(None, log_path, env=env, args=args, port=port, health_timeout_s=HEALTH_TIMEOUT_S) as server:
        yield server.url


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The base URL of one dashboard server shared by the whole session."""
    with streamlit_server(tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def _shared_context(browser: Browser, browser_context_args) -> Iterator[BrowserContext]:
    context = browser.new_context(**browser_context_args)
    context.set_default_timeout(15_000)  # Playwright's 30 s only delays the report when an element never comes
    context.add_init_script("try { window.localStorage.clear(); } catch (e) {}")  # each load starts afresh
    yield context
    context.close()


@pytest.fixture
def context(_shared_context: BrowserContext) -> Iterator[BrowserContext]:
    """One browser context for the session, so Streamlit's JavaScript is parsed once and then served from the HTTP
    cache: a fresh context per test costs 1-2 s more per page load on this 2-core machine. Tests stay independent:
    each gets its own page (closed by ``browser_watch``), every page load is a new Streamlit session, and what
    Streamlit keeps in the browser (its XSRF cookie; sidebar and theme state in localStorage) is cleared."""
    yield _shared_context
    _shared_context.clear_cookies()


@pytest.fixture
def fresh_app_url(page: Page, tmp_path: Path) -> Iterator[str]:
    """A server of its own that no browser has opened yet (for first-request behaviour)."""
    with streamlit_server(tmp_path / "fresh-server.log") as url:
        yield url
        page.goto("about:blank")  # leave before the server stops, or the closed websocket logs errors


@pytest.fixture(scope="session")
def base_url(app_url) -> str:
    """pytest-playwright gives this to every browser context, so ``page.goto("/gaps")`` works."""
    return app_url


class BrowserWatch:
    """Collects what must never happen in a test: console errors, page errors, failed or external requests."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def attach(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught page error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        if STREAMLIT_BASE_PATH_PROBE.match(message.location.get("url", "")) and "404" in message.text:
            return
        self.problems.append(f"console error: {message.text} (at {message.location.get('url')})")

    def _request(self, request: Request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in LOCAL_SCHEMES:
            return
        if parts.hostname not in LOOPBACK:
            self.problems.append(f"request to a non-loopback host: {request.method} {request.url}")

    def _request_failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not (response.status == 404 and STREAMLIT_BASE_PATH_PROBE.match(response.url)):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def assert_clean(self, where: str = "") -> None:
        problems, self.problems = self.problems, []
        assert not problems, f"browser problems{f' on {where}' if where else ''}:\n" + "\n".join(problems)


@pytest.fixture(autouse=True)
def browser_watch(page: Page) -> Iterator[BrowserWatch]:
    """Every test fails on a console error, an uncaught error, a failed request or a request off this machine.

    Checked at teardown (and by tests that call ``assert_clean`` on the way); then the page is closed.
    """
    watch = BrowserWatch()
    watch.attach(page)
    yield watch
    try:
        watch.assert_clean("teardown")
    finally:
        page.close()
