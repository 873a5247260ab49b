"""Real-browser measurements: cold start to the first drawn chart, and the server's peak memory.

Both drive the system Chromium with Playwright (tech-notes §3: Playwright's own
browser cannot be downloaded here) against ``streamlit run`` on loopback.

- :func:`cold_start`: from starting the server process to the first Plotly chart
  drawn (``.js-plotly-plot .main-svg``) on ``/``. The browser is launched
  beforehand, so its own start is not counted; server start, first data load
  and the first render are. The floor app drawing one small chart is measured beside it.
- :func:`memory_profile`: opens every page of one server in turn, waits for each
  run to finish, and reads the server's peak resident memory (VmHWM).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from benchmarks.server import CHROMIUM, CHROMIUM_ARGS, running_floor, running_server

CHART = ".js-plotly-plot .main-svg"
APP = '[data-testid="stApp"]'
PAGE_PATHS = ["", "progress", "gaps", "overlap", "member", "method", "exports", "submit"]
TIMEOUT_MS = 600_000  # the first page at 100× loads the whole data set


def _browser(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def wait_for_run(page, timeout_ms: float = TIMEOUT_MS) -> None:
    """Wait until the app is connected and its script run has finished (as the e2e tests do)."""
    page.wait_for_selector(f'{APP}[data-test-connection-state="CONNECTED"]', timeout=timeout_ms)
    page.wait_for_timeout(250)  # let a just-triggered run start before waiting for it to end
    page.wait_for_selector(f'{APP}[data-test-script-state="notRunning"]', timeout=timeout_ms)
    page.wait_for_selector('[data-testid="stSkeleton"]', state="detached", timeout=timeout_ms)


def cold_start(data_dir: Path, repeat: int, log_dir: Path) -> dict:
    """Seconds from ``streamlit run`` to the first chart drawn in Chromium, median of ``repeat`` fresh servers.

    Each attempt also starts the floor (``benchmarks/floor_app.py`` with ``FLOOR_CHART=1``: the same navigation
    and sidebar, one three-bar chart and its table, nothing loaded), interleaved with ours, so that what the
    browser and Streamlit cost by themselves on this machine is measured in the same minutes.
    """
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[float]] = {"ours": [], "floor": []}
    healthy: list[float] = []
    with sync_playwright() as playwright:
        browser = _browser(playwright)
        try:
            for attempt in range(repeat):
                with running_server(data_dir, log_dir / f"cold-start-{attempt}.log") as server:
                    runs["ours"].append(_first_chart_after_start(browser, server))
                    healthy.append(server.healthy_after_s)
                with running_floor(log_dir / f"cold-start-floor-{attempt}.log", env={"FLOOR_CHART": "1"}) as floor:
                    runs["floor"].append(_first_chart_after_start(browser, floor))
        finally:
            browser.close()
    return {
        "median_s": statistics.median(runs["ours"]),
        "runs_s": runs["ours"],
        "server_healthy_median_s": statistics.median(healthy),
        "floor_median_s": statistics.median(runs["floor"]),
        "floor_runs_s": runs["floor"],
    }


def _first_chart_after_start(browser, server) -> float:
    """Open ``/`` in a fresh context (empty cache); seconds from the server's start to the first chart drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        page.goto(server.url + "/")
        page.wait_for_selector(CHART, timeout=TIMEOUT_MS)
        return time.perf_counter() - server.started
    finally:
        context.close()


def memory_profile(data_dir: Path, log_dir: Path) -> dict:
    """Open every page once on one server; the server's peak RSS and each page's time in the browser."""
    from playwright.sync_api import sync_playwright

    pages: dict[str, dict[str, float]] = {}
    with sync_playwright() as playwright, running_server(data_dir, log_dir / "memory.log") as server:
        browser = _browser(playwright)
        try:
            page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
            for path in PAGE_PATHS:
                started = time.perf_counter()
                page.goto(f"{server.url}/{path}")
                wait_for_run(page)
                pages[path or "overview"] = {
                    "seconds": time.perf_counter() - started,
                    "rss_mib": server.rss_mib(),
                    "peak_so_far_mib": server.peak_rss_mib(),  # shows which page set the peak
                }
            peak = server.peak_rss_mib()
        finally:
            browser.close()
    return {"peak_rss_mib": peak, "pages": pages}
