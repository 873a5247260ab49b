"""Actions as people read them: the table shown under drill-downs and on profiles."""

from __future__ import annotations

import pandas as pd

from loaders.catalog import Catalog

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


def action_display(actions: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Readable columns (labels as headers, status as "icon Label"), dates as dates."""
    names = {sid: f"{s.icon} {s.label}" for sid, s in catalog.statuses.items()}
    frame = actions.assign(status_label=actions["status"].map(names))
    frame = frame[list(DISPLAY_COLUMNS)].rename(columns=DISPLAY_COLUMNS)
    for column in ("Start", "Due", "Last updated"):
        frame[column] = frame[column].dt.date
    return frame.reset_index(drop=True)
