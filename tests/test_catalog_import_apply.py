"""Importing an official framework matrix for real (issue 13 §3): the CLI, the files written, the history.

Every test works on a copy of the bundled catalog and a few sample member files in ``tmp_path``: THA.yaml and
KIR.yaml cite BWP-A.2, MYS.xlsx cites it too (its re-pointed file becomes MYS.yaml, as any apply makes it),
IDN.xlsx does not and must never change. The official matrix is the catalog's own Bohol entries with BWP-A.2
and BWP-A.4 replaced by a new BWP-A.9 and BWP-B.1 retitled.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import replace
from pathlib import Path

import frictionless
import pytest
import yaml
from markupsafe import escape

import tracker.records.store as store_module
from loaders.catalog import load_catalog
from loaders.dataset import load_dataset
from loaders.matrix import read_matrix
from tests.test_catalog_import import HEADER, bohol_rows, workbook
from tracker.access import AccessDeniedError, Role, User
from tracker.cli import main
from tracker.documents.brief import brief_html, build_brief
from tracker.documents.datapackage import write_datapackage
from tracker.records.catalog_journal import read_catalog_log
from tracker.records.journal import read_log
from tracker.records.snapshots import Snapshots, remap_since, snapshot_changes
from tracker.records.store import Store
from tracker.views.filters import Filters, apply_filters

ROOT = Path(__file__).resolve().parent.parent
TODAY = dt.date(2026, 11, 30)
STAMP = ("20261130T120000000000Z-1mp0rt", "2026-11-30T12:00:00+00:00")
ADMIN = User("secretariat@example.org", "Secretariat", Role.ADMIN)
MEMBERS = ("THA.yaml", "KIR.yaml", "MYS.xlsx", "IDN.xlsx")
NEW_TITLE = "Protection of victims: identification and referral"


@pytest.fixture(autouse=True)
def fixed_stamp(monkeypatch):
    monkeypatch.setattr(store_module, "_stamp", lambda: STAMP)
    monkeypatch.setenv("TRACKER_TODAY", TODAY.isoformat())


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """(data directory, catalog directory), copies."""
    data, cat = tmp_path / "data", tmp_path / "cat"
    data.mkdir()
    for name in MEMBERS:
        shutil.copy(ROOT / "data" / "sample" / name, data / name)
    shutil.copytree(ROOT / "commitments", cat)
    return data, cat


def official_rows(catalog) -> list[list[object]]:
    rows = [r for r in bohol_rows(catalog) if r[0] not in ("BWP-A.2", "BWP-A.4")]
    for row in rows:
        if row[0] == "BWP-B.1":
            row[2] = NEW_TITLE
    return [*rows, ["BWP-A.9", "BWP-A", "Safe migration and recruitment", "Official summary A.9.", "p. 9"]]


def write_matrix(folder: Path, rows: list[list[object]], name: str = "BWP-2.0-matrix.xlsx") -> Path:
    path = folder / name
    path.write_bytes(workbook([HEADER, *rows], title_rows=[["ASEAN Multi-Sectoral Work Plan Against TIP"]]))
    return path


def write_remap(folder: Path, rows: str = "old_id,new_id\nBWP-A.2,BWP-A.9\nBWP-A.4,BWP-A.9\n") -> Path:
    path = folder / "MAP.csv"
    path.write_text(rows)
    return path


def tree(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders (the lock file aside): relative path -> bytes."""
    out = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != ".lock":
                out[f"{folder.name}/{path.relative_to(folder)}"] = path.read_bytes()
    return out


def cli(data: Path, cat: Path, *args: str) -> int:
    return main(["--data-dir", str(data), "--catalog-dir", str(cat), "catalog", *args])


