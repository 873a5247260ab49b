"""Where the data lives and what day it is: the one place that reads the environment.

``TRACKER_DATA_DIR`` names the directory of member files; unset, the bundled
illustrative sample is used so a fresh clone shows a full dashboard.
``TRACKER_CATALOG_DIR`` overrides the bundled catalog (used by tests).
``TRACKER_TODAY`` (``YYYY-MM-DD``) fixes the date every date rule is judged at
("last updated" not in the future, overdue, stale): tests and reproducible
runs set it; unset, it is the real date.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "sample"
BUNDLED_CATALOG_DIR = PROJECT_ROOT / "commitments"
TODAY_ENV = "TRACKER_TODAY"


def data_dir(override: str | Path | None = None) -> Path:
    """The member-file directory: ``override``, else ``TRACKER_DATA_DIR``, else the sample."""
    chosen = override or os.environ.get("TRACKER_DATA_DIR") or SAMPLE_DATA_DIR
    return Path(chosen).expanduser().resolve()


def catalog_dir(override: str | Path | None = None) -> Path:
    """The catalog directory: ``override``, else ``TRACKER_CATALOG_DIR``, else ``commitments/``."""
    chosen = override or os.environ.get("TRACKER_CATALOG_DIR") or BUNDLED_CATALOG_DIR
    return Path(chosen).expanduser().resolve()


def today() -> dt.date:
    """The date rules are judged at: ``TRACKER_TODAY`` when set, else the real date.

    Raises:
        ValueError: ``TRACKER_TODAY`` is set but is not a ``YYYY-MM-DD`` date.
    """
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError as exc:
        raise ValueError(f"{TODAY_ENV}={fixed!r} is not a date; use YYYY-MM-DD or unset it") from exc
