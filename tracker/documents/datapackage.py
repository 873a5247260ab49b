"""The records as a Frictionless Data Package: ``datapackage.json`` plus one CSV file per table.

The package holds the catalog (frameworks, commitments, ASEAN mechanisms, members, crosswalk, themes, the
status scale and the cited sources) and the member actions with their link tables and the list of snapshots,
each described by a Table Schema (types, required / unique / enum constraints, primary and foreign keys), so
``frictionless validate datapackage.json`` checks every row and every reference.

Confidential actions are left out (with their links) unless asked for, through the same
:func:`~tracker.views.filters.apply_filters` as every other export. Text cells are neutralised like every
export of the project (:func:`~tracker.documents.exports.neutralise`), and the package says so. The same data
gives the same bytes: no clock is read (``today`` is passed in), tables keep a fixed order, lines end in CRLF
(RFC 4180) and the JSON keys are in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from loaders.catalog import Catalog
from loaders.catalog_schema import CONFIDENCE_LABELS, MEMBER_KINDS
from loaders.dataset import Dataset
from loaders.fields import DATE_FIELDS, FIELDS, TITLE_MAX
from tracker.documents.exports import CSV_COLUMNS, data_as_of, neutralise
from tracker.records import durable
from tracker.records.snapshots import SnapshotInfo
from tracker.views.filters import Filters, apply_filters
from tracker.views.provenance import (
    ILLUSTRATIVE_NOTE,
    STATUS_NOTE,
    data_note,
    public_record_sentence,
    public_share,
    status_note,
)

DESCRIPTOR = "datapackage.json"
PACKAGE_NAME = "bali-process-commitments"
LIST_SEPARATOR = "; "
"""How list values (an entry's sources, a commitment's themes, an action's commitments) are joined in a cell."""

RESOURCES: tuple[str, ...] = (
    "frameworks",
    "commitments",
    "themes",
    "commitment_themes",
    "mechanisms",
    "members",
    "crosswalk",
    "statuses",
    "catalog_sources",
    "actions",
    "action_commitments",
    "action_mechanisms",
    "snapshots",
)
"""Every resource, in the order of ``datapackage.json``; each is ``<name>.csv``, whatever the options."""

PACKAGE_FILES: tuple[str, ...] = (DESCRIPTOR, *(f"{name}.csv" for name in RESOURCES))
"""Every file :func:`write_datapackage` writes (and the only ones it touches), with or without confidential actions."""

NEUTRALISED_NOTE = (
    "Text that a spreadsheet would run as a formula (a cell starting with =, +, -, @ or a control character) "
    "starts with an apostrophe (') added on export; remove it to get the text as recorded."
)
LICENCE_NOTE = (
    "No licence has been stated for this data (the catalog or the member records). The project's MIT licence "
    "covers its software only, not this data: ask the Bali Process secretariat before republishing it."
)


@dataclass(frozen=True)
class Column:
    """One field of a Table Schema: its name, type and constraints."""

    name: str
    type: str = "string"
    required: bool = False
    unique: bool = False
    enum: Sequence[str] = ()
    max_length: int | None = None
    title: str = ""
    description: str = ""

    def descriptor(self) -> dict[str, Any]:
        """The field as Table Schema JSON (only the constraints that are set)."""
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.max_length is not None:
            constraints["maxLength"] = self.max_length
        out: dict[str, Any] = {"name": self.name, "type": self.type}
        if self.title:
            out["title"] = self.title
        if self.description:
            out["description"] = self.description
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class ForeignKey:
    """Values of ``fields`` that must exist in ``reference`` of ``resource`` (``""``: the same resource)."""

    fields: tuple[str, ...]
    resource: str
    reference: tuple[str, ...]

    def descriptor(self) -> dict[str, Any]:
        """The key as Table Schema JSON."""
        return {"fields": list(self.fields), "reference": {"resource": self.resource, "fields": list(self.reference)}}


@dataclass(frozen=True)
class Table:
    """One resource: its rows and its schema."""

    name: str
    title: str
    description: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = field(default=())

    def csv(self) -> bytes:
        """The rows as UTF-8 CSV (header row, CRLF line ends), every text cell neutralised."""
        frame = self.frame.reindex(columns=[c.name for c in self.columns])
        for column in self.columns:
            if column.type == "boolean":
                frame[column.name] = frame[column.name].map({True: "true", False: "false"})
        return neutralise(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8")

    def descriptor(self, data: bytes) -> dict[str, Any]:
        """The resource as Data Package JSON, with the size and hash of ``data`` (its CSV)."""
        schema: dict[str, Any] = {
            "fields": [c.descriptor() for c in self.columns],
            "missingValues": [""],
            "primaryKey": list(self.primary_key),
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [k.descriptor() for k in self.foreign_keys]
        return {
            "name": self.name,
            "path": f"{self.name}.csv",
            "profile": "tabular-data-resource",
            "title": self.title,
            "description": self.description,
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": f"sha256:{hashlib.sha256(data).hexdigest()}",
            "schema": schema,
        }


def write_datapackage(
    dataset: Dataset,
    out_dir: Path,
    *,
    today: dt.date,
    include_confidential: bool = False,
    snapshots: Sequence[SnapshotInfo] = (),
    version: str | None = None,
) -> Path:
    """Write the records as a Frictionless Data Package into ``out_dir``.

    Only the files of :data:`PACKAGE_FILES` are written (each replaced whole, by a rename, with
    ``datapackage.json`` last); anything else in ``out_dir`` is left alone. The set of files does not depend on
    the options, so writing again without confidential actions replaces every file that held them.

    Args:
        dataset: the validated records.
        out_dir: an existing directory.
        today: the date the package is created on (``created``; no clock is read).
        include_confidential: keep confidential actions (for reviewers only); otherwise no file holds any
            of their ids, titles or other fields.
        snapshots: the snapshots to list (e.g. ``Snapshots(data_dir).list()``); who took them is not written.
        version: the package version; by default the data date, ``YYYY.M.D`` of the latest ``last_updated``
            among the actions written (``today`` when there are none).

    Returns:
        The path of ``datapackage.json``.

    Raises:
        NotADirectoryError: ``out_dir`` is not an existing directory.
        OSError: a file could not be written.
    """
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise NotADirectoryError(f"{out_dir}: not a directory; create it first, then export the data package into it")
    view = apply_filters(dataset, Filters(), can_see_confidential=include_confidential)
    tables = [
        *catalog_tables(dataset.catalog),
        *action_tables(
            view.actions, view.links, view.mechanisms, dataset.catalog, data_note(dataset), status_note(dataset)
        ),
        snapshots_table(snapshots, confidential_included=include_confidential),
    ]
    assert tuple(t.name for t in tables) == RESOURCES  # the file set is fixed: a rewrite replaces every file
    as_of = data_as_of(view)
    files: dict[str, bytes] = {}
    resources = []
    for table in tables:
        data = table.csv()
        files[f"{table.name}.csv"] = data
        resources.append(table.descriptor(data))
    package = package_metadata(
        today=today,
        data_date=as_of,
        version=version,
        illustrative=dataset.illustrative,
        public_record=dataset.public_record,
        public_record_share=public_share(dataset),
        statuses=status_note(dataset),
        confidential_included=include_confidential,
    )
    package["resources"] = resources
    files[DESCRIPTOR] = (json.dumps(package, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    _write_files(out_dir, files)
    return out_dir / DESCRIPTOR


def package_metadata(
    *,
    today: dt.date,
    data_date: dt.date | None,
    version: str | None,
    illustrative: bool,
    confidential_included: bool,
    public_record: dt.date | None = None,
    public_record_share: tuple[int, int] | None = None,
    statuses: str = STATUS_NOTE,
) -> dict[str, Any]:
    """The package-level properties of ``datapackage.json`` (everything but ``resources``)."""
    description = [
        "The commitments of the 2023 Adelaide Strategy for Cooperation (Bali Process) and the ASEAN Bohol "
        "Trafficking in Persons Work Plan 2023-2028, the ASEAN mechanisms and the crosswalk between them, and "
        "the actions Bali Process members report against those commitments.",
        statuses,
    ]
    if illustrative:
        description.append(
            f"{ILLUSTRATIVE_NOTE}. The action records are made up for demonstration: they are not reporting by "
            "any member, so do not cite them."
        )
    if public_record is not None:
        description.append(
            f"{public_record_sentence(public_record, public_record_share)} See docs/public-record.md in the repository."
        )
    description += [
        "Confidential actions are INCLUDED: for internal use only, do not circulate."
        if confidential_included
        else "Confidential actions, and their links, are not included.",
        NEUTRALISED_NOTE,
        LICENCE_NOTE,
    ]
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": "Bali Process commitments and members' reported actions",
        "description": " ".join(description),
        "version": version or _calendar_version(data_date or today),
        "created": f"{today:%Y-%m-%d}T00:00:00Z",
        "data_as_of": f"{data_date:%Y-%m-%d}" if data_date else None,
        "illustrative": illustrative,
        "public_record": f"{public_record:%Y-%m-%d}" if public_record else None,
        "confidential_included": confidential_included,
        "keywords": ["Bali Process", "ASEAN", "trafficking in persons", "people smuggling", "commitments"],
        "sources": [
            {
                "title": "Commitments catalog: public documents, cited entry by entry (the sources column of each "
                "catalog table, resolved in catalog_sources, with a confidence tag)"
            },
            {
                "title": "Actions: compiled from public web pages, each action citing its page as evidence "
                "(docs/public-record.md), validated on load"
                if public_record and not public_record_share
                else "Actions: the members' own reports, submitted to the secretariat and validated on load"
            },
        ],
    }


def _calendar_version(day: dt.date) -> str:
    # Without leading zeros, so it also reads as a semantic version (the Data Package spec's recommendation).
    return f"{day.year}.{day.month}.{day.day}"


def _write_files(out_dir: Path, files: dict[str, bytes]) -> None:
    """Write every file aside, then rename each over its name, ``datapackage.json`` last."""
    staged = {name: out_dir / f".{name}.tmp" for name in files}
    try:
        for name, data in files.items():
            durable.write_file(staged[name], data)
        for name in sorted(files, key=lambda n: n == DESCRIPTOR):
            durable.replace(staged[name], out_dir / name)
        durable.fsync_dir(out_dir)
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)


# --- the catalog ------------------------------------------------------------------------------------------


CONFIDENCE = Column(
    "confidence",
    required=True,
    enum=tuple(CONFIDENCE_LABELS),
    description="; ".join(f"{k}: {v}" for k, v in CONFIDENCE_LABELS.items()),
)
PROVENANCE = (
    Column("sources", description=f"Keys of catalog_sources, separated by '{LIST_SEPARATOR}'."),
    CONFIDENCE,
    Column("confidence_note"),
)


def catalog_tables(catalog: Catalog) -> list[Table]:
    """The catalog's tables, in catalog order (every entry is public)."""
    return [
        _frameworks(catalog),
        _commitments(catalog),
        _themes(catalog),
        _commitment_themes(catalog),
        _mechanisms(catalog),
        _members(catalog),
        _crosswalk(catalog),
        _statuses(catalog),
        _sources(catalog),
    ]


def _entries(entries: Iterable[BaseModel], **extra: Sequence[object]) -> pd.DataFrame:
    """One row per catalog entry, its lists joined by :data:`LIST_SEPARATOR`; ``extra`` adds columns."""
    rows = [
        {k: LIST_SEPARATOR.join(v) if isinstance(v, list) else v for k, v in entry.model_dump().items()}
        for entry in entries
    ]
    frame = pd.DataFrame(rows)
    for name, values in extra.items():
        frame[name] = list(values)
    return frame


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column]).dt.strftime("%Y-%m-%d")
    return frame


def _frameworks(catalog: Catalog) -> Table:
    frame = _dates(_entries(catalog.frameworks.values()), "adopted")
    frame = frame.astype({"period_start": "Int64", "period_end": "Int64"})
    return Table(
        "frameworks",
        "Frameworks",
        "The two commitment frameworks tracked.",
        frame,
        (
            Column("id", required=True, unique=True),
            Column("name", required=True),
            Column("short_name", required=True),
            Column("body", required=True),
            Column("adopted", "date"),
            Column("adopted_at"),
            Column("period_start", "integer"),
            Column("period_end", "integer"),
            Column("top_level", required=True, description="What the framework's first level is called."),
            Column("summary", required=True),
            *PROVENANCE,
        ),
        ("id",),
    )


def _commitments(catalog: Catalog) -> Table:
    entries = catalog.commitments.values()
    frame = _entries(entries, top_level=[catalog.top_level(c.id) for c in entries])
    return Table(
        "commitments",
        "Commitments",
        "Areas and pillars, and the sub-commitments, decisions and items under them (parent), in catalog order.",
        frame,
        (
            Column("id", required=True, unique=True),
            Column("framework", required=True),
            Column("parent", description="The commitment this one sits under; empty for an area or pillar."),
            Column("top_level", required=True, description="The area or pillar this commitment rolls up to."),
            Column("level", required=True, enum=("area", "pillar", "decision", "item")),
            Column("number", required=True),
            Column("title", required=True),
            Column("official_title", "boolean", required=True, description="True when the title is official."),
            Column(
                "placeholder",
                "boolean",
                required=True,
                description="True for a working item: not in any official text that could be reached; not official.",
            ),
            Column("summary", required=True),
            Column("source_ref", required=True),
            Column("themes", description=f"Theme ids, separated by '{LIST_SEPARATOR}' (see commitment_themes)."),
            *PROVENANCE,
        ),
        ("id",),
        (
            ForeignKey(("framework",), "frameworks", ("id",)),
            ForeignKey(("parent",), "", ("id",)),
            ForeignKey(("top_level",), "", ("id",)),
        ),
    )


def _themes(catalog: Catalog) -> Table:
    return Table(
        "themes",
        "Themes",
        "Cross-cutting questions tagged on commitments.",
        _entries(catalog.themes.values()),
        (
            Column("id", required=True, unique=True),
            Column("label", required=True),
            Column("description", required=True),
            *PROVENANCE,
        ),
        ("id",),
    )


def _commitment_themes(catalog: Catalog) -> Table:
    rows = [(c.id, theme) for c in catalog.commitments.values() for theme in dict.fromkeys(c.themes)]
    return Table(
        "commitment_themes",
        "Commitments by theme",
        "Which commitment carries which theme: the themes column of commitments, one pair per row.",
        pd.DataFrame(rows, columns=["commitment_id", "theme_id"]),
        (Column("commitment_id", required=True), Column("theme_id", required=True)),
        ("commitment_id", "theme_id"),
        (
            ForeignKey(("commitment_id",), "commitments", ("id",)),
            ForeignKey(("theme_id",), "themes", ("id",)),
        ),
    )


def _mechanisms(catalog: Catalog) -> Table:
    return Table(
        "mechanisms",
        "ASEAN mechanisms",
        "ASEAN bodies, instruments and programmes that trafficking work runs through (parent: the body above).",
        _entries(catalog.mechanisms.values()),
        (
            Column("id", required=True, unique=True),
            Column("name", required=True),
            Column("kind", required=True),
            Column("community"),
            Column("parent"),
            Column("role", required=True),
            *PROVENANCE,
        ),
        ("id",),
        (ForeignKey(("parent",), "", ("id",)),),
    )


def _members(catalog: Catalog) -> Table:
    return Table(
        "members",
        "Members",
        "Bali Process members: states and territories (ISO 3166-1 alpha-3) and member organisations.",
        _dates(_entries(catalog.members.values()), "asean_since"),
        (
            Column("id", required=True, unique=True),
            Column("name", required=True),
            Column("kind", required=True, enum=tuple(MEMBER_KINDS)),
            Column("asean", "boolean", required=True),
            Column("asean_since", "date"),
            Column("co_chair", "boolean", required=True),
            Column("notes"),
            *PROVENANCE,
        ),
        ("id",),
    )


def _crosswalk(catalog: Catalog) -> Table:
    return Table(
        "crosswalk",
        "Crosswalk",
        "Links between commitments and ASEAN mechanisms. source and target are each the id of a commitment or "
        "of a mechanism, so no foreign key is declared for them.",
        _entries(catalog.links),
        (
            Column("source", required=True),
            Column("target", required=True),
            Column("relation", required=True, enum=("equivalent", "overlapping", "complementary")),
            Column("note", required=True),
            *PROVENANCE,
        ),
        ("source", "target"),
    )


def _statuses(catalog: Catalog) -> Table:
    scale = catalog.scale
    statuses = list(catalog.statuses.values())
    frame = _entries(
        statuses,
        complete=[s.id == scale.complete for s in statuses],
        requires_evidence=[s.id in scale.requires_evidence for s in statuses],
        counted_apart=[s.id in scale.counted_apart for s in statuses],
    )
    return Table(
        "statuses",
        "Status scale",
        f"The status scale, in order. {scale.note} "
        f'"{scale.no_action.label}" is derived for a member and commitment with no action, so it is not a row here.',
        frame,
        (
            Column("id", required=True, unique=True),
            Column("label", required=True, unique=True),
            Column("order", "integer", required=True, unique=True),
            Column("colour", required=True),
            Column("icon", required=True),
            Column("description", required=True),
            Column("complete", "boolean", required=True, description="The status that counts as done."),
            Column("requires_evidence", "boolean", required=True),
            Column("counted_apart", "boolean", required=True, description="Kept out of progress shares."),
        ),
        ("id",),
    )


def _sources(catalog: Catalog) -> Table:
    return Table(
        "catalog_sources",
        "Catalog sources",
        "The public pages and documents the catalog cites, by key (the sources column of the catalog tables).",
        _dates(_entries(catalog.sources.values()), "accessed"),
        (
            Column("key", required=True, unique=True),
            Column("url", description="The web address; empty for a document cited by its name."),
            Column(
                "document",
                description="A document's file name where there is no web address (an official matrix the "
                "secretariat received and imported; its sha256 is in the note).",
            ),
            Column("title", required=True),
            Column("accessed", "date", description="When the address was last checked."),
            Column("note", description="What the address is when it is not the publisher's own (a copy, a mirror)."),
        ),
        ("key",),
    )


# --- the actions ------------------------------------------------------------------------------------------


def action_tables(
    actions: pd.DataFrame,
    links: pd.DataFrame,
    mechanisms: pd.DataFrame,
    catalog: Catalog,
    note: str | None,
    statuses: str = STATUS_NOTE,
) -> list[Table]:
    """The actions (the contract fields) and their link tables, as given (already filtered for confidentiality)."""
    frame = actions[["action_key", *CSV_COLUMNS]].copy()
    for column in DATE_FIELDS:
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    if note:  # the data set's label (tracker.views.provenance.data_note) on every row
        frame.insert(0, "data_note", note)
    return [
        Table(
            "actions",
            "Actions",
            "The actions members report, one row per action, with the fields of the member action spreadsheet. "
            + statuses
            + (f" {note}." if note else ""),
            frame,
            (
                *((Column("data_note", required=True),) if note else ()),
                Column(
                    "action_key",
                    required=True,
                    unique=True,
                    description="The action id, or file#row for a new action not yet given one.",
                ),
                *_contract_columns(catalog),
            ),
            ("action_key",),
            (
                ForeignKey(("member",), "members", ("id",)),
                ForeignKey(("status",), "statuses", ("id",)),
            ),
        ),
        Table(
            "action_commitments",
            "Actions by commitment",
            "Each commitment an action is reported under, with its framework and area or pillar.",
            links,
            (
                Column("action_key", required=True),
                Column("commitment_id", required=True),
                Column("framework", required=True),
                Column("top_level", required=True),
            ),
            ("action_key", "commitment_id"),
            (
                ForeignKey(("action_key",), "actions", ("action_key",)),
                ForeignKey(("commitment_id",), "commitments", ("id",)),
                ForeignKey(("framework",), "frameworks", ("id",)),
                ForeignKey(("top_level",), "commitments", ("id",)),
            ),
        ),
        Table(
            "action_mechanisms",
            "Actions by ASEAN mechanism",
            "Each ASEAN mechanism an action runs through.",
            mechanisms,
            (Column("action_key", required=True), Column("mechanism_id", required=True)),
            ("action_key", "mechanism_id"),
            (
                ForeignKey(("action_key",), "actions", ("action_key",)),
                ForeignKey(("mechanism_id",), "mechanisms", ("id",)),
            ),
        ),
    ]


def _contract_columns(catalog: Catalog) -> tuple[Column, ...]:
    """The contract fields (``loaders.fields``) as Table Schema fields, with the rules a CSV can state."""
    special: dict[str, Column] = {
        "action_id": Column("action_id", unique=True),
        "status": Column("status", required=True, enum=tuple(catalog.statuses)),
        # One more than the contract allows: a neutralised title gains its leading apostrophe.
        "title": Column("title", required=True, max_length=TITLE_MAX + 1),
        "commitments": Column("commitments", description=f"Separated by '{LIST_SEPARATOR}'; see action_commitments."),
        "asean_mechanisms": Column(
            "asean_mechanisms", description=f"Separated by '{LIST_SEPARATOR}'; see action_mechanisms."
        ),
        "origin": Column("origin", enum=("new", "pre-existing")),
        "confidential": Column("confidential", "boolean"),
        **{name: Column(name, "date") for name in DATE_FIELDS},
    }
    columns = []
    for spec in FIELDS:
        base = special.get(spec.name, Column(spec.name))
        columns.append(
            Column(
                spec.name,
                base.type,
                required=spec.required,
                unique=base.unique,
                enum=base.enum,
                max_length=base.max_length,
                title=spec.label,
                description=base.description,
            )
        )
    return tuple(columns)


def snapshots_table(snapshots: Sequence[SnapshotInfo], *, confidential_included: bool) -> Table:
    """The named snapshots, oldest first as given (who took each is not written).

    A snapshot's action count and data date cover its confidential actions too, so a package without them
    leaves both out: a total minus the public actions, or a date later than any public update, would tell
    a reader that confidential actions exist.
    """
    columns = [
        Column("slug", required=True, unique=True),
        Column("name", required=True),
        Column("taken_at", "datetime", required=True),
    ]
    rows: list[tuple[object, ...]] = [(s.slug, s.name, _utc(s.taken_at)) for s in snapshots]
    if confidential_included:
        columns += [
            Column("data_as_of", "date", description="The latest last_updated in the snapshot."),
            Column("actions", "integer", required=True, description="Actions in the snapshot, confidential included."),
        ]
        rows = [(*row, s.data_as_of, s.actions) for row, s in zip(rows, snapshots, strict=True)]
    frame = pd.DataFrame(rows, columns=[c.name for c in columns])
    if confidential_included:
        frame = frame.astype({"actions": "Int64"})
    return Table(
        "snapshots",
        "Snapshots",
        "Named copies of the records kept for a meeting, which later data can be compared with.",
        frame,
        tuple(columns),
        ("slug",),
    )


def _utc(stamp: str) -> str:
    """An ISO time as the Table Schema's default datetime form (UTC, ``Z``); kept as it is if it is not one."""
    try:
        moment = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%SZ}"


def datapackage_zip(
    dataset: Dataset,
    *,
    today: dt.date,
    include_confidential: bool = False,
    snapshots: Sequence[SnapshotInfo] = (),
) -> bytes:
    """The data package as one ``.zip`` (for a download button): the files of :func:`write_datapackage`.

    Entries have a fixed time and order, so the same data gives the same bytes.
    """
    with tempfile.TemporaryDirectory(prefix="datapackage-") as work:
        folder = Path(work)
        write_datapackage(dataset, folder, today=today, include_confidential=include_confidential, snapshots=snapshots)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in PACKAGE_FILES:
                entry = zipfile.ZipInfo(
                    f"open-data-package/{name}", date_time=(today.year, today.month, today.day, 0, 0, 0)
                )
                entry.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(entry, (folder / name).read_bytes())
        return buffer.getvalue()
