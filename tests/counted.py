"""Six actions whose every figure is counted here by hand, to check the metrics, pages, pack and exports
against numbers that no code of the tracker computed.

The scope: Indonesia and Thailand, areas ASC-1 and ASC-6 and pillar BWP-B. In the bundled catalog those
hold 15 commitments: ASC-1 with ASC-1.1–1.3, ASC-6 with ASC-6.1–6.3, BWP-B with BWP-B.1–B.6.

=========  ================  ============  =====================  =====================================
action     cites             status        due                    counts for (area or pillar)
=========  ================  ============  =====================  =====================================
IDN-001    ASC-1             complete      2024-06-30 (met)       ASC-1
IDN-002    ASC-1.1; BWP-B    limited       2025-01-01 (overdue)   ASC-1 (through its item), BWP-B
IDN-003    ASC-6             discontinued  –                      ASC-6
IDN-004    BWP-B             discontinued  –                      BWP-B
THA-001    BWP-B.1           not started   2027-06-30 (not yet)   BWP-B (through its item)
THA-002    ASC-1; ASC-6;     substantial   –                      ASC-1, ASC-6 (once, though cited on
           ASC-6.2                                                the area and on its item)
=========  ================  ============  =====================  =====================================
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.builders import action
from tests.make_fixtures import write_yaml
from tracker.views.filters import Filters

ROWS: list[dict[str, Any]] = [
    action("IDN", 1, "ASC-1", "complete", due_date=dt.date(2024, 6, 30)),
    action("IDN", 2, "ASC-1.1; BWP-B", "limited", due_date=dt.date(2025, 1, 1)),
    action("IDN", 3, "ASC-6", "discontinued"),
    action("IDN", 4, "BWP-B", "discontinued"),
    action("THA", 1, "BWP-B.1", "not_started", due_date=dt.date(2027, 6, 30)),
    action("THA", 2, "ASC-1; ASC-6; ASC-6.2", "substantial"),
]
FILTERS = Filters(areas=("ASC-1", "ASC-6", "BWP-B"), members=("IDN", "THA"))
QUERY = {"area": "ASC-1,ASC-6,BWP-B", "member": "IDN,THA"}  # FILTERS in the app's URL

# The Overview's four figures. Covered: the six cited commitments (ASC-1, ASC-1.1, BWP-B, ASC-6, BWP-B.1,
# ASC-6.2; their parents are among them), of 15 in scope. Complete: IDN-001 of the four actions not
# discontinued.
KEY_FIGURES = {
    "Actions reported": "6",
    "Members reporting": "2 of 2",
    "Commitments with any action": "40%",
    "Actions reported complete": "25%",
}
KEY_FIGURE_NOTES = {
    "Commitments with any action": "6 of 15 commitments in scope",
    "Actions reported complete": "1 of 4 actions",
}

# Indonesia's profile: IDN-001–004; covered ASC-1, ASC-1.1, BWP-B, ASC-6 of the 15; complete: IDN-001 of the
# two not discontinued; every action was last updated on 1 June 2026 (the builder's default).
IDN_PROFILE = {
    "Actions reported": "4",
    "Commitments with an action": "4 of 15",
    "Actions reported complete": "50%",
    "Latest update": "01 Jun 2026",
}

STATUSES = ["not_started", "limited", "substantial", "complete", "discontinued"]  # the scale, in order
# Actions per status (in STATUSES order) for each area or pillar, in catalog order.
BY_AREA = {
    "ASC-1": [0, 1, 1, 1, 0],  # IDN-002 limited, THA-002 substantial, IDN-001 complete
    "ASC-6": [0, 0, 1, 0, 1],  # THA-002 substantial (once), IDN-003 discontinued
    "BWP-B": [1, 1, 0, 0, 1],  # THA-001 not started, IDN-002 limited, IDN-004 discontinued
}
AREA_TITLES = {"ASC-1": "Law enforcement", "ASC-6": "Victim Protection and Migration Management", "BWP-B": "Protection"}
# Per member, A–Z by name: Indonesia, Thailand.
BY_MEMBER = {"IDN": [0, 1, 0, 1, 2], "THA": [1, 0, 1, 0, 0]}
MEMBER_NAMES = {"IDN": "Indonesia", "THA": "Thailand"}
# The gap matrix: (actions, furthest status) per member and area or pillar. A discontinued action is the
# furthest only when the pair has nothing else (IDN × ASC-6); beside a limited one it is not (IDN × BWP-B).
GAP_MATRIX = {
    ("IDN", "ASC-1"): (2, "complete"),
    ("IDN", "ASC-6"): (1, "discontinued"),
    ("IDN", "BWP-B"): (2, "limited"),
    ("THA", "ASC-1"): (1, "substantial"),
    ("THA", "ASC-6"): (1, "substantial"),
    ("THA", "BWP-B"): (1, "not_started"),
}
OVERDUE = ["IDN-002"]  # due 2025-01-01, limited; IDN-001's due date passed but it is complete
UNCOVERED = 15 - 6  # commitments in scope with no action on them or on an item of theirs


def write_counted_data(directory: Path) -> Path:
    """IDN.yaml and THA.yaml with :data:`ROWS`, in ``directory``; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    for member in ("IDN", "THA"):
        write_yaml(directory / f"{member}.yaml", [r for r in ROWS if r["member"] == member], member=member)
    return directory
