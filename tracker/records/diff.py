"""What an upload would change: actions added, removed, and changed field by field.

Applying a member file replaces that member's records, so the diff compares the
member's current actions with the uploaded ones by action id. Rows without an
id are new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from loaders.catalog import Catalog
from loaders.fields import FIELD_NAMES
from loaders.fields import LABELS as FIELD_LABELS
from loaders.i18n import N_, SOURCE_LANGUAGE, Language, language

# The contract fields a person edits, plus the unknown columns kept aside. The id and the
# member identify the row, so they are not compared.
COMPARED_FIELDS: tuple[str, ...] = (*(f for f in FIELD_NAMES if f not in ("action_id", "member")), "extra")
LABELS = {**FIELD_LABELS, "extra": N_("Other columns")}
CHANGE_COLUMNS = ["action_id", "field", "old", "new"]
SUMMARY = N_("{added} added, {removed} removed, {fields} field(s) changed in {actions} action(s)")
"""What a diff changes, in one line (:meth:`Diff.summary`); a submission keeps it, in English."""
_SAID_SUMMARY = re.compile(r"(\d+) added, (\d+) removed, (\d+) field\(s\) changed in (\d+) action\(s\)")


@dataclass(frozen=True)
class Diff:
    """The difference between a member's current and uploaded actions.

    Attributes:
        added: uploaded actions that are new (no id, or an id not on record).
        removed: actions on record that the upload no longer has.
        changed: one row per changed field: ``action_id``, ``field``, ``old``, ``new``.
    """

    added: pd.DataFrame
    removed: pd.DataFrame
    changed: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        """True when the upload changes nothing."""
        return self.added.empty and self.removed.empty and self.changed.empty

    def summary(self, lang: Language | None = None) -> str:
        """One line: "2 added, 1 removed, 3 field(s) changed in 2 action(s)", in ``lang`` (English when None)."""
        return _summary(
            len(self.added), len(self.removed), len(self.changed), self.changed["action_id"].nunique(), lang
        )


def summary_in(summary: str, lang: Language | None = None) -> str:
    """A summary :meth:`Diff.summary` said in English (as a submission keeps it) said again in ``lang``.

    Anything else (a summary edited by hand) is returned as it is.
    """
    found = _SAID_SUMMARY.fullmatch(summary)
    if found is None or lang is None or lang.code == SOURCE_LANGUAGE:
        return summary
    added, removed, fields, actions = (int(n) for n in found.groups())
    return _summary(added, removed, fields, actions, lang)


def _summary(added: int, removed: int, fields: int, actions: int, lang: Language | None) -> str:
    if lang is None or lang.code == SOURCE_LANGUAGE:  # the counts as they are: the CLI and the stored summaries
        return SUMMARY.format(added=added, removed=removed, fields=fields, actions=actions)
    return lang.gettext(SUMMARY).format(
        added=lang.number(added), removed=lang.number(removed), fields=lang.number(fields), actions=lang.number(actions)
    )


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """Contract fields as plain text (dates ISO, booleans yes/no, blanks empty), indexed by action id."""
    out = pd.DataFrame(index=frame["action_id"].astype("str"))
    for field in COMPARED_FIELDS:
        values = frame[field]
        if pd.api.types.is_datetime64_any_dtype(values):
            text = values.dt.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(values):
            text = values.map({True: "yes", False: "no"})
        else:
            text = values.astype("str")
        out[field] = text.fillna("").to_numpy()
    return out


def diff_actions(current: pd.DataFrame, uploaded: pd.DataFrame) -> Diff:
    """Compare a member's current actions with an uploaded replacement.

    Args:
        current: validated actions on record for the member.
        uploaded: validated actions from the upload (``action_id`` may be NA for new rows).
    """
    has_id = uploaded["action_id"].notna()
    known = uploaded["action_id"].isin(current["action_id"])
    added = uploaded[~has_id | ~known].reset_index(drop=True)
    removed = current[~current["action_id"].isin(uploaded["action_id"])].reset_index(drop=True)

    old = comparable(current[current["action_id"].isin(uploaded["action_id"])])
    new = comparable(uploaded[has_id & known]).reindex(old.index)
    differs = old.ne(new)
    stacked = differs.stack()
    pairs = stacked[stacked].index
    changed = pd.DataFrame(
        {
            "action_id": pairs.get_level_values(0),
            "field": pairs.get_level_values(1),
            "old": [old.at[a, f] for a, f in pairs],
            "new": [new.at[a, f] for a, f in pairs],
        },
        columns=CHANGE_COLUMNS,
    ).astype("str")
    return Diff(added=added, removed=removed, changed=changed)


def changes_display(diff: Diff, catalog: Catalog, lang: Language | None = None) -> pd.DataFrame:
    """Changed fields as people read them, in ``lang``: column labels, status labels instead of ids."""
    lang = lang or language()
    _ = lang.gettext
    # Both sides were validated against this catalog, so every status is on its scale and every field has a label.
    labels = {s.id: s.label_in(lang.code) for s in catalog.statuses.values()}
    frame = diff.changed.copy()
    is_status = frame["field"] == "status"
    frame.loc[is_status, "old"] = frame.loc[is_status, "old"].map(labels)
    frame.loc[is_status, "new"] = frame.loc[is_status, "new"].map(labels)
    frame["field"] = frame["field"].map({name: _(label) for name, label in LABELS.items()})
    headings = {"action_id": _(LABELS["action_id"]), "field": _("Column"), "old": _("Was"), "new": _("Becomes")}
    return frame.rename(columns=headings)