def citing(data: Path, cat: Path, commitment: str) -> dict[str, list[str]]:
    """Member -> the ids of its actions citing ``commitment`` (confidential ones included)."""
    dataset = load_dataset(data, load_catalog(cat), today=TODAY)
    links = dataset.action_commitments
    keys = set(links[links["commitment_id"] == commitment]["action_key"])
    chosen = dataset.actions[dataset.actions["action_key"].isin(keys)]
    return {m: sorted(g["action_id"]) for m, g in chosen.groupby("member")}


# --- the CLI ----------------------------------------------------------------------------------------------------


def test_a_remapped_import_rewrites_the_catalog_and_re_points_every_action_with_history(dirs, tmp_path, capsys):
    data, cat = dirs
    catalog = load_catalog(cat)
    before_a2 = citing(data, cat, "BWP-A.2")
    before_a4 = citing(data, cat, "BWP-A.4")
    assert set(before_a2) == {"THA", "KIR", "MYS"}  # the fixture really has actions to re-point
    idn = (data / "IDN.xlsx").read_bytes()
    matrix, remap = write_matrix(tmp_path, official_rows(catalog)), write_remap(tmp_path)

    code = cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap), "--by", "Secretariat")

    out = capsys.readouterr().out
    assert code == 0, out
    assert "IMPORTED BWP-2.0-matrix.xlsx" in out and "Added: 1 (BWP-A.9)" in out
    assert (
        "Removed: 2 (BWP-A.2, BWP-A.4)" in out and f"Retitled: BWP-B.1: 'Victim identification' → '{NEW_TITLE}'" in out
    )
    new = load_catalog(cat)
    assert new.issues == []
    bohol = new.commitments_of("BWP")
    assert [c.id for c in bohol] == [r[0] for r in official_rows(catalog)]
    assert all(c.official_title and not c.placeholder and c.confidence == "V" for c in bohol)
    (key,) = {k for c in bohol for k in c.sources}
    assert key == "S-IMPORT-BWP-20261130" and new.sources[key].document == "BWP-2.0-matrix.xlsx"
    assert new.sources[key].url is None and "sha256" in (new.sources[key].note or "")
    assert new.commitments["BWP-B.1"].title == NEW_TITLE
    assert new.commitments["BWP-B.1"].themes == catalog.commitments["BWP-B.1"].themes  # kept by id
    assert new.commitments["BWP-A.9"].summary == "Official summary A.9."
    # Every action that cited a removed id cites its new id now, and nothing else moved.
    after = citing(data, cat, "BWP-A.9")
    expected = {m: sorted(set(before_a2.get(m, [])) | set(before_a4.get(m, []))) for m in {*before_a2, *before_a4}}
    assert after == expected
    assert citing(data, cat, "BWP-A.2") == {} and citing(data, cat, "BWP-A.4") == {}
    assert (data / "IDN.xlsx").read_bytes() == idn
    assert sorted(p.name for p in data.iterdir() if p.is_file()) == ["IDN.xlsx", "KIR.yaml", "MYS.yaml", "THA.yaml"]
    # History: the member log has one line per re-pointed action, the catalog log one line for the import.
    lines = read_log(data / "_history" / "log.jsonl")
    assert {(e["member"], e["action_id"]) for e in lines} == {(m, a) for m, ids in expected.items() for a in ids}
    assert all(e["kind"] == "changed" and e["field"] == "commitments" and "BWP-A.9" in e["new"] for e in lines)
    (entry,) = read_catalog_log(data)
    assert (entry["by"], entry["framework"], entry["removed"], entry["added"]) == (
        "Secretariat",
        "BWP",
        ["BWP-A.2", "BWP-A.4"],
        ["BWP-A.9"],
    )
    assert entry["remap"] == {"BWP-A.2": "BWP-A.9", "BWP-A.4": "BWP-A.9"}
    assert entry["catalog_version"] != entry["catalog_version_before"]
    versions = sorted(p.name for p in (data / "_history" / "catalog" / "versions").iterdir())
    assert versions == [f"{STAMP[0]}-{n}" for n in ("commitments.yaml", "crosswalk.yaml", "sources.yaml")]
    kept = data / "_history" / "catalog" / "versions" / f"{STAMP[0]}-commitments.yaml"
    assert kept.read_bytes() == (ROOT / "commitments" / "commitments.yaml").read_bytes()
    # The crosswalk link of BWP-A.4 follows it; the data validates.
    links = {(link.source, link.target) for link in new.links}
    old_links = {(link.source, link.target) for link in catalog.links if "BWP-A.4" in (link.source, link.target)}
    moved = {(s.replace("BWP-A.4", "BWP-A.9"), t.replace("BWP-A.4", "BWP-A.9")) for s, t in old_links}
    assert old_links and moved <= links and not old_links & links
    assert main(["--data-dir", str(data), "--catalog-dir", str(cat), "validate"]) == 0


