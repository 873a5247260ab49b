"""The Frictionless Data Package export, checked by ``frictionless`` itself.

The bundled sample is written once per option (with and without confidential actions) and validated by
frictionless, foreign keys included; it is read back with frictionless and compared with the loaded frames.
Small data sets from ``tests.builders`` cover formula neutralisation, the illustrative flag and rewrites.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import frictionless
import pytest

from loaders.catalog import Catalog
from loaders.dataset import Dataset, load_dataset
from loaders.fields import TITLE_MAX
from tests.builders import TODAY, action, dataset_of
from tracker import settings
from tracker.documents.datapackage import (
    DESCRIPTOR,
    PACKAGE_FILES,
    PACKAGE_NAME,
    RESOURCES,
    datapackage_zip,
    write_datapackage,
)
from tracker.records.snapshots import SnapshotInfo
from tracker.views.provenance import ILLUSTRATIVE_NOTE

SNAPSHOTS = (
    SnapshotInfo("18th-ahg-som", "18th AHG SOM", "2025-12-03T09:30:00+00:00", "Reviewer One", "2025-11-30", 1850),
    SnapshotInfo("19th-ahg-som", "19th AHG SOM", "2026-11-20T10:00:00+00:00", "Reviewer Two", "2026-10-31", 2001),
)


@pytest.fixture(scope="module")
def sample(catalog: Catalog) -> Dataset:
    """The bundled illustrative sample, loaded at the suite's date."""
    return load_dataset(settings.SAMPLE_DATA_DIR, catalog, today=TODAY)


