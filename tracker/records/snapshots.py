"""Named meeting snapshots ("as presented at the 19th AHG SOM") and what changed since one.

A snapshot freezes the validated records under a name and a date in
``_snapshots/<slug>/`` (Parquet tables plus ``meta.json``). Snapshots are
immutable: a name can be used once and the files are made read-only. They are
written in a hidden staging folder, fsynced, and renamed into place, so a crash
(or a power cut) leaves either no snapshot or a whole one.
:func:`compare` classifies every action between two states (a snapshot and
today, or two snapshots): new, removed, status up, status down, unchanged,
and flags actions that became overdue in between.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from loaders.i18n import N_, Language, language
from tracker.access import User, can_review, require
from tracker.records import durable
from tracker.records.catalog_journal import read_catalog_log
from tracker.views.filters import View, apply_filters
from tracker.views.progress import is_overdue

SNAPSHOTS = "_snapshots"
CHANGE_KINDS = ("new", "status up", "status down", "unchanged", "removed")
KIND_LABELS = {
    "new": N_("New"),
    "status up": N_("Status up"),
    "status down": N_("Status down"),
    "unchanged": N_("Unchanged"),
    "removed": N_("Removed"),
    "newly overdue": N_("Newly overdue"),
}
"""Each of ``CHANGE_KINDS`` (and "newly overdue") as a heading names it, translated where it is shown."""
_TABLES = ("actions", "action_commitments", "action_mechanisms")


@dataclass(frozen=True)
class SnapshotInfo:
    """A snapshot's name, when it was taken, by whom, and the data date it holds."""

    slug: str
    name: str
    taken_at: str
    taken_by: str
    data_as_of: str
    actions: int
    catalog_version: str = ""
    """The catalog's version (``Catalog.version``) when it was taken; empty for snapshots older than versions."""


@dataclass(frozen=True)
class Snapshot:
    """A frozen copy of the records (same frames as a :class:`~loaders.dataset.Dataset`)."""

    info: SnapshotInfo
    actions: pd.DataFrame
    action_commitments: pd.DataFrame
    action_mechanisms: pd.DataFrame
    remap: dict[str, str] = field(default_factory=dict)
    """Old commitment id -> the id that replaced it, composed over the catalog imports since it was taken."""
    imports: tuple[str, ...] = ()
    """Those imports, as "<framework> from <file> on <date>"."""


def slugify(name: str) -> str:
    """A file-safe, readable folder name for a snapshot name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")
    return slug[:80] or "snapshot"


class Snapshots:
    """The snapshots of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = Path(data_dir) / SNAPSHOTS
        self.lock = FileLock(str(Path(data_dir) / SNAPSHOTS / ".lock"))

    def take(self, dataset: Dataset, name: str, user: User) -> SnapshotInfo:
        """Freeze the dataset's records under ``name``.

        Raises:
            AccessDeniedError: only reviewers and admins take snapshots.
            ValueError: the name is empty or already used.
        """
        require(can_review(user), "take snapshots")
        name = name.strip()
        if not name:
            raise ValueError("Give the snapshot a name, e.g. '19th AHG SOM, Dec 2025'.")
        slug = slugify(name)
        self.root.mkdir(parents=True, exist_ok=True)
        with self.lock:
            if (self.root / slug).exists():
                raise ValueError(f"A snapshot named '{name}' already exists; snapshots cannot be replaced.")
            latest = dataset.actions["last_updated"].max()
            info = SnapshotInfo(
                slug=slug,
                name=name,
                taken_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                taken_by=user.label,
                data_as_of="" if pd.isna(latest) else f"{latest:%Y-%m-%d}",
                actions=len(dataset.actions),
                catalog_version=dataset.catalog.version,
            )
            staging = self.root / f".{slug}.tmp"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir()
            for table in _TABLES:
                getattr(dataset, table).to_parquet(staging / f"{table}.parquet", index=False)
            (staging / "meta.json").write_text(json.dumps(asdict(info), indent=2), encoding="utf-8")
            for path in sorted(staging.iterdir()):
                path.chmod(0o444)  # read-only: a snapshot is a record of what was presented
                durable.fsync_file(path)  # on disk before the folder appears under its name
            durable.fsync_dir(staging)
            durable.replace(staging, self.root / slug)
            durable.fsync_dir(self.root)
        return info

    def list(self) -> list[SnapshotInfo]:
        """Every snapshot, oldest first."""
        if not self.root.is_dir():
            return []
        infos = []
        for folder in sorted(self.root.iterdir()):
            meta = folder / "meta.json"
            if folder.is_dir() and not folder.name.startswith(".") and meta.is_file():
                infos.append(SnapshotInfo(**json.loads(meta.read_text(encoding="utf-8"))))
        return sorted(infos, key=lambda i: i.taken_at)

    def load(self, slug: str) -> Snapshot:
        """Read one snapshot.

        Raises:
            KeyError: no snapshot with that name or slug.
        """
        for info in self.list():
            if slug in (info.slug, info.name):
                folder = self.root / info.slug
                actions, commitments, mechanisms = (pd.read_parquet(folder / f"{t}.parquet") for t in _TABLES)
                remap, imports = remap_since(read_catalog_log(self.root.parent), info.taken_at)
                return Snapshot(info, actions, commitments, mechanisms, remap=remap, imports=imports)
        raise KeyError(slug)


