"""A small data set whose members wrote markup into every free-text field ("text is text" tests).

Every hostile string points at ``evil.example``: a page, chart, pack or browser
that turns any of them into a link, an image or a request is caught by looking
for that host. One evidence address is a plain web address on another host
(``evidence.example``): it must become a link that shows its address.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tests.make_fixtures import write_yaml

EVIL = "evil.example"
SAFE_EVIDENCE = "https://evidence.example/report-2026.pdf"

# Exactly the title of the defect report (a link and a tracking pixel on the member profile).
LINK_AND_PIXEL = f"See [this](https://{EVIL}/x) ![p](https://{EVIL}/p.png)"
RAW_LINK = f'<a href="https://{EVIL}/a">Raw link</a>'  # the Progress timeline defect
HOSTILE: dict[str, str] = {
    "markdown link and image": LINK_AND_PIXEL,
    "raw link": RAW_LINK,
    "image with onerror": f"<img src=x onerror=\"fetch('https://{EVIL}/onerror')\">",
    "script": f"<script>fetch('https://{EVIL}/script')</script>",
    "styled span": f'<span style="background:url(https://{EVIL}/bg.png)">styled</span> <b>bold</b><br>break',
    "latex": rf"Budget $\href{{https://{EVIL}/tex}}{{x}}$ and $5 to $6",
    "streamlit directives": f":red[alarm] :material/warning: :streamlit: :blue-badge[https://{EVIL}/badge]",
    "emphasis": "**bold** _italic_ `code` ~~struck~~",
    "autolinks": f"www.{EVIL} and https://{EVIL}/auto and <https://{EVIL}/angle> and mail@{EVIL}",
    "entities": "&lt;b&gt; &amp; &#60;i&#62;",
    "reference link": f"[ref][1]\n\n[1]: https://{EVIL}/ref",
}
HOSTILE_EVIDENCE = {
    "javascript": "javascript:alert(document.cookie)",
    "data": "data:text/html,<script>alert(1)</script>",
    "markdown": f"[evidence](https://{EVIL}/evidence)",
}
UPDATED = dt.date(2026, 6, 1)


def _row(number: int, title: str, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "action_id": f"IDN-{number:03d}",
        "member": "IDN",
        "commitments": "ASC-1" if number % 2 else "ASC-6; BWP-B",
        "title": title,
        "status": status,
        "last_updated": UPDATED,
        "start_date": dt.date(2024, 1, 1),
        "due_date": dt.date(2025, 6, 30),  # past: open actions are overdue, so they are listed by title
        **fields,
    }


def hostile_rows() -> list[dict[str, Any]]:
    """IDN's actions: one per hostile string, in the title and in every other free-text field."""
    strings = list(HOSTILE.values())
    evidence = list(HOSTILE_EVIDENCE.values())
    rows = []
    for number, text in enumerate(strings, start=1):
        rows.append(
            _row(
                number,
                text,
                "limited",
                description=text,
                lead_agency=strings[(number) % len(strings)],
                notes=strings[(number + 1) % len(strings)],
                evidence=evidence[number % len(evidence)],
                asean_mechanisms="ACTIP",
            )
        )
    rows.append(_row(len(rows) + 1, "Report with a web address as evidence", "complete", evidence=SAFE_EVIDENCE))
    return rows


def write_hostile_data(directory: Path) -> Path:
    """Write IDN.yaml with :func:`hostile_rows` into ``directory``; returns the directory."""
    directory.mkdir(parents=True, exist_ok=True)
    write_yaml(directory / "IDN.yaml", hostile_rows(), member="IDN")
    return directory