def test_the_catalog_text_keeps_everything_outside_the_framework(dirs, tmp_path):
    data, cat = dirs
    catalog = load_catalog(cat)
    before = (cat / "commitments.yaml").read_text(encoding="utf-8")
    matrix, remap = write_matrix(tmp_path, official_rows(catalog)), write_remap(tmp_path)

    assert cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap)) == 0

    after = (cat / "commitments.yaml").read_text(encoding="utf-8")
    head = before[: before.index("  # ===================================================================\n  # Bohol")]
    assert after.startswith(head)  # the header comment and every Adelaide entry, byte for byte
    assert "# BWP-A.1 is the recovered 2017–2020 item" not in after  # the old Bohol comments went with them
    assert "Bohol TIP Work Plan 2.0: the official matrix, imported" in after
    old_sources = (ROOT / "commitments" / "sources.yaml").read_text(encoding="utf-8")
    assert (cat / "sources.yaml").read_text(encoding="utf-8").startswith(old_sources.rstrip("\n"))
    for name in ("members.yaml", "mechanisms.yaml", "frameworks.yaml", "themes.yaml", "statuses.yaml"):
        assert (cat / name).read_bytes() == (ROOT / "commitments" / name).read_bytes()


def test_an_import_refused_for_an_unmapped_removed_id_changes_nothing(dirs, tmp_path, capsys):
    data, cat = dirs
    matrix = write_matrix(tmp_path, official_rows(load_catalog(cat)))
    remap = write_remap(tmp_path, "old_id,new_id\nBWP-A.4,BWP-A.9\n")  # BWP-A.2 is not mapped
    before = tree(data, cat)

    code = cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap))

    out = capsys.readouterr().out
    assert code == 1
    assert "import-removes-cited-id" in out and "the matrix has no 'BWP-A.2'" in out and "members KIR, MYS, THA" in out
    assert "NOT IMPORTED" in out
    assert tree(data, cat) == before


def test_a_dry_run_shows_the_changes_and_writes_nothing(dirs, tmp_path, capsys):
    data, cat = dirs
    matrix, remap = write_matrix(tmp_path, official_rows(load_catalog(cat))), write_remap(tmp_path)
    before = tree(data, cat)

    code = cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap), "--dry-run")

    out = capsys.readouterr().out
    assert code == 0 and "DRY RUN" in out and "Actions re-pointed:" in out and "Added: 1 (BWP-A.9)" in out
    assert tree(data, cat) == before
    assert not (data / "_history").exists()


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (lambda rows: [r[:1] + r[2:] for r in rows], "matrix-missing-column", "the column 'Parent' is missing"),
        (lambda rows: [*rows, ["BWP-A.1", "BWP-A", "Again", "", ""]], "matrix-duplicate-id", "'BWP-A.1' is used twice"),
        (
            lambda rows: [*rows, ["BWP-E.1", "BWP-E", "Orphan", "", ""]],
            "matrix-bad-parent",
            "'BWP-E' is not a top-level",
        ),
        (lambda rows: [*rows, ["ASC-9", "", "Wrong framework", "", ""]], "matrix-bad-id", "'ASC-9' is not an id of"),
    ],
)
def test_a_bad_matrix_is_refused_with_a_cell_level_message(dirs, tmp_path, capsys, change, code, message):
    data, cat = dirs
    rows = change(official_rows(load_catalog(cat)))
    header = HEADER if code != "matrix-missing-column" else ["ID", "Title", "Summary", "Source"]
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook([header, *rows]))
    before = tree(data, cat)

    status = cli(data, cat, "import", str(path), "--framework", "BWP", "--remap", str(write_remap(tmp_path)))

    out = capsys.readouterr().out
    assert status == 1 and code in out and message in out
    assert "Added:" not in out  # no plan is shown for a matrix that cannot be read whole
    if code != "matrix-missing-column":
        assert "bad.xlsx, sheet Matrix, row " in out  # the cell's row, as the spreadsheet numbers it
    assert tree(data, cat) == before


