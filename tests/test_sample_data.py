"""The bundled illustrative sample: valid, labelled, varied, and exactly what the generator writes."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from loaders.catalog import Catalog, load_catalog
from loaders.dataset import Dataset, load_dataset, member_files
from loaders.tables import read_member_file

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"


def _load_generator() -> ModuleType:
    # scripts/ is not a package; load the script as a module by its path.
    spec = importlib.util.spec_from_file_location("generate_sample", ROOT / "scripts" / "generate_sample.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while the class body runs
    spec.loader.exec_module(module)
    return module


gen = _load_generator()
AS_OF: dt.date = gen.AS_OF
AS_OF_TS = pd.Timestamp(AS_OF)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def sample(catalog: Catalog) -> Dataset:
    # "today" is the generator's fixed reference date: no row may be updated after it.
    return load_dataset(SAMPLE_DIR, catalog, today=AS_OF)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, catalog: Catalog) -> tuple[Path, Path]:
    a, b = tmp_path_factory.mktemp("a"), tmp_path_factory.mktemp("b")
    gen.generate(a, catalog=catalog)
    gen.generate(b, catalog=catalog)
    return a, b


def _member_file_names(directory: Path) -> list[str]:
    return [p.name for p in member_files(directory)]


# --- validity and labelling ------------------------------------------------------------------


def test_sample_has_no_errors_and_no_warnings(sample: Dataset) -> None:
    assert [i.message for i in sample.issues if i.severity == "error"] == []
    assert [i.message for i in sample.issues if i.severity == "warning"] == []


def test_every_file_is_marked_illustrative(sample: Dataset) -> None:
    assert sample.illustrative
    raws = [read_member_file(p) for p in member_files(SAMPLE_DIR)]
    assert raws
    assert [r.file for r in raws if not r.illustrative] == []
    assert sample.actions["illustrative"].all()


def test_about_file_is_not_a_member_file() -> None:
    assert (SAMPLE_DIR / "_ABOUT.md").is_file()
    assert "_ABOUT.md" not in _member_file_names(SAMPLE_DIR)


# --- shape of the data -----------------------------------------------------------------------


def test_files_formats_and_volume(sample: Dataset, catalog: Catalog) -> None:
    names = _member_file_names(SAMPLE_DIR)
    assert len(names) >= 45
    assert {Path(n).suffix for n in names} == {".xlsx", ".yaml"}
    assert len(sample.actions) >= 1500
    silent = set(catalog.members) - {Path(n).stem for n in names}
    assert 1 <= len(silent) <= 4  # a few members have not reported at all


def test_action_counts_vary_between_members(sample: Dataset) -> None:
    counts = sample.actions.groupby("member").size()
    assert counts.min() <= 5
    assert counts.max() >= 60


def test_both_frameworks_and_dual_reporting(sample: Dataset) -> None:
    links = sample.action_commitments
    shares = links.drop_duplicates(["action_key", "framework"])["framework"].value_counts(normalize=True)
    assert set(shares.index) == {"ASC", "BWP"}
    assert shares.min() > 0.2  # both frameworks well represented
    per_action = links.groupby("action_key")["framework"].nunique()
    assert (per_action == 2).sum() >= 100


def test_commitments_mix_levels(sample: Dataset, catalog: Catalog) -> None:
    levels = sample.action_commitments["commitment_id"].map(lambda c: catalog.commitments[c].level)
    assert {"area", "pillar", "item"} <= set(levels)
    per_action = sample.action_commitments.groupby("action_key").size()
    assert per_action.min() == 1 and per_action.max() == 3


def test_asean_members_name_mechanisms(sample: Dataset, catalog: Catalog) -> None:
    actions = sample.actions
    asean = {m for m, member in catalog.members.items() if member.asean}
    with_mechanisms = actions["action_key"].isin(set(sample.action_mechanisms["action_key"]))
    bohol = actions["action_key"].isin(
        set(sample.action_commitments.loc[sample.action_commitments["framework"] == "BWP", "action_key"])
    )
    is_asean = actions["member"].isin(asean)
    assert with_mechanisms[is_asean & bohol].mean() > 0.6
    assert with_mechanisms[~is_asean].mean() < 0.1
    reporting_asean = set(actions.loc[is_asean, "member"])
    assert reporting_asean == set(actions.loc[is_asean & with_mechanisms, "member"])


def test_some_members_are_stale(sample: Dataset) -> None:
    latest = sample.actions.groupby("member")["last_updated"].max()
    stale = latest[latest < AS_OF_TS - pd.Timedelta(days=365)]
    assert 3 <= len(stale) <= 8


def test_most_rows_are_recent(sample: Dataset) -> None:
    age = AS_OF_TS - sample.actions["last_updated"]
    assert (age <= pd.Timedelta(days=183)).mean() > 0.6


def test_dates_are_consistent(sample: Dataset) -> None:
    actions = sample.actions
    assert actions["start_date"].dropna().min() >= pd.Timestamp("2023-01-01")
    assert actions["due_date"].dropna().max() <= pd.Timestamp("2028-12-31")
    assert (actions["last_updated"] <= AS_OF_TS).all()
    started = actions.dropna(subset=["start_date"])
    assert (started["last_updated"] >= started["start_date"]).all()


def test_some_actions_are_overdue(sample: Dataset, catalog: Catalog) -> None:
    actions = sample.actions
    done = {catalog.scale.complete, *catalog.scale.counted_apart}
    overdue = (actions["due_date"] < AS_OF_TS) & ~actions["status"].isin(done)
    assert 0.05 < overdue.mean() < 0.4


def test_statuses_spread_over_the_scale(sample: Dataset, catalog: Catalog) -> None:
    assert set(sample.actions["status"]) == set(catalog.statuses)


def test_complete_rows_have_evidence_and_some_others_do_too(sample: Dataset) -> None:
    actions = sample.actions
    complete = actions[actions["status"] == "complete"]
    assert len(complete) > 0
    assert complete["evidence"].notna().all()
    assert actions.loc[actions["status"] != "complete", "evidence"].notna().any()


def test_some_rows_are_confidential(sample: Dataset) -> None:
    share = sample.actions["confidential"].mean()
    assert 0.01 < share < 0.1


def test_origin_and_notes_vary(sample: Dataset) -> None:
    assert {"new", "pre-existing"} <= set(sample.actions["origin"].dropna())
    assert sample.actions["notes"].notna().any()


def test_organisations_work_within_their_mandates(sample: Dataset) -> None:
    links = sample.action_commitments
    for organisation, work in gen.ORGANISATION_WORK.items():
        keys = set(sample.actions.loc[sample.actions["member"] == organisation, "action_key"])
        assert keys, organisation
        in_mandate = links[links["action_key"].isin(keys) & links["commitment_id"].isin(set(work))]
        assert in_mandate["action_key"].nunique() / len(keys) > 0.7, organisation


def test_input_variants_are_exercised() -> None:
    raws = [read_member_file(p) for p in member_files(SAMPLE_DIR)]
    workbooks = [r for r in raws if r.file.endswith(".xlsx")]
    yamls = [r for r in raws if r.file.endswith(".yaml")]
    assert any(isinstance(v, str) for r in workbooks for v in r.rows["start_date"].dropna())
    assert any(v == "Substantial" for r in workbooks for v in r.rows["status"].dropna())
    assert any(isinstance(v, list) for r in yamls for v in r.rows["commitments"])
    assert any(isinstance(v, str) and ";" in v for r in yamls for v in r.rows["commitments"])
    assert any(isinstance(v, dt.date) for r in yamls for v in r.rows["last_updated"])


def test_workbooks_have_title_rows_and_frozen_header() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    paths = [p for p in member_files(SAMPLE_DIR) if p.suffix == ".xlsx"]
    real_dates = 0
    for path in paths:
        sheet = openpyxl.load_workbook(path)["Actions"]
        assert "ILLUSTRATIVE" in str(sheet["A1"].value), path.name
        assert sheet["A3"].value is None, path.name
        assert sheet["A4"].value == "Action ID", path.name
        assert sheet.freeze_panes == "B5", path.name
        real_dates += sheet["I5"].is_date and sheet["I5"].number_format == "yyyy-mm-dd"
    assert real_dates == len(paths) - 1  # all but the workbook that types dates as text


# --- determinism and the generator's contract ------------------------------------------------


def test_generator_is_deterministic(generated: tuple[Path, Path]) -> None:
    a, b = generated
    names = _member_file_names(a)
    assert names == _member_file_names(b)
    assert [n for n in names if (a / n).read_bytes() != (b / n).read_bytes()] == []


def _content(path: Path) -> object:
    """A file's content; for workbooks, each zip entry's name, timestamp and unpacked bytes.

    Compressed bytes depend on the zlib build of the machine, so the committed
    workbooks are compared by what they hold rather than by their deflate stream.
    """
    if path.suffix != ".xlsx":
        return path.read_bytes()
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.date_time, archive.read(i)) for i in archive.infolist()]


def test_committed_sample_is_what_the_generator_writes(generated: tuple[Path, Path]) -> None:
    fresh, _ = generated
    names = _member_file_names(fresh)
    assert names == _member_file_names(SAMPLE_DIR), "regenerate: python scripts/generate_sample.py"
    differing = [n for n in names if _content(fresh / n) != _content(SAMPLE_DIR / n)]
    assert differing == [], "regenerate: python scripts/generate_sample.py"


def test_scale_multiplies_the_rows(tmp_path: Path, catalog: Catalog, sample: Dataset) -> None:
    gen.generate(tmp_path, scale=0.1, catalog=catalog)
    small = load_dataset(tmp_path, catalog, today=AS_OF)
    assert small.errors == []
    assert 0.07 < len(small.actions) / len(sample.actions) < 0.14


def test_seed_changes_the_data(tmp_path: Path, catalog: Catalog, generated: tuple[Path, Path]) -> None:
    gen.generate(tmp_path, seed=7, catalog=catalog)
    fresh, _ = generated
    common = set(_member_file_names(tmp_path)) & set(_member_file_names(fresh))
    assert any((tmp_path / n).read_bytes() != (fresh / n).read_bytes() for n in common)


def test_rerun_replaces_only_its_own_member_files(tmp_path: Path, catalog: Catalog) -> None:
    first = gen.generate(tmp_path, seed=1, catalog=catalog)
    (tmp_path / "_ABOUT.md").write_text("keep me", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("keep me too", encoding="utf-8")
    second = gen.generate(tmp_path, seed=2, catalog=catalog)
    assert {p.name for p in first} != {p.name for p in second}  # seeds pick different silent members
    assert _member_file_names(tmp_path) == sorted(p.name for p in second)
    assert (tmp_path / "_ABOUT.md").read_text(encoding="utf-8") == "keep me"
    assert (tmp_path / "notes.txt").exists()


def test_refuses_to_touch_real_member_files(tmp_path: Path, catalog: Catalog) -> None:
    real = tmp_path / "IDN.yaml"
    real.write_text("member: IDN\nactions: []\n", encoding="utf-8")
    with pytest.raises(gen.ForeignFileError):
        gen.generate(tmp_path, catalog=catalog)
    assert real.read_text(encoding="utf-8") == "member: IDN\nactions: []\n"
    assert _member_file_names(tmp_path) == ["IDN.yaml"]


def test_rejects_a_non_positive_scale(tmp_path: Path, catalog: Catalog) -> None:
    with pytest.raises(ValueError, match="scale"):
        gen.generate(tmp_path, scale=0, catalog=catalog)
