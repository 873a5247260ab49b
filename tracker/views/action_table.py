"""Actions as people read them: the table shown under drill-downs and on profiles; any table's headers in the
reader's language (:func:`headed`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from loaders.catalog import Catalog
from loaders.grouping import SEPARATOR
from loaders.i18n import N_, SOURCE_LANGUAGE, Language

PRINTED_ACTIONS_LIMIT = 1_000
"""Most actions a page lists as a static, printable table; more go in a scrolling grid (dozens of printed pages)."""

DISPLAY_COLUMNS = {
    "action_id": N_("Action ID"),
    "member": N_("Member"),
    "title": N_("Action"),
    "status_label": N_("Status (as reported)"),
    "commitments": N_("Commitments"),
    "start_date": N_("Start"),
    "due_date": N_("Due"),
    "last_updated": N_("Last updated"),
    "lead_agency": N_("Lead agency"),
    "asean_mechanisms": N_("ASEAN mechanisms"),
    "evidence": N_("Evidence"),
}
"""The actions table's headers, in English: the frame keeps them (exports, the site and the evidence links rely on
them); :func:`headed` says them in the reader's language where the table is shown."""

CHART_TABLE_HEADINGS = (
    # status_counts, freshness, gap_table, plan_year_summary, timeline_rows: the tables under the pages' charts
    N_("group"), N_("status"), N_("actions"), N_("member"), N_("name"), N_("last_updated"), N_("days_since_update"),
    N_("state"), N_("member_name"), N_("commitment"), N_("title"), N_("furthest_status"), N_("year"), N_("measure"),
    N_("action_key"), N_("start"), N_("end"), N_("has_due_date"), N_("overdue"),
)  # fmt: skip
"""Column names of the tables shown under charts, as the views name them: marked here so that :func:`headed`
finds them in the catalogue (the English table keeps the names as they are)."""


def headed(frame: pd.DataFrame, lang: Language | None = None) -> pd.DataFrame:
    """``frame`` with its column headers (and its index's name) in ``lang``; the frame itself in English.

    Only the headers change, never the cells (statuses come already translated from the page's catalog) nor the
    order; a header the catalogue does not know stays as it is.
    """
    if lang is None or lang.code == SOURCE_LANGUAGE:
        return frame

    def say(name: object) -> object:
        return lang.gettext(name) if isinstance(name, str) and name else name

    shown = frame.rename(columns=say)
    if isinstance(shown.index, pd.MultiIndex):
        return shown.rename_axis(index=[say(n) for n in shown.index.names])
    return shown.rename_axis(index=say(shown.index.name))


def cells_said(frame: pd.DataFrame, sayers: Mapping[str, Callable[[Any], Any]]) -> pd.DataFrame:
    """``frame`` with each column named in ``sayers`` passed cell by cell through its function (missing cells left
    as they are, the column's dtype kept): how a view says the tracker's own words of a table in a language."""
    return frame.assign(
        **{c: frame[c].map(say, na_action="ignore").astype(frame[c].dtype) for c, say in sayers.items() if c in frame}
    )


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
        cited = frame["Commitments"]  # each distinct list once: 200,000 rows cite a few thousand lists
        frame["Commitments"] = cited.map({ids: _mark(ids, working) for ids in cited.dropna().unique()})
    for column in ("Start", "Due", "Last updated"):
        frame[column] = frame[column].dt.date
    return frame.reset_index(drop=True)


def _mark(ids: str, shown: dict[str, str]) -> str:
    """``"ASC-2.2; BWP-A.7"`` with each id in ``shown`` replaced by its label (``BWP-A.7 (working item)``)."""
    return SEPARATOR.join(shown.get(part, part) for part in ids.split(SEPARATOR))
