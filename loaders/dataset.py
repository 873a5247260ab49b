"""Assemble the whole data set: catalog + every member file in a data directory.

This is the one entry point the app, the CLI and the tests use to turn files
into validated frames. Reading each file is injectable so the app can cache it
per file fingerprint (see ``ui/cache.py``) while the validation across files
stays one vectorised pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from loaders.actions import ActionSet, validate_actions
from loaders.catalog import Catalog, load_catalog
from loaders.issues import Issue, error, sort_issues
from loaders.members import parse_member_id
from loaders.tables import READABLE_SUFFIXES, REFUSED_SUFFIXES, RawFile, read_member_file

Reader = Callable[[Path], RawFile]
SCANNED_SUFFIXES = (*READABLE_SUFFIXES, *REFUSED_SUFFIXES)


@dataclass(frozen=True)
class Dataset:
    """Everything the dashboard shows, validated once at load time.

    Attributes:
        catalog: the commitments catalog.
        actions: one row per valid action (see ``loaders.actions.ACTION_COLUMNS``).
        action_commitments: long table (action_key, commitment_id, framework, top_level).
        action_mechanisms: long table (action_key, mechanism_id).
        files: one row per member file read (member, file, rows, actions, errors, warnings, modified).
        issues: catalog and data issues, sorted.
        illustrative: True when any file is marked as illustrative sample data.
        data_dir: where the member files came from.
    """

    catalog: Catalog
    actions: pd.DataFrame
    action_commitments: pd.DataFrame
    action_mechanisms: pd.DataFrame
    files: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    illustrative: bool = False
    data_dir: str = ""

    @property
    def errors(self) -> list[Issue]:
        """Only the error-severity issues."""
        return [i for i in self.issues if i.severity == "error"]


def member_files(data_dir: Path) -> list[Path]:
    """Files in ``data_dir`` that are member files (or refused workbooks), by name.

    Files starting with ``_`` or ``.`` and sub-directories (history, snapshots)
    are not member files.
    """
    return sorted(
        p
        for p in data_dir.iterdir()
        if p.is_file() and p.suffix.lower() in SCANNED_SUFFIXES and not p.name.startswith(("_", "."))
    )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files given directly plus the member files of each directory given."""
    out: list[Path] = []
    for path in paths:
        out.extend(member_files(path) if path.is_dir() else [path])
    return out


def load_dataset(
    data_dir: Path | str,
    catalog: Catalog | None = None,
    *,
    today: dt.date | None = None,
    reader: Reader = read_member_file,
) -> Dataset:
    """Load and validate every member file in ``data_dir``.

    Args:
        data_dir: the directory of member files.
        catalog: a loaded catalog (the bundled one when omitted).
        today: the reference date for "not in the future" (today when omitted).
        reader: reads one file; the app passes a cached version.
    """
    data_dir = Path(data_dir)
    catalog = catalog or load_catalog()
    paths = member_files(data_dir) if data_dir.is_dir() else []
    raws = [reader(p) for p in paths]
    raws, duplicate_issues = _one_file_per_member(raws)
    return build_dataset(catalog, raws, today=today, data_dir=data_dir, extra_issues=duplicate_issues, paths=paths)


def build_dataset(
    catalog: Catalog,
    raws: Sequence[RawFile],
    *,
    today: dt.date | None = None,
    data_dir: Path | str = "",
    extra_issues: Sequence[Issue] = (),
    paths: Sequence[Path] = (),
) -> Dataset:
    """Validate already-read files together and assemble a :class:`Dataset`."""
    checked: ActionSet = validate_actions(raws, catalog, today or dt.date.today())
    issues = sort_issues([*catalog.issues, *extra_issues, *checked.issues])
    return Dataset(
        catalog=catalog,
        actions=checked.actions,
        action_commitments=checked.action_commitments,
        action_mechanisms=checked.action_mechanisms,
        files=_file_table(raws, checked, issues, paths),
        issues=issues,
        illustrative=any(r.illustrative for r in raws),
        data_dir=str(data_dir),
    )


def _one_file_per_member(raws: list[RawFile]) -> tuple[list[RawFile], list[Issue]]:
    """Keep the first file of each member; a second one is an error, not merged."""
    seen: dict[str, str] = {}
    kept: list[RawFile] = []
    issues: list[Issue] = []
    for raw in raws:
        member = raw.member or parse_member_id(Path(raw.file).stem)
        if member is not None and member in seen:
            issues.append(
                error(
                    "duplicate-member-file",
                    raw.file,
                    f"{raw.file}: {member} already has a file ({seen[member]}); a member has one file, so "
                    "merge the two and delete this one. This file was not read",
                    field="member",
                )
            )
            continue
        if member is not None:
            seen[member] = raw.file
        kept.append(raw)
    return kept, issues


def _file_table(
    raws: Sequence[RawFile], checked: ActionSet, issues: list[Issue], paths: Sequence[Path]
) -> pd.DataFrame:
    modified = {p.name: pd.Timestamp(p.stat().st_mtime, unit="s") for p in paths if p.exists()}
    valid = checked.actions.groupby("source_file").size()
    errors = pd.Series([i.file for i in issues if i.severity == "error"]).value_counts()
    warnings = pd.Series([i.file for i in issues if i.severity == "warning"]).value_counts()
    frame = pd.DataFrame(
        {
            "member": [r.member for r in raws],
            "file": [r.file for r in raws],
            "rows": [len(r.rows) for r in raws],
            "illustrative": [r.illustrative for r in raws],
        }
    )
    frame["actions"] = frame["file"].map(valid).fillna(0).astype(int)
    frame["errors"] = frame["file"].map(errors).fillna(0).astype(int)
    frame["warnings"] = frame["file"].map(warnings).fillna(0).astype(int)
    frame["modified"] = pd.to_datetime(frame["file"].map(modified))
    return frame.astype({"member": "str", "file": "str"})
