"""Validation issues: the typed report every loader returns instead of raising.

An issue says where (file, sheet, Excel row or YAML line, canonical field), what
(a kebab-case ``code``) and how to fix it (the ``message``). Its dictionary form
is the ``validate --json`` contract in ``product.md``. It also says who may read
it (``disclosure``, outside that contract): see ``loaders/disclosure.py``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]
Disclosure = Literal["public", "generalised", "confidential"]
"""Who may read an issue: everyone; viewers a general form only; reviewers only."""

CONTRACT_KEYS = ("severity", "code", "file", "sheet", "row", "field", "message")
"""The keys of ``validate --json`` issues, in order (product.md): nothing else is ever added."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in the catalog or in a member file."""

    severity: Severity
    code: str
    file: str
    sheet: str | None
    row: int | None
    field: str | None
    message: str
    # Set where the rows are known (loaders/disclosure.py); kept out of to_dict, the JSON contract.
    disclosure: Disclosure = dataclasses.field(default="public", kw_only=True)

    def to_dict(self) -> dict[str, object]:
        """Return the JSON-ready mapping, keys in contract order (``disclosure`` is not part of it)."""
        return {key: getattr(self, key) for key in CONTRACT_KEYS}


def place(file: str, sheet: str | None = None, row: int | None = None) -> str:
    """Where something is, as a user reads it: "IDN.xlsx, sheet Actions, row 14".

    Rows of YAML files are lines, and are called so.
    """
    parts = [file]
    if sheet:
        parts.append(f"sheet {sheet}")
    if row is not None:
        parts.append(f"line {row}" if file.lower().endswith((".yaml", ".yml")) else f"row {row}")
    return ", ".join(parts)


def error(
    code: str,
    file: str,
    message: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> Issue:
    """Build an error-severity issue."""
    return Issue("error", code, file, sheet, row, field, message)


def warning(
    code: str,
    file: str,
    message: str,
    *,
    sheet: str | None = None,
    row: int | None = None,
    field: str | None = None,
) -> Issue:
    """Build a warning-severity issue."""
    return Issue("warning", code, file, sheet, row, field, message)


def has_errors(issues: list[Issue]) -> bool:
    """True when at least one issue is an error (warnings do not fail validation)."""
    return any(i.severity == "error" for i in issues)


def sort_issues(issues: list[Issue]) -> list[Issue]:
    """Stable report order: by file, then sheet, row, field; file-level issues first."""
    return sorted(
        issues,
        key=lambda i: (i.file, i.sheet or "", -1 if i.row is None else i.row, i.field or "", i.code),
    )
