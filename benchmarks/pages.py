"""Server-side page runs with Streamlit's AppTest, in a child process per scale.

Run as ``python -m benchmarks.pages DATA_DIR --repeat N``; prints one JSON object.
The parent (``benchmarks.run``) starts one child per scale so each scale starts
with empty caches, like a freshly started server.

What is timed, for every page:

- ``cold``: the very first run in the process (the default page), which loads
  and validates the whole data directory into the cache. Measured once.
- ``first``: a new session opening the page while the data set is cached (a new
  viewer arriving at a running server): ``switch_page(page).run()``.
- ``filter``: in that session, a change of the sidebar filter "Updated from" to
  2024-01-01, then the rerun. The generated data has no update before
  2024-08-22, so the filter keeps every action: the page recomputes everything
  on the full data set, the worst case for a filter change.

Each is the median of ``repeat`` sessions. Last, ``one_file_changed``: the
largest member file's modification time is set to now (its content is kept)
and a new session opens the Overview: only that file is read again, then the
whole set is re-validated. Compare it with ``cold``. ``ru_maxrss`` of the child
is the peak memory of a process that has run every page (AppTest runs the
script in the same process, as the server does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

from benchmarks.datasets import ROOT

ENTRY = str(ROOT / "dashboard.py")
# Every page a viewer can open (the review page exists only for reviewers).
PAGES = {
    "overview": "app_pages/overview.py",
    "progress": "app_pages/progress.py",
    "gaps": "app_pages/gaps.py",
    "overlap": "app_pages/overlap.py",
    "member": "app_pages/member.py",
    "method": "app_pages/method.py",
    "exports": "app_pages/exports.py",
    "submit": "app_pages/submit.py",
    "themes": "app_pages/themes.py",
    "compare": "app_pages/compare.py",
}
# What a page is opened with, where it needs a choice to compute anything (Compare: two members side by side).
QUERIES = {"compare": {"cmp_members": "IDN,THA"}}
FILTER_KEY = "flt_from"
FILTER_VALUE = dt.date(2024, 1, 1)
TIMEOUT_S = 600


def _timed(step) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def _check(at, what: str) -> None:
    if at.exception:
        raise RuntimeError(f"{what} raised: {at.exception[0].value}")


def _touch_largest(data_dir: Path) -> Path:
    """Give the largest member file a new modification time (same content): a new fingerprint."""
    largest = max((p for p in data_dir.iterdir() if p.suffix in (".xlsx", ".yaml")), key=lambda p: p.stat().st_size)
    os.utime(largest)
    return largest


def measure(repeat: int) -> dict:
    """Time every page (first run, then after a filter change) ``repeat`` times; see the module docstring."""
    from streamlit.testing.v1 import AppTest  # imported here: the parent process never needs Streamlit

    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT_S)
    cold = _timed(at.run)
    _check(at, "the first run")
    pages: dict[str, dict[str, list[float]]] = {name: {"first": [], "filter": []} for name in PAGES}
    for _ in range(repeat):
        for name, path in PAGES.items():
            at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT_S)
            at.run()
            at.query_params.update(QUERIES.get(name, {}))
            pages[name]["first"].append(_timed(at.switch_page(path).run))
            _check(at, f"page {name}")
            date_filter = at.sidebar.date_input(key=FILTER_KEY).set_value(FILTER_VALUE)
            pages[name]["filter"].append(_timed(date_filter.run))
            _check(at, f"page {name} after the filter change")
    changed = _touch_largest(Path(os.environ["TRACKER_DATA_DIR"]))
    at = AppTest.from_file(ENTRY, default_timeout=TIMEOUT_S)
    reload_s = _timed(at.run)
    _check(at, "the run after a file changed")
    return {
        "cold_first_load_s": cold,
        "one_file_changed": {"file": changed.name, "bytes": changed.stat().st_size, "reload_s": reload_s},
        "pages": {
            name: {kind: {"median_s": statistics.median(runs), "runs_s": runs} for kind, runs in timings.items()}
            for name, timings in pages.items()
        },
        # ru_maxrss is in KiB on Linux.
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry of the child: measure the pages on one data directory, print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    os.environ["TRACKER_DATA_DIR"] = str(args.data_dir.resolve())
    print(json.dumps(measure(args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
