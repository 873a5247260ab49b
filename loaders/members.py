"""Member ids as they appear in file names and paths.

A member id is checked against a strict pattern *before* it is ever joined to a
path, so ``../etc/passwd`` or ``IDN/../../x`` can never name a file.
"""

from __future__ import annotations

import re
from pathlib import Path

MEMBER_ID = re.compile(r"^(?:[A-Z]{3}|IOM|UNHCR|UNODC|ILO)$")


def parse_member_id(text: str) -> str | None:
    """Return ``text`` upper-cased when it has the form of a member id, else None.

    The form is ISO 3166-1 alpha-3 (three letters) or one of the four member
    organisations. Whether the id is actually in the catalog is checked elsewhere.
    """
    candidate = text.strip().upper()
    return candidate if MEMBER_ID.fullmatch(candidate) else None


def member_file_path(data_dir: Path, member_id: str, suffix: str) -> Path:
    """The path of a member's file in ``data_dir``.

    Raises:
        ValueError: when ``member_id`` is not of member-id form (for example it
            holds path characters); nothing is touched on disk.
    """
    parsed = parse_member_id(member_id)
    if parsed is None or parsed != member_id:
        raise ValueError(f"'{member_id}' is not a member id (three letters such as IDN, or IOM/UNHCR/UNODC/ILO)")
    return data_dir / f"{parsed}{suffix}"