def remap_since(log: list[dict[str, Any]], taken_at: str) -> tuple[dict[str, str], tuple[str, ...]]:
    """The commitment ids remapped by the catalog imports logged after ``taken_at``, composed in order.

    An id remapped twice (A -> B, later B -> C) maps to the last (A -> C, B -> C).

    Returns:
        Old id -> current id, and each of those imports as "<framework> from <file> on <date>".
    """
    remap: dict[str, str] = {}
    imports = []
    for entry in log:
        if str(entry.get("at", "")) <= taken_at:
            continue  # both are UTC ISO times to the second, so text order is time order
        step = {str(k): str(v) for k, v in dict(entry.get("remap", {})).items()}
        remap = {old: step.get(new, new) for old, new in remap.items()}
        remap |= {old: new for old, new in step.items() if old not in remap}
        imports.append(f"{entry.get('framework', '')} from {entry.get('file', '')} on {str(entry.get('at', ''))[:10]}")
    return remap, tuple(imports)


def compare(
    before: pd.DataFrame, after: pd.DataFrame, catalog: Catalog, *, before_date: dt.date, after_date: dt.date
) -> pd.DataFrame:
    """Classify each action between two states of the records.

    Args:
        before: actions at the earlier point (a snapshot's).
        after: actions at the later point (today's, or a later snapshot's).
        catalog: for the status order and which statuses count as done.
        before_date, after_date: the dates "overdue" is judged at for each side.

    Returns:
        One row per action id on either side: ``action_id``, ``member``, ``title``,
        ``status_before``, ``status_after``, ``change`` (one of :data:`CHANGE_KINDS`)
        and ``newly_overdue`` (overdue at ``after_date`` but not at ``before_date``).
        Statuses counted apart (discontinued) rank below every progress status.
    """
    scale = catalog.scale
    rank = {sid: s.order for sid, s in catalog.statuses.items()}
    for sid in scale.counted_apart:
        rank[sid] = 0
    left = before.dropna(subset=["action_id"]).set_index("action_id")
    right = after.dropna(subset=["action_id"]).set_index("action_id")
    ids = left.index.union(right.index)
    frame = pd.DataFrame(index=ids)
    frame["member"] = right["member"].reindex(ids).fillna(left["member"].reindex(ids))
    frame["title"] = right["title"].reindex(ids).fillna(left["title"].reindex(ids))
    frame["status_before"] = left["status"].reindex(ids)
    frame["status_after"] = right["status"].reindex(ids)
    up = frame["status_after"].map(rank) > frame["status_before"].map(rank)
    down = frame["status_after"].map(rank) < frame["status_before"].map(rank)
    change = pd.Series("unchanged", index=ids)
    change[up] = "status up"
    change[down] = "status down"
    change[frame["status_before"].isna()] = "new"
    change[frame["status_after"].isna()] = "removed"
    frame["change"] = change
    was = is_overdue(left, scale.complete, scale.counted_apart, before_date).reindex(ids, fill_value=False)
    now = is_overdue(right, scale.complete, scale.counted_apart, after_date).reindex(ids, fill_value=False)
    frame["newly_overdue"] = now & ~was
    return frame.reset_index(names="action_id").astype(
        {"action_id": "str", "member": "str", "title": "str", "change": "str", "newly_overdue": "bool"}
    )


def rollup(changes: pd.DataFrame, by: pd.Series, name: str) -> pd.DataFrame:
    """Count change kinds per group (``by`` maps action_id -> group, e.g. member or area).

    Returns:
        One row per group with a column per change kind plus ``newly overdue``.
    """
    joined = changes.merge(by.rename("_group"), left_on="action_id", right_index=True)
    counts = pd.crosstab(joined["_group"], joined["change"]).reindex(columns=list(CHANGE_KINDS), fill_value=0)
    counts["newly overdue"] = joined.groupby("_group")["newly_overdue"].sum().reindex(counts.index).fillna(0)
    counts = counts.astype("int64").rename_axis(index=name, columns=None)
    return counts.reset_index()