def test_misuse_exits_2(dirs, tmp_path, capsys):
    data, cat = dirs
    matrix = write_matrix(tmp_path, official_rows(load_catalog(cat)))

    assert cli(data, cat, "import", str(tmp_path / "missing.xlsx"), "--framework", "BWP") == 2
    assert cli(data, cat, "import", str(matrix), "--framework", "XYZ") == 2
    assert cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(tmp_path / "no.csv")) == 2
    with pytest.raises(SystemExit) as exited:
        cli(data, cat, "import", str(matrix))  # --framework is required
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "'XYZ' is not a framework of the catalog; use one of ASC, BWP" in err


def test_a_bad_remap_table_is_refused(dirs, tmp_path, capsys):
    data, cat = dirs
    matrix = write_matrix(tmp_path, official_rows(load_catalog(cat)))
    remap = write_remap(tmp_path, "old_id,new_id\nBWP-A.2,BWP-A.9\nBWP-A.2,BWP-A.1\nBWP-A.4,BWP-Z.1\n")
    before = tree(data, cat)

    assert cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap)) == 1

    out = capsys.readouterr().out
    assert "remap-duplicate-id" in out and "MAP.csv, row 3, old_id: 'BWP-A.2' is remapped twice" in out
    assert tree(data, cat) == before


def test_the_catalog_log_lists_each_import(dirs, tmp_path, capsys):
    data, cat = dirs
    matrix, remap = write_matrix(tmp_path, official_rows(load_catalog(cat))), write_remap(tmp_path)
    assert cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap), "--by", "RSO") == 0
    capsys.readouterr()

    assert cli(data, cat, "log") == 0

    (line,) = capsys.readouterr().out.splitlines()
    assert line.startswith("2026-11-30T12:00:00  RSO: imported BWP from BWP-2.0-matrix.xlsx (+1 -2 ~1); catalog ")


# --- the store ----------------------------------------------------------------------------------------------------


