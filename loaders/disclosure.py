"""Which validation issues a viewer may read: nothing about a confidential action, not even that it exists.

Confidential actions are shown only to roles that may see them (``tracker.access.can_see_confidential``).
An issue quotes the row it is about (status text, evidence, dates …), and its mere presence, or a count that
includes it, tells a viewer that such a row exists. So every issue of a data set is marked, where the rows are
known (``loaders/actions.py``, ``loaders/dataset.py``), with its ``disclosure``; the decision for each code:

``confidential``: hidden from viewers and left out of every count they see.
    - Any issue on a row whose Confidential cell says yes, or says something that is neither yes nor no (a row
      whose confidentiality cannot be read is treated as confidential). That covers every row-level code of
      ``loaders/actions.py``: missing-value, unknown-member, member-mismatch, unknown-commitment, title-too-long,
      unknown-status, bad-date, future-date, due-before-start, unknown-mechanism, evidence-required,
      bad-evidence, bad-origin, bad-confidential, bad-action-id, duplicate-action-id; and any reading issue
      placed on such a row (a YAML key outside the template, ``unknown-column``, is reported at the line of the
      first action that uses it).
    - duplicate-action-id on a public row when the row it names as the id's first use is confidential: the
      message gives that row's place and id.

``generalised``: viewers see the file, the code and the severity, not the message or the line. The file was
    refused whole, so which of its rows were confidential cannot be known, and the message carries a parser's own
    text, which can quote a value (``!!int abc`` gives "invalid literal … 'abc'") or point inside a confidential
    action: yaml-syntax, yaml-unsafe-tag, unreadable-file, not-a-csv, and any code not listed under *public*
    (a new code is generalised until someone decides it is safe).

``public``: everything else.
    - Issues on rows that are not confidential (they quote only that row).
    - The catalog's issues (the catalog is public).
    - File-level issues whose message names only the file, its size or its structure: file-too-large,
      unsupported-format, macro-workbook-refused, bad-file-name, no-sheet, encrypted-workbook, not-a-workbook,
      zip-bomb, sheet-too-large, active-content-refused, too-many-columns, cell-too-long (sizes and row
      numbers only), missing-column, duplicate-column, yaml-structure, yaml-too-complex, unknown-member and
      member-mismatch (about the file name or its ``member:`` line), duplicate-member-file, and unknown-column
      on a header row (a header label, or a column letter that has values but no header:
      viewers never see those values, so they cannot tell whose they are).

The ``validate`` command and the *Submit an update* page show a file's issues to whoever holds that file, in
full; this module decides only what the data set's issues tell viewers of the dashboard.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Set

from loaders.issues import Disclosure, Issue, place

PUBLIC_FILE_CODES = frozenset(
    {
        "file-too-large",
        "unsupported-format",
        "macro-workbook-refused",
        "bad-file-name",
        "no-sheet",
        "encrypted-workbook",
        "not-a-workbook",
        "zip-bomb",
        "sheet-too-large",
        "missing-column",
        "duplicate-column",
        "unknown-column",
        "yaml-structure",
        "yaml-too-complex",
        "unknown-member",
        "member-mismatch",
        "duplicate-member-file",
        # The hostile-file checks (issue 9): what the package holds, or a row's size; never a cell's text.
        "active-content-refused",
        "too-many-columns",
        "cell-too-long",
    }
)
"""File-level codes whose message quotes no cell of any row (see the module docstring)."""

Place = tuple[str, int | None]
"""(file, Excel row or YAML line) of a data row."""


def mark(issues: Iterable[Issue], *, data_rows: Set[Place], secret_rows: Set[Place]) -> list[Issue]:
    """Set the disclosure of issues raised while reading files, from where they are.

    Args:
        issues: issues whose place is (file, row).
        data_rows: the places of every data row read.
        secret_rows: the places of the rows that are, or may be, confidential.

    Returns:
        The issues, each with its ``disclosure`` set.
    """
    marked = []
    for issue in issues:
        where = (issue.file, issue.row) if issue.row is not None else None
        if where in secret_rows:
            disclosure: Disclosure = "confidential"
        elif where in data_rows:
            disclosure = "public"
        else:
            disclosure = "public" if issue.code in PUBLIC_FILE_CODES else "generalised"
        marked.append(dataclasses.replace(issue, disclosure=disclosure))
    return marked


def visible_issues(issues: Iterable[Issue], *, can_see_confidential: bool) -> list[Issue]:
    """The issues a user may read: all of them, or for viewers the public ones and the general form of the rest.

    Args:
        issues: marked issues (a data set's).
        can_see_confidential: the user's role sees confidential actions.
    """
    if can_see_confidential:
        return list(issues)
    return [_general(i) if i.disclosure == "generalised" else i for i in issues if i.disclosure != "confidential"]


def _general(issue: Issue) -> Issue:
    """What a viewer reads of a generalised issue: which file, which kind of problem, and where to see the detail."""
    return dataclasses.replace(
        issue,
        row=None,
        message=(
            f"{place(issue.file, issue.sheet)}: a problem of the kind '{issue.code}'. Its detail can quote the "
            "file's content, so only reviewers see it here; the member's focal point sees it by checking the file "
            "on Submit an update"
        ),
    )
