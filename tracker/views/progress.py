"""Progress over time: plan years, overdue actions and what moved since a date.

"Since a date" works from each action's ``last_updated`` alone. Comparing with a
named meeting snapshot is ``tracker.records.snapshots.snapshot_changes``; the page
offers both (``ui/movement.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from tracker.views.filters import View

PLAN_START, PLAN_END = 2023, 2028
PLAN_MEASURES = ["started", "due: complete", "due: overdue", "due: not yet due", "due: discontinued"]
TIMELINE_LIMIT = 150  # above this many actions a per-action timeline stops being readable


def is_overdue(actions: pd.DataFrame, complete: str, counted_apart: list[str], today: dt.date) -> pd.Series:
    """Due before ``today`` and neither complete nor counted apart (discontinued)."""
    open_ = ~actions["status"].isin([complete, *counted_apart])
    return open_ & (actions["due_date"] < pd.Timestamp(today))


def overdue_actions(view: View, today: dt.date) -> pd.DataFrame:
    """Actions in scope that are past their due date and not complete, oldest due first."""
    scale = view.catalog.scale
    mask = is_overdue(view.actions, scale.complete, scale.counted_apart, today)
    return view.actions[mask].sort_values("due_date").reset_index(drop=True)


def plan_year_summary(view: View, today: dt.date) -> pd.DataFrame:
    """Per plan year: actions started, and actions due split by outcome.

    Returns:
        Columns ``year``, ``measure`` (``started``, ``due: complete``, ``due: overdue``,
        ``due: not yet due``, ``due: discontinued``) and ``actions``, for every
        year of the plan period and any year outside it that has data.
    """
    actions = view.actions
    scale = view.catalog.scale
    due = actions[actions["due_date"].notna()]
    outcome = pd.Series("due: not yet due", index=due.index)
    outcome[due["status"] == scale.complete] = "due: complete"
    outcome[due["status"].isin(scale.counted_apart)] = "due: discontinued"
    outcome[is_overdue(due, scale.complete, scale.counted_apart, today)] = "due: overdue"
    started = pd.DataFrame({"year": actions["start_date"].dt.year, "measure": "started"})
    ending = pd.DataFrame({"year": due["due_date"].dt.year, "measure": outcome})
    both = pd.concat([started, ending]).dropna(subset=["year"])
    counts = both.astype({"year": "int64"}).groupby(["year", "measure"]).size()
    years = sorted(set(range(PLAN_START, PLAN_END + 1)) | set(counts.index.get_level_values("year")))
    index = pd.MultiIndex.from_product([years, PLAN_MEASURES], names=["year", "measure"])
    frame = counts.reindex(index, fill_value=0).rename("actions").reset_index()
    return frame.astype({"year": "int64", "measure": "str", "actions": "int64"})


@dataclass(frozen=True)
class Movement:
    """What moved since a reference point (a date now; a snapshot later)."""

    since: dt.date
    updated: pd.DataFrame
    new: pd.DataFrame
    stalled: pd.DataFrame

    def counts(self) -> dict[str, int]:
        """Headline counts of each group."""
        return {"updated": len(self.updated), "new": len(self.new), "stalled": len(self.stalled)}


def movement_since(view: View, since: dt.date) -> Movement:
    """Actions updated since ``since``, started since then, and open ones not touched since.

    "Stalled" means not complete, not counted apart, and last updated before
    ``since``: nobody has reported on it in the period.
    """
    actions = view.actions
    scale = view.catalog.scale
    cutoff = pd.Timestamp(since)
    updated = actions[actions["last_updated"] >= cutoff]
    new = actions[actions["start_date"] >= cutoff]
    open_ = ~actions["status"].isin([scale.complete, *scale.counted_apart])
    stalled = actions[open_ & (actions["last_updated"] < cutoff)]
    return Movement(
        since=since,
        updated=updated.sort_values("last_updated", ascending=False).reset_index(drop=True),
        new=new.sort_values("start_date", ascending=False).reset_index(drop=True),
        stalled=stalled.sort_values("last_updated").reset_index(drop=True),
    )


def timeline_rows(view: View, today: dt.date) -> pd.DataFrame:
    """One row per action with a start date, its end (due date, else today) and an overdue flag."""
    actions = view.actions[view.actions["start_date"].notna()]
    scale = view.catalog.scale
    end = actions["due_date"].fillna(pd.Timestamp(today))
    end = end.where(end > actions["start_date"], actions["start_date"] + pd.Timedelta(days=1))
    return (
        pd.DataFrame(
            {
                "action_key": actions["action_key"],
                "member": actions["member"],
                "title": actions["title"],
                "status": actions["status"],
                "start": actions["start_date"],
                "end": end,
                "has_due_date": actions["due_date"].notna(),
                "overdue": is_overdue(actions, scale.complete, scale.counted_apart, today),
            }
        )
        .sort_values(["start", "action_key"])
        .reset_index(drop=True)
    )
