"""The member action spreadsheet contract: its fields, labels and header matching.

This table is the single declaration of the contract in ``product.md``; the
reader, the validator, the template writer and the docs all use it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from loaders.i18n import N_, available, language


@dataclass(frozen=True)
class FieldSpec:
    """One column of the member action spreadsheet."""

    name: str
    label: str
    required: bool
    help: str


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec(
        "action_id", N_("Action ID"), False, N_("Leave blank for a new action; an id such as IDN-014 is assigned.")
    ),
    FieldSpec("member", N_("Member"), True, N_("Your member id, e.g. IDN; it must match the file name.")),
    FieldSpec(
        "commitments",
        N_("Commitment IDs"),
        True,
        N_("One or more catalog ids, separated by ; or , (e.g. ASC-6; BWP-B.2)."),
    ),
    FieldSpec("title", N_("Action title"), True, N_("A short name for the action, at most 200 characters.")),
    FieldSpec("description", N_("Description"), False, N_("What was done, in a few sentences.")),
    FieldSpec(
        "status",
        N_("Status"),
        True,
        N_("One of the status scale: Not started, Limited, Substantial, Complete, Discontinued."),
    ),
    FieldSpec("start_date", N_("Start date"), False, N_("A date: an Excel date, YYYY-MM-DD or DD/MM/YYYY.")),
    FieldSpec("due_date", N_("Due date"), False, N_("A date, not before the start date.")),
    FieldSpec("last_updated", N_("Last updated"), True, N_("The date this row was last checked; not in the future.")),
    FieldSpec("lead_agency", N_("Lead agency"), False, N_("The national agency or unit leading the action.")),
    FieldSpec(
        "asean_mechanisms",
        N_("ASEAN mechanisms"),
        False,
        N_("ASEAN mechanism ids, separated by ; or , (e.g. ACTIP; SOMTC)."),
    ),
    FieldSpec(
        "evidence",
        N_("Evidence"),
        False,
        N_("A web address (http:// or https://) or a document reference; required when Complete."),
    ),
    FieldSpec(
        "origin", N_("New or pre-existing"), False, N_("new (started under the 2023 frameworks) or pre-existing.")
    ),
    FieldSpec(
        "confidential", N_("Confidential"), False, N_("yes or no; confidential actions are shown only to reviewers.")
    ),
    FieldSpec("notes", N_("Notes"), False, N_("Anything else the secretariat should know.")),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)
LABELS: dict[str, str] = {f.name: f.label for f in FIELDS}
DATE_FIELDS: tuple[str, ...] = ("start_date", "due_date", "last_updated")
LIST_FIELDS: tuple[str, ...] = ("commitments", "asean_mechanisms")
TITLE_MAX = 200
HEADER_SEARCH_ROWS = 10


def fold(value: object) -> str:
    """Fold a header or label: ignore case, spaces, underscores and punctuation."""
    return "".join(ch for ch in str(value).casefold() if ch.isalnum())


HEADER_ALIASES: dict[str, str] = {
    **{fold(f.name): f.name for f in FIELDS},
    **{fold(f.label): f.name for f in FIELDS},
    # A template downloaded in another language loads as an English one: its column labels are headers too.
    **{fold(language(code).gettext(f.label)): f.name for code in available() for f in FIELDS},
}


@functools.lru_cache(maxsize=4096)
def _field_for_text(text: str) -> str | None:
    return HEADER_ALIASES.get(fold(text))


def field_for_header(header: object) -> str | None:
    """The canonical field a header cell names, or None when it names none."""
    # Memoised on the text: YAML files repeat the same dozen keys in every action. A number, date or boolean
    # (a YAML key such as `yes:`, a spreadsheet cell typed as a number) never folds to a field's name or label.
    return _field_for_text(header) if isinstance(header, str) else None


def find_header(grid: Sequence[Sequence[object]]) -> tuple[int | None, dict[int, str]]:
    """Locate the member action spreadsheet's header row in the first rows of a grid.

    Returns:
        (index of the header row, or None when no row has every required
        column; {column index: field} of that row, or of the row that came
        closest, so missing columns can be named).
    """
    return find_columns(grid, field_for_header, REQUIRED)


def by_label(aliases: Mapping[str, str]) -> Callable[[object], str | None]:
    """A ``name_of`` for :func:`find_columns`: a text cell's column, by its folded label in ``aliases``."""
    return lambda cell: aliases.get(fold(cell)) if isinstance(cell, str) else None


def find_columns(
    grid: Sequence[Sequence[object]], name_of: Callable[[object], str | None], required: Sequence[str]
) -> tuple[int | None, dict[int, str]]:
    """Locate a header row holding every ``required`` column, as :func:`find_header` does for any table.

    ``name_of`` maps a header cell to its column's name (None when it names none).
    """
    best_map: dict[int, str] = {}
    best_score = -1
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        mapping = {col: f for col, cell in enumerate(row) if (f := name_of(cell)) is not None}
        found = set(mapping.values())
        if all(r in found for r in required):
            return index, mapping
        score = sum(r in found for r in required)
        if score > best_score:
            best_map, best_score = mapping, score
    return None, best_map