def test_confidential_actions_are_re_pointed_too(dirs, tmp_path):
    data, cat = dirs
    document = yaml.safe_load((data / "THA.yaml").read_text(encoding="utf-8"))
    secret = next(a for a in document["actions"] if "BWP-A.2" in a["commitments"])
    secret["confidential"] = True
    (data / "THA.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    catalog = load_catalog(cat)
    path = write_matrix(tmp_path, official_rows(catalog))

    result = Store(data, catalog).import_catalog(
        cat,
        read_matrix(path.name, path.read_bytes(), "BWP"),
        path.read_bytes(),
        {"BWP-A.2": "BWP-A.9", "BWP-A.4": "BWP-A.9"},
        ADMIN,
    )

    assert result.imported
    written = yaml.safe_load((data / "THA.yaml").read_text(encoding="utf-8"))
    (kept,) = [a for a in written["actions"] if a["action_id"] == secret["action_id"]]
    assert kept["confidential"] == "yes" and "BWP-A.9" in kept["commitments"] and "BWP-A.2" not in kept["commitments"]


def test_only_an_admin_may_import(dirs, tmp_path):
    data, cat = dirs
    catalog = load_catalog(cat)
    path = write_matrix(tmp_path, official_rows(catalog))
    reviewer = User("r@example.org", "Reviewer", Role.REVIEWER)

    with pytest.raises(AccessDeniedError):
        Store(data, catalog).import_catalog(cat, read_matrix(path.name, path.read_bytes(), "BWP"), b"", {}, reviewer)


def test_a_member_file_with_errors_stops_the_import_instead_of_losing_rows(dirs, tmp_path, capsys):
    data, cat = dirs
    text = (data / "KIR.yaml").read_text(encoding="utf-8")
    (data / "KIR.yaml").write_text(text.replace("status: limited", "status: nearly there", 1), encoding="utf-8")
    before = tree(data, cat)
    matrix, remap = write_matrix(tmp_path, official_rows(load_catalog(cat))), write_remap(tmp_path)

    assert cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap)) == 1

    out = capsys.readouterr().out
    assert "import-member-has-errors" in out and "KIR.yaml: 1 row(s) of KIR's file have errors" in out
    assert tree(data, cat) == before


def test_an_unchanged_matrix_imports_as_official_without_touching_members(dirs, tmp_path):
    data, cat = dirs
    catalog = load_catalog(cat)
    members = {name: (data / name).read_bytes() for name in MEMBERS}
    path = write_matrix(tmp_path, bohol_rows(catalog))

    result = Store(data, catalog).import_catalog(
        cat, read_matrix(path.name, path.read_bytes(), "BWP"), path.read_bytes(), {}, ADMIN
    )

    assert result.imported and result.repointed == {}
    assert {name: (data / name).read_bytes() for name in MEMBERS} == members
    assert not (data / "_history" / "log.jsonl").exists()  # no member change, so no member log line
    new = load_catalog(cat)
    assert new.issues == [] and not any(c.placeholder for c in new.commitments.values())
    assert (cat / "crosswalk.yaml").read_bytes() == (ROOT / "commitments" / "crosswalk.yaml").read_bytes()
    (entry,) = read_catalog_log(data)
    assert entry["removed"] == [] and entry["added"] == [] and json.dumps(entry["repointed"]) == "{}"


# --- catalog versions in snapshots (§4) -------------------------------------------------------------------------


