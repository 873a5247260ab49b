"""Chart images (PNG and SVG) through kaleido and the system Chromium.

Kaleido drives a headless Chromium; on this kind of machine that is Debian's
``chromium`` (never ``kaleido.get_chrome_sync()``, which downloads one). Images
are optional: when kaleido or Chromium is missing or fails, the functions here
raise :class:`ImageExportError` with a message the page shows as it is.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio

DEFAULT_CHROMIUM = "/usr/bin/chromium"
DEFAULT_WIDTH = 1000


class ImageExportError(RuntimeError):
    """A chart image (or a PDF) cannot be made on this machine; the message says why."""


def find_chromium() -> str | None:
    """The Chromium to use: ``$CHROMIUM_PATH``, else ``chromium`` on PATH, else ``/usr/bin/chromium``.

    Returns:
        The executable's path, or None when none is found.
    """
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return DEFAULT_CHROMIUM if Path(DEFAULT_CHROMIUM).is_file() else None


def require_chromium() -> str:
    """:func:`find_chromium`, or a clear :class:`ImageExportError` when there is none."""
    found = find_chromium()
    if found is None:
        configured = os.environ.get("CHROMIUM_PATH")
        where = (
            f"CHROMIUM_PATH is set to '{configured}', but no Chromium executable is there"
            if configured
            else "No Chromium browser was found on this machine (looked for 'chromium' on PATH and /usr/bin/chromium)"
        )
        raise ImageExportError(
            f"{where}, so PDFs and chart images cannot be made. Install Debian's 'chromium' package "
            "(scripts/ensure_system_tools.sh) or set CHROMIUM_PATH to a Chromium executable. The HTML briefing pack "
            "and the spreadsheets work without it."
        )
    return found


def figure_png(fig: go.Figure, *, width: int | None = None, height: int | None = None, scale: float = 2) -> bytes:
    """The figure as PNG bytes (``scale`` 2 for print-quality pixels).

    Raises:
        ImageExportError: kaleido or Chromium is missing, or the export failed.
    """
    return _to_image(fig, "png", width, height, scale)


def figure_svg(fig: go.Figure, *, width: int | None = None, height: int | None = None) -> bytes:
    """The figure as SVG bytes (vector: scales cleanly in slides).

    Raises:
        ImageExportError: kaleido or Chromium is missing, or the export failed.
    """
    return _to_image(fig, "svg", width, height, 1)


def _to_image(fig: go.Figure, fmt: str, width: int | None, height: int | None, scale: float) -> bytes:
    chromium = require_chromium()
    # choreographer (kaleido's browser driver) reads BROWSER_PATH; point it at the system Chromium
    # so kaleido never tries to fetch its own.
    os.environ.setdefault("BROWSER_PATH", chromium)
    try:
        import kaleido  # noqa: F401  (only to give a clear message when it is missing)
    except ImportError as missing:
        raise ImageExportError("Chart images need the 'kaleido' package: pip install -r requirements.txt") from missing
    size = {
        "width": width or fig.layout.width or DEFAULT_WIDTH,
        "height": height or fig.layout.height or 500,
    }
    try:
        data = pio.to_image(fig, format=fmt, scale=scale, **size)
    except Exception as failure:  # kaleido wraps browser failures in many types; all mean "no image"
        raise ImageExportError(f"Chromium could not draw the chart as {fmt.upper()}: {failure}") from failure
    return data if isinstance(data, bytes) else str(data).encode("utf-8")
