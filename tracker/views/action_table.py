"""Actions as people read them: the table shown under drill-downs and on profiles."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd

from loaders.catalog import Catalog
from loaders.grouping import SEPARATOR

PRINTED_ACTIONS_LIMIT = 1_000
"""Most actions a page lists as a static, printable table; more go in a scrolling grid (dozens of printed pages)."""

DISPLAY_COLUMNS = {
    "action_id": "Action ID",
    "member": "Member",
    "title": "Action",
    "status_label": "Status (as reported)",
    "commitments": "Commitments",
    "start_date": "Start",
    "due_date": "Due",
    "last_updated": "Last updated",
    "lead_agency": "Lead agency",
    "asean_mechanisms": "ASEAN mechanisms",
    "evidence": "Evidence",
}


WEB_SCHEMES = ("http", "https")
# Whitespace, controls, quotes, angle brackets and backslashes: a browser reads an address holding
# them differently from how it looks (or a page's Markdown does), so such evidence stays text.
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f<>\"'`\\]")


def evidence_url(value: object) -> str | None:
    """``value`` when it is an ``http``/``https`` address that is safe to show as a link, else None.

    Evidence is free text: a web address or a document reference. Only a plain web
    address with a host becomes a link (shown as itself); ``javascript:``, ``data:``,
    ``file:`` and every other scheme, relative paths and anything with spaces or
    markup characters stay text.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or _UNSAFE_IN_URL.search(text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return None
    return text


def action_display(actions: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Readable columns (labels as headers, status as "icon Label"), dates as dates."""
    names = {sid: f"{s.icon} {s.label}" for sid, s in catalog.statuses.items()}
    frame = actions.assign(status_label=actions["status"].map(names))
    frame = frame[list(DISPLAY_COLUMNS)].rename(columns=DISPLAY_COLUMNS)
    working = {c.id: c.shown_id for c in catalog.commitments.values() if c.placeholder}
    if working:  # a working item cited by an action says so wherever the action is listed
        frame["Commitments"] = frame["Commitments"].map(lambda ids: _mark(ids, working), na_action="ignore")
    for column in ("Start", "Due", "Last updated"):
        frame[column] = frame[column].dt.date
    return frame.reset_index(drop=True)


def _mark(ids: str, shown: dict[str, str]) -> str:
    """``"ASC-2.2; BWP-A.7"`` with each id in ``shown`` replaced by its label (``BWP-A.7 (working item)``)."""
    return SEPARATOR.join(shown.get(part, part) for part in ids.split(SEPARATOR))
