"""Where the data lives and what day it is: the one place that reads the environment.

``TRACKER_DATA_DIR`` names the directory of member files; unset, the bundled
illustrative sample is used so a fresh clone shows a full dashboard.
``TRACKER_CATALOG_DIR`` overrides the bundled catalog (used by tests).
``TRACKER_TODAY`` (``YYYY-MM-DD``) fixes the date every date rule is judged at
("last updated" not in the future, overdue, stale): tests and reproducible
runs set it; unset, it is the real date.
``TRACKER_TIMEZONE`` is the secretariat's time zone, the default for a
reporting round's dates (``Asia/Bangkok``, where the Bali Process Regional
Support Office sits, when unset). ``TRACKER_APP_URL`` is the dashboard's
address as focal points reach it, quoted in reminder e-mails.
``TRACKER_WORKING_ITEMS=pillar`` reports the Bohol Work Plan at pillar level only: the
catalog's working items are folded into their pillars in every figure and list
(:mod:`tracker.views.pillar_level`); unset (or ``show``), they are shown, marked.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "sample"
BUNDLED_CATALOG_DIR = PROJECT_ROOT / "commitments"
TODAY_ENV = "TRACKER_TODAY"
DEFAULT_TIMEZONE = "Asia/Bangkok"


def data_dir(override: str | Path | None = None) -> Path:
    """The member-file directory: ``override``, else ``TRACKER_DATA_DIR``, else the sample."""
    chosen = override or os.environ.get("TRACKER_DATA_DIR") or SAMPLE_DATA_DIR
    return _resolved(str(chosen), "" if Path(chosen).is_absolute() else os.getcwd())


def catalog_dir(override: str | Path | None = None) -> Path:
    """The catalog directory: ``override``, else ``TRACKER_CATALOG_DIR``, else ``commitments/``."""
    chosen = override or os.environ.get("TRACKER_CATALOG_DIR") or BUNDLED_CATALOG_DIR
    return _resolved(str(chosen), "" if Path(chosen).is_absolute() else os.getcwd())


@functools.lru_cache(maxsize=64)
def _resolved(chosen: str, cwd: str) -> Path:
    """``chosen`` made absolute with its links resolved; asked on every page run, so remembered (a relative path
    by the working directory it is relative to)."""
    del cwd  # part of the key only
    return Path(chosen).expanduser().resolve()


def today(zone: dt.tzinfo | None = None) -> dt.date:
    """The date rules are judged at: ``TRACKER_TODAY`` when set, else the real date (in ``zone`` when given).

    Raises:
        ValueError: ``TRACKER_TODAY`` is set but is not a ``YYYY-MM-DD`` date.
    """
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return dt.datetime.now(zone).date() if zone else dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError as exc:
        raise ValueError(f"{TODAY_ENV}={fixed!r} is not a date; use YYYY-MM-DD or unset it") from exc


def timezone() -> str:
    """The secretariat's time zone name: ``TRACKER_TIMEZONE`` when set, else :data:`DEFAULT_TIMEZONE`."""
    return os.environ.get("TRACKER_TIMEZONE", "").strip() or DEFAULT_TIMEZONE


def app_url() -> str:
    """The dashboard's address for focal points (``TRACKER_APP_URL``), or "" when not configured."""
    return os.environ.get("TRACKER_APP_URL", "").strip()


def working_items() -> str:
    """``"pillar"`` when ``TRACKER_WORKING_ITEMS=pillar`` (working items folded into their pillars), else ``"show"``."""
    return "pillar" if os.environ.get("TRACKER_WORKING_ITEMS", "").strip().casefold() == "pillar" else "show"