def as_dataset(snapshot: Snapshot, catalog: Catalog) -> Dataset:
    """A snapshot shaped as a :class:`Dataset`, so the same filters apply to it.

    Commitment ids a catalog import has remapped since the snapshot was taken are read through the remap
    (with the current catalog's framework and area), so an action re-pointed by an import compares as the same
    action under the same commitment, not as one removed from the old id and added to the new.
    """
    links = snapshot.action_commitments
    if snapshot.remap:
        links = links.copy()
        moved = links["commitment_id"].isin(list(snapshot.remap))
        links.loc[moved, "commitment_id"] = links.loc[moved, "commitment_id"].map(snapshot.remap)
        known = moved & links["commitment_id"].isin(list(catalog.commitments))
        ids = links.loc[known, "commitment_id"]
        links.loc[known, "framework"] = ids.map({c: catalog.commitments[c].framework for c in set(ids)})
        links.loc[known, "top_level"] = ids.map({c: catalog.top_level(c) for c in set(ids)})
        links = links.drop_duplicates(["action_key", "commitment_id"]).reset_index(drop=True)
    return Dataset(
        catalog=catalog,
        actions=snapshot.actions,
        action_commitments=links,
        action_mechanisms=snapshot.action_mechanisms,
        files=pd.DataFrame(),
        illustrative=bool(snapshot.actions["illustrative"].any()) if len(snapshot.actions) else False,
    )


@dataclass(frozen=True)
class SnapshotChanges:
    """What changed between a meeting snapshot and today, for the same filters.

    Attributes:
        name: the snapshot's name ("19th AHG SOM, Dec 2025").
        taken: the date it was taken (overdue is judged then for the "before" side).
        changes: :func:`tracker.records.snapshots.compare` output, one row per action.
        by_area: change kinds per area or pillar, catalog order.
        by_member: change kinds per member, A–Z by name (never ranked).
    """

    name: str
    taken: dt.date
    changes: pd.DataFrame
    by_area: pd.DataFrame
    by_member: pd.DataFrame
    catalog_note: str | None = None
    """Said when the catalog changed since the snapshot (:func:`remap_note`)."""

    def count(self, kind: str) -> int:
        """How many actions had this kind of change (one of ``CHANGE_KINDS``)."""
        return int((self.changes["change"] == kind).sum())

    @property
    def newly_overdue(self) -> pd.DataFrame:
        """Actions overdue today that were not overdue when the snapshot was taken."""
        return self.changes[self.changes["newly_overdue"]].reset_index(drop=True)


def snapshot_changes(
    view: View, snapshot: Snapshot, *, can_see_confidential: bool, today: dt.date, lang: Language | None = None
) -> SnapshotChanges:
    """Compare a snapshot with the view, the same filters (and confidentiality) applied to both sides.

    This is the comparison the Progress page and the member profile show; its note on a changed catalog is said in
    ``lang`` (English).
    """
    catalog = view.catalog
    taken = dt.date.fromisoformat(snapshot.info.taken_at[:10])
    before = apply_filters(as_dataset(snapshot, catalog), view.filters, can_see_confidential=can_see_confidential)
    changes = compare(before.actions, view.actions, catalog, before_date=taken, after_date=today)
    # Areas from both sides, so a removed action still counts under the area it was in.
    areas = pd.concat([before.links, view.links])[["action_key", "top_level"]].drop_duplicates()
    by_area = rollup(changes, areas.set_index("action_key")["top_level"], "area")
    order = {c: i for i, c in enumerate(catalog.commitments)}
    by_area = by_area.sort_values("area", key=lambda s: s.map(order)).reset_index(drop=True)
    titles = {c: catalog.commitments[c].shown_title for c in catalog.commitments}
    by_area.insert(1, "title", by_area["area"].map(titles))
    by_member = rollup(changes, changes.set_index("action_id")["member"], "member")
    names = {m: catalog.members[m].name for m in catalog.members}
    by_member.insert(1, "name", by_member["member"].map(names).fillna(by_member["member"]))
    by_member = by_member.sort_values("name").reset_index(drop=True)
    return SnapshotChanges(snapshot.info.name, taken, changes, by_area, by_member, remap_note(snapshot, lang))


def remap_note(snapshot: Snapshot, lang: Language | None = None) -> str | None:
    """A sentence saying that the catalog changed since the snapshot and how its ids are read (in ``lang``), or
    None."""
    if not snapshot.imports:
        return None
    _ = (lang or language()).gettext
    values = {"name": snapshot.info.name, "imports": "; ".join(snapshot.imports)}
    if not snapshot.remap:
        return _(
            "The catalog changed after '{name}' was taken (import of {imports}), so a re-pointed action counts as the "
            "same action under its new id."
        ).format(**values)
    pairs = ", ".join(f"{old} → {new}" for old, new in sorted(snapshot.remap.items()))
    return _(
        "The catalog changed after '{name}' was taken (import of {imports}); its actions' commitments are read "
        "through the remap ({pairs}), so a re-pointed action counts as the same action under its new id."
    ).format(pairs=pairs, **values)