@pytest.fixture(scope="module")
def packages(sample: Dataset, tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """The sample's package, keyed by include_confidential: the path of its datapackage.json."""
    out = {}
    for include in (False, True):
        folder = tmp_path_factory.mktemp(f"package-{include}")
        out[include] = write_datapackage(sample, folder, today=TODAY, include_confidential=include, snapshots=SNAPSHOTS)
    return out


def descriptor(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def rows(path: Path, resource: str) -> list[dict[str, Any]]:
    """A resource's rows as frictionless reads them (typed by the schema)."""
    package = frictionless.Package(str(path))
    return [dict(row) for row in package.get_table_resource(resource).read_rows()]


def problems(report: frictionless.Report) -> list[tuple[Any, ...]]:
    """Every error of a package report: (resource, row, field, type, note)."""
    return [
        (task.name, getattr(e, "row_number", None), getattr(e, "field_name", None), e.type, e.note)
        for task in report.tasks
        for e in task.errors
    ]


# --- valid, per frictionless -------------------------------------------------------------------------------


@pytest.mark.parametrize("include_confidential", [False, True])
def test_sample_package_is_valid(packages: dict[bool, Path], include_confidential: bool) -> None:
    path = packages[include_confidential]
    report = frictionless.validate(str(path))
    assert report.valid, problems(report)
    assert report.stats["tasks"] == len(RESOURCES)  # every resource was checked, none skipped
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(PACKAGE_FILES)


def test_package_declares_keys_and_enums(packages: dict[bool, Path], catalog: Catalog) -> None:
    resources = {r["name"]: r for r in descriptor(packages[False])["resources"]}
    assert list(resources) == list(RESOURCES)
    actions = resources["actions"]["schema"]
    status = next(f for f in actions["fields"] if f["name"] == "status")
    assert status["constraints"] == {"required": True, "enum": list(catalog.statuses)}
    assert actions["primaryKey"] == ["action_key"]
    links = resources["action_commitments"]["schema"]
    assert links["primaryKey"] == ["action_key", "commitment_id"]
    assert {"fields": ["action_key"], "reference": {"resource": "actions", "fields": ["action_key"]}} in links[
        "foreignKeys"
    ]
    parent = {"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}}
    assert parent in resources["commitments"]["schema"]["foreignKeys"]


# --- round trip --------------------------------------------------------------------------------------------


def test_actions_and_links_read_back_equal(packages: dict[bool, Path], sample: Dataset) -> None:
    path = packages[False]
    public = sample.actions[~sample.actions["confidential"]]
    expected = [
        (r.action_key, r.action_id, r.member, r.title, r.status, r.last_updated.date())
        for r in public.itertuples(index=False)
    ]
    got = [
        (r["action_key"], r["action_id"], r["member"], r["title"], r["status"], r["last_updated"])
        for r in rows(path, "actions")
    ]
    assert got == expected

    keys = set(public["action_key"])
    links = sample.action_commitments[sample.action_commitments["action_key"].isin(keys)]
    got_links = [
        (r["action_key"], r["commitment_id"], r["framework"], r["top_level"]) for r in rows(path, "action_commitments")
    ]
    assert got_links == list(links.itertuples(index=False, name=None))
    mechanisms = sample.action_mechanisms[sample.action_mechanisms["action_key"].isin(keys)]
    got_mechanisms = [(r["action_key"], r["mechanism_id"]) for r in rows(path, "action_mechanisms")]
    assert got_mechanisms == list(mechanisms.itertuples(index=False, name=None))


def test_catalog_reads_back_equal(packages: dict[bool, Path], catalog: Catalog) -> None:
    path = packages[False]
    members = [(r["id"], r["name"], r["kind"], r["asean"], r["asean_since"]) for r in rows(path, "members")]
    assert members == [(m.id, m.name, m.kind, m.asean, m.asean_since) for m in catalog.members.values()]
    statuses = [(r["id"], r["order"], r["complete"], r["counted_apart"]) for r in rows(path, "statuses")]
    assert statuses == [
        (s.id, s.order, s.id == catalog.scale.complete, s.id in catalog.scale.counted_apart)
        for s in catalog.statuses.values()
    ]
    commitments = [(r["id"], r["parent"], r["top_level"]) for r in rows(path, "commitments")]
    assert commitments == [(c.id, c.parent, catalog.top_level(c.id)) for c in catalog.commitments.values()]
    crosswalk = [(r["source"], r["target"], r["relation"]) for r in rows(path, "crosswalk")]
    assert crosswalk == [(link.source, link.target, link.relation) for link in catalog.links]


def test_snapshots_listed_without_who_took_them(packages: dict[bool, Path]) -> None:
    path = packages[True]
    got = [
        (r["slug"], r["name"], r["taken_at"].isoformat(), str(r["data_as_of"]), r["actions"])
        for r in rows(path, "snapshots")
    ]
    assert got == [(s.slug, s.name, s.taken_at, s.data_as_of, s.actions) for s in SNAPSHOTS]
    text = (path.parent / "snapshots.csv").read_text(encoding="utf-8")
    assert "2025-12-03T09:30:00Z" in text  # the Table Schema's default datetime form
    assert "Reviewer" not in text


# --- confidentiality -------------------------------------------------------------------------------------


def test_a_public_package_gives_no_snapshot_total_or_date(packages: dict[bool, Path]) -> None:
    """Both cover confidential actions: a total minus the public actions would count them."""
    public = [(r["slug"], r["name"], r["taken_at"].isoformat()) for r in rows(packages[False], "snapshots")]
    assert public == [(s.slug, s.name, s.taken_at) for s in SNAPSHOTS]
    header = (packages[False].parent / "snapshots.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "slug,name,taken_at"


def test_no_confidential_action_in_any_file_unless_asked(packages: dict[bool, Path], sample: Dataset) -> None:
    actions = sample.actions
    secret = actions[actions["confidential"]]
    assert len(secret) > 0  # the sample must hold some, or this test proves nothing
    public_text = "\n".join(actions.loc[~actions["confidential"], "title"])
    # A title that a public action's title also holds (the sample repeats phrases) would be found anyway.
    secret_titles = {t for t in secret["title"] if t not in public_text}
    assert secret_titles
    needles = [*secret["action_key"], *secret["action_id"].dropna(), *secret_titles]

    def found(path: Path) -> set[str]:
        text = "".join(p.read_text(encoding="utf-8") for p in sorted(path.parent.iterdir()))
        return {n for n in needles if n in text}

    assert found(packages[False]) == set()
    assert found(packages[True]) == set(needles)
    assert descriptor(packages[False])["confidential_included"] is False
    assert descriptor(packages[True])["confidential_included"] is True
    assert "INCLUDED" in descriptor(packages[True])["description"]
    assert len(rows(packages[True], "actions")) == len(actions)


def test_rewrite_without_confidential_replaces_every_file(
    sample: Dataset, tmp_path: Path, packages: dict[bool, Path]
) -> None:
    (tmp_path / "README.txt").write_text("not ours", encoding="utf-8")
    write_datapackage(sample, tmp_path, today=TODAY, include_confidential=True, snapshots=SNAPSHOTS)
    write_datapackage(sample, tmp_path, today=TODAY, snapshots=SNAPSHOTS)
    for name in PACKAGE_FILES:  # every file now is the public package's, byte for byte
        assert (tmp_path / name).read_bytes() == (packages[False].parent / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*PACKAGE_FILES, "README.txt"])  # no temp files
    assert (tmp_path / "README.txt").read_text(encoding="utf-8") == "not ours"


def test_refuses_a_missing_directory(sample: Dataset, tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError, match="create it first"):
        write_datapackage(sample, tmp_path / "missing", today=TODAY)


# --- metadata, labels and neutralisation -------------------------------------------------------------------


def test_sample_is_labelled_illustrative(packages: dict[bool, Path]) -> None:
    meta = descriptor(packages[False])
    assert meta["name"] == PACKAGE_NAME
    assert meta["illustrative"] is True
    assert ILLUSTRATIVE_NOTE in meta["description"]
    assert {r["data_note"] for r in rows(packages[False], "actions")} == {ILLUSTRATIVE_NOTE}
    assert meta["version"] == "2026.10.31"  # the latest last_updated of the sample
    assert meta["data_as_of"] == "2026-10-31"
    assert meta["created"] == f"{TODAY:%Y-%m-%d}T00:00:00Z"
    assert "licenses" not in meta  # none is stated for the data: said in the description instead
    assert "No licence has been stated" in meta["description"]


def test_formula_like_text_is_neutralised(catalog: Catalog, tmp_path: Path) -> None:
    dataset = dataset_of(
        catalog,
        [
            action("IDN", 1, "ASC-1", "limited", title='=HYPERLINK("http://x","y")', lead_agency="@SUM(A1)"),
            action("IDN", 2, "ASC-2", "substantial", description="+62 21 000", last_updated=TODAY),
            action("IDN", 3, "ASC-3", "limited", title="=" * TITLE_MAX),  # the longest title, neutralised
        ],
    )
    snapshot = SnapshotInfo("x", "-1 week", "2026-11-01T00:00:00+00:00", "Jo", "", 2)
    path = write_datapackage(dataset, tmp_path, today=TODAY, snapshots=[snapshot], version="7.0.0")
    report = frictionless.validate(str(path))
    assert report.valid, problems(report)
    actions = rows(path, "actions")
    assert actions[0]["title"] == '\'=HYPERLINK("http://x","y")'
    assert actions[0]["lead_agency"] == "'@SUM(A1)"
    assert actions[1]["description"] == "'+62 21 000"
    assert actions[2]["title"] == "'" + "=" * TITLE_MAX
    assert rows(path, "snapshots")[0]["name"] == "'-1 week"
    meta = descriptor(path)
    assert "apostrophe" in meta["description"]
    assert meta["version"] == "7.0.0"
    assert meta["illustrative"] is False  # builder data is not marked as the sample
    assert "data_note" not in actions[0]
    assert ILLUSTRATIVE_NOTE not in meta["description"]


def test_no_actions_still_makes_a_valid_package(catalog: Catalog, tmp_path: Path) -> None:
    path = write_datapackage(dataset_of(catalog, []), tmp_path, today=TODAY)
    report = frictionless.validate(str(path))
    assert report.valid, problems(report)
    assert rows(path, "actions") == []
    assert len(rows(path, "members")) == len(catalog.members)
    meta = descriptor(path)
    assert meta["data_as_of"] is None
    assert meta["version"] == f"{TODAY.year}.{TODAY.month}.{TODAY.day}"  # no data date: the day it was made


def test_same_data_gives_the_same_bytes(sample: Dataset, tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    write_datapackage(sample, first, today=TODAY, snapshots=SNAPSHOTS)
    write_datapackage(sample, second, today=TODAY, snapshots=SNAPSHOTS)
    for name in PACKAGE_FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert b"\r\n" in (first / "actions.csv").read_bytes()  # CRLF, as RFC 4180 and the Table Dialect default


# --- the schema is enforced --------------------------------------------------------------------------------


def test_a_status_off_the_scale_fails_validation(catalog: Catalog, tmp_path: Path) -> None:
    dataset = dataset_of(catalog, [action("IDN", 1, "ASC-1", "limited"), action("AUS", 2, "ASC-2", "limited")])
    path = write_datapackage(dataset, tmp_path, today=TODAY)
    assert frictionless.validate(str(path)).valid
    csv = tmp_path / "actions.csv"
    data = csv.read_bytes().replace(b",limited,", b",almost done,", 1)
    csv.write_bytes(data)
    meta = descriptor(path)  # keep size and hash right, so only the status can make it invalid
    resource = next(r for r in meta["resources"] if r["name"] == "actions")
    resource["bytes"], resource["hash"] = len(data), f"sha256:{hashlib.sha256(data).hexdigest()}"
    path.write_text(json.dumps(meta), encoding="utf-8")
    report = frictionless.validate(str(path))
    assert not report.valid
    found = {(resource, field, kind) for resource, _, field, kind, _ in problems(report)}
    assert ("actions", "status", "constraint-error") in found, problems(report)
    assert {kind for _, _, kind in found} <= {"constraint-error", "foreign-key"}  # statuses is a foreign key too
    assert (tmp_path / DESCRIPTOR) == path


def test_the_zip_download_holds_the_package_and_is_the_same_each_time(catalog, today) -> None:
    dataset = load_dataset(settings.SAMPLE_DATA_DIR, catalog, today=today)
    data = datapackage_zip(dataset, today=today)
    assert data == datapackage_zip(dataset, today=today)
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert names == [f"open-data-package/{name}" for name in PACKAGE_FILES]