def test_a_snapshot_compares_across_an_import_through_the_remap(dirs, tmp_path):
    """A pre-import snapshot, compared with today after BWP-A.2 moved to a new pillar-B item, shows no action as
    removed or added: each re-pointed action is the same action, under its new id and its new pillar."""
    data, cat = dirs
    catalog = load_catalog(cat)
    snapshots = Snapshots(data)
    info = snapshots.take(load_dataset(data, catalog, today=TODAY), "19th AHG SOM", ADMIN)
    assert info.catalog_version == catalog.version and len(catalog.version) == 12
    moved_ids = {a for ids in citing(data, cat, "BWP-A.2").values() for a in ids}
    rows = [r for r in bohol_rows(catalog) if r[0] != "BWP-A.2"]
    path = write_matrix(tmp_path, [*rows, ["BWP-B.9", "BWP-B", "Moved to protection", "", "p. 9"]])
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)  # the import is logged after the snapshot
    stamp = (STAMP[0], later.isoformat(timespec="seconds"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "_stamp", lambda: stamp)
        done = Store(data, catalog).import_catalog(
            cat, read_matrix(path.name, path.read_bytes(), "BWP"), path.read_bytes(), {"BWP-A.2": "BWP-B.9"}, ADMIN
        )
    assert done.imported
    new = load_catalog(cat)
    assert new.version != catalog.version
    view = apply_filters(load_dataset(data, new, today=TODAY), Filters(areas=("BWP-B",)), can_see_confidential=True)
    snapshot = snapshots.load("19th AHG SOM")

    changes = snapshot_changes(view, snapshot, can_see_confidential=True, today=TODAY)

    assert snapshot.remap == {"BWP-A.2": "BWP-B.9"}
    assert moved_ids <= set(changes.changes["action_id"])
    assert changes.count("new") == 0 and changes.count("removed") == 0
    assert changes.catalog_note is not None and "remap (BWP-A.2 → BWP-B.9)" in changes.catalog_note
    # The briefing pack compared with that snapshot says the same, in its "what moved" section.
    pack = brief_html(
        build_brief(
            load_dataset(data, new, today=TODAY), Filters(), user_can_see_confidential=True, since=snapshot, today=TODAY
        )
    )
    assert str(escape(changes.catalog_note)) in pack  # as the pack's template escapes text
    # Read without the remap, the same comparison calls every re-pointed action new: the remap is what holds.
    blind = snapshot_changes(view, replace(snapshot, remap={}, imports=()), can_see_confidential=True, today=TODAY)
    assert set(blind.changes[blind.changes["change"] == "new"]["action_id"]) == moved_ids
    assert blind.catalog_note is None


def test_remaps_of_successive_imports_compose_and_earlier_ones_are_left_out():
    log = [
        {"at": "2026-01-01T00:00:00+00:00", "framework": "BWP", "file": "old.xlsx", "remap": {"BWP-X": "BWP-Y"}},
        {"at": "2026-03-01T00:00:00+00:00", "framework": "BWP", "file": "a.xlsx", "remap": {"BWP-A.2": "BWP-A.5"}},
        {"at": "2026-05-01T00:00:00+00:00", "framework": "BWP", "file": "b.xlsx", "remap": {"BWP-A.5": "BWP-B.1"}},
    ]

    remap, imports = remap_since(log, "2026-02-01T00:00:00+00:00")

    assert remap == {"BWP-A.2": "BWP-B.1", "BWP-A.5": "BWP-B.1"}
    assert imports == ("BWP from a.xlsx on 2026-03-01", "BWP from b.xlsx on 2026-05-01")
    assert remap_since(log, "2026-06-01T00:00:00+00:00") == ({}, ())


def test_after_an_import_the_open_data_package_is_valid_and_names_the_matrix(dirs, tmp_path):
    data, cat = dirs
    matrix, remap = write_matrix(tmp_path, official_rows(load_catalog(cat))), write_remap(tmp_path)
    assert cli(data, cat, "import", str(matrix), "--framework", "BWP", "--remap", str(remap)) == 0
    out = tmp_path / "package"
    out.mkdir()

    path = write_datapackage(load_dataset(data, load_catalog(cat), today=TODAY), out, today=TODAY)

    report = frictionless.validate(str(path))
    assert report.valid, [e.message for task in report.tasks for e in task.errors][:5]
    package = frictionless.Package(str(path))
    sources = {r["key"]: r for r in package.get_resource("catalog_sources").read_rows()}
    imported = sources["S-IMPORT-BWP-20261130"]
    assert imported["document"] == "BWP-2.0-matrix.xlsx" and imported["url"] is None


@pytest.mark.parametrize(
    ("fields", "accepted"),
    [
        ({"url": "https://example.org/a"}, True),
        ({"document": "BWP-2.0-matrix.xlsx"}, True),
        ({}, False),  # a source must say where it is
        ({"url": "https://example.org/a", "document": "m.xlsx"}, False),  # one or the other, not both
        ({"url": "ftp://example.org/a"}, False),
    ],
)
def test_a_source_is_a_web_address_or_a_named_document(fields, accepted):
    from pydantic import ValidationError

    from loaders.catalog_schema import Source

    make = lambda: Source(key="S-X", title="t", **fields)  # noqa: E731
    if accepted:
        assert make().address == (fields.get("url") or fields.get("document"))
    else:
        with pytest.raises(ValidationError):
            make()
