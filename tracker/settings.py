"""Where the data lives: the one place that reads the environment.

``TRACKER_DATA_DIR`` names the directory of member files; unset, the bundled
illustrative sample is used so a fresh clone shows a full dashboard.
``TRACKER_CATALOG_DIR`` overrides the bundled catalog (used by tests).
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DATA_DIR = PROJECT_ROOT / "data" / "sample"
BUNDLED_CATALOG_DIR = PROJECT_ROOT / "commitments"


def data_dir(override: str | Path | None = None) -> Path:
    """The member-file directory: ``override``, else ``TRACKER_DATA_DIR``, else the sample."""
    chosen = override or os.environ.get("TRACKER_DATA_DIR") or SAMPLE_DATA_DIR
    return Path(chosen).expanduser().resolve()


def catalog_dir(override: str | Path | None = None) -> Path:
    """The catalog directory: ``override``, else ``TRACKER_CATALOG_DIR``, else ``commitments/``."""
    chosen = override or os.environ.get("TRACKER_CATALOG_DIR") or BUNDLED_CATALOG_DIR
    return Path(chosen).expanduser().resolve()
