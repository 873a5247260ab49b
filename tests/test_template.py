"""The member template: it validates unchanged, a one-cell edit changes one thing, and it carries its aids."""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

from loaders.catalog import Catalog, load_catalog
from loaders.dataset import Dataset, build_dataset, load_dataset
from loaders.fields import FIELD_NAMES, FIELDS
from loaders.tables import read_member_bytes, read_member_file
from tests.builders import action, dataset_of, require_program
from tests.make_fixtures import convert_with_libreoffice
from tracker.cli import main
from tracker.documents.template import BLANK_ROWS, template_from_dataset, template_workbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
TODAY = dt.date(2026, 11, 28)
MEMBER = "IDN"
# The validated fields a round trip must keep; source_* (where a row came from) may differ.
CONTRACT = [*FIELD_NAMES, "extra"]
HEADER_ROW = 3  # Excel row of the header in the Actions sheet: title, pointer, header


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def sample(catalog: Catalog) -> Dataset:
    return load_dataset(SAMPLE_DIR, catalog, today=TODAY)


@pytest.fixture(scope="module")
def idn_template(sample: Dataset) -> bytes:
    return template_from_dataset(sample, MEMBER, today=TODAY)


def _reread(catalog: Catalog, data: bytes, name: str = f"{MEMBER}.xlsx") -> Dataset:
    return build_dataset(catalog, [read_member_bytes(name, data)], today=TODAY)


def _contract(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[CONTRACT].sort_values("action_id").reset_index(drop=True)


def _of(dataset: Dataset, member: str) -> pd.DataFrame:
    return _contract(dataset.actions[dataset.actions["member"] == member])


def _header_columns(sheet: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[HEADER_ROW] if cell.value is not None}


# --- validates unchanged, round trips ----------------------------------------------------------


def test_template_validates_unchanged_with_the_same_actions(catalog: Catalog, sample: Dataset, idn_template: bytes):
    reread = _reread(catalog, idn_template)

    assert reread.issues == []
    original = _of(sample, MEMBER)
    assert len(original) > 20  # a real comparison, not two empty frames
    assert original["confidential"].any()  # confidential actions are in the member's own template
    pd.testing.assert_frame_equal(_contract(reread.actions), original)


def test_every_sample_member_round_trips(catalog: Catalog, sample: Dataset):
    # Covers the YAML members and the sample's other input forms (text dates, labels, lists).
    for member in sorted(set(sample.files["member"])):
        reread = _reread(catalog, template_from_dataset(sample, member, today=TODAY), f"{member}.xlsx")
        assert reread.issues == [], member
        pd.testing.assert_frame_equal(_contract(reread.actions), _of(sample, member), obj=member)


def test_editing_one_status_changes_exactly_that_status(catalog: Catalog, sample: Dataset, idn_template: bytes):
    original = _of(sample, MEMBER)
    target = original[original["status"] != "limited"].iloc[0]["action_id"]
    workbook = openpyxl.load_workbook(io.BytesIO(idn_template))
    sheet = workbook["Actions"]
    columns = _header_columns(sheet)
    row = next(r for r in range(HEADER_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 1).value == target)
    sheet.cell(row, columns["Status"]).value = "Limited"  # as a user picks it from the dropdown
    edited = io.BytesIO()
    workbook.save(edited)

    reread = _reread(catalog, edited.getvalue())

    assert reread.issues == []
    after = _contract(reread.actions)
    assert after["action_id"].tolist() == original["action_id"].tolist()
    same = (after == original) | (after.isna() & original.isna())
    rows, columns_changed = (~same).to_numpy().nonzero()
    changed = [(original.at[r, "action_id"], CONTRACT[c]) for r, c in zip(rows, columns_changed, strict=True)]
    assert changed == [(target, "status")]
    assert after.loc[after["action_id"] == target, "status"].item() == "limited"


def _workbook_with_extra_columns() -> bytes:
    """An IDN workbook as a member might keep it: the contract columns plus three of their own."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Actions"
    labels = [f.label for f in FIELDS]
    sheet.append([*labels, "Budget (USD)", "Reviewed on", None, "Internal ref"])
    rows = [
        action("IDN", 1, "ASC-6", "limited", last_updated=dt.datetime(2026, 5, 1)),
        action("IDN", 2, "ASC-6; BWP-B.2", "complete", origin="new", confidential="yes"),
        action("IDN", 3, "BWP-A", "substantial", asean_mechanisms="ACTIP; SOMTC"),
    ]
    extras = [
        [1500, dt.datetime(2026, 4, 2), None, "ref-1"],
        [None, None, "no header here", "=not a formula"],
        [2.5, None, None, None],
    ]
    for row, extra in zip(rows, extras, strict=True):
        sheet.append([row.get(f.name) for f in FIELDS] + extra)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_extra_columns_survive_the_round_trip(catalog: Catalog):
    source = _reread(catalog, _workbook_with_extra_columns())
    assert {i.code for i in source.issues} == {"unknown-column"}
    assert source.actions["extra"].notna().sum() == 3

    template = template_workbook(catalog, MEMBER, source.actions, illustrative=False, today=TODAY)
    reread = _reread(catalog, template)

    assert [i for i in reread.issues if i.severity == "error"] == []
    pd.testing.assert_frame_equal(_contract(reread.actions), _contract(source.actions))
    sheet = openpyxl.load_workbook(io.BytesIO(template))["Actions"]
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers[: len(FIELDS)] == [f.label for f in FIELDS]  # contract columns first, extras after
    assert set(headers[len(FIELDS) :]) == {"Budget (USD)", "Reviewed on", "column R", "Internal ref"}


# --- what the workbook carries ---------------------------------------------------------------


def test_actions_sheet_layout(sample: Dataset, idn_template: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(idn_template))
    sheet = workbook["Actions"]
    n = len(_of(sample, MEMBER))

    assert workbook.sheetnames[0] == "Actions"
    assert sheet["A1"].value.startswith("Commitments Tracker — actions of Indonesia (IDN)")
    assert "Instructions" in sheet["A2"].value
    assert [c.value for c in sheet[HEADER_ROW]] == [f.label for f in FIELDS]  # exactly the labels
    assert sheet.freeze_panes == "B4"  # below the header, right of Action ID
    columns = _header_columns(sheet)
    first = HEADER_ROW + 1
    assert sheet.cell(first, 1).value == f"{MEMBER}-001"
    assert sheet.max_row == HEADER_ROW + n
    assert sheet.cell(first, columns["Status"]).value in {"Not started", "Limited", "Substantial", "Complete"}
    last_updated = sheet.cell(first, columns["Last updated"])
    assert isinstance(last_updated.value, dt.datetime)
    assert last_updated.number_format == "yyyy-mm-dd"
    # Blank rows take the date format from the column, so a typed date shows the same way.
    assert sheet.column_dimensions["I"].number_format == "yyyy-mm-dd"
    assert sheet.cell(first, columns["Description"]).alignment.wrap_text
    assert {sheet.cell(r, columns["Confidential"]).value for r in range(first, first + n)} == {"yes", "no"}
    required = {f.label for f in FIELDS if f.required}
    fills = {c.value: c.fill.fgColor.rgb for c in sheet[HEADER_ROW]}
    assert {fills[label] for label in required} != {fills["Notes"]}  # required headers stand out
    assert all(sheet.cell(HEADER_ROW, columns[label]).comment.text.startswith("Required") for label in required)
    assert all(c.font.b for c in sheet[HEADER_ROW])


def test_dropdowns_come_from_the_hidden_lists_sheet(catalog: Catalog, sample: Dataset, idn_template: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(idn_template))
    sheet = workbook["Actions"]
    lists = workbook["Lists"]
    last = HEADER_ROW + len(_of(sample, MEMBER)) + BLANK_ROWS
    by_column = {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in sheet.data_validations.dataValidation}

    def values(dv: openpyxl.worksheet.datavalidation.DataValidation) -> list[str]:
        ref = dv.formula1.split("!")[1].replace("$", "")
        assert dv.formula1.startswith("Lists!")
        return [c.value for row in lists[ref] for c in row]

    assert lists.sheet_state == "hidden"
    status = by_column["F"]
    assert status.type == "list" and status.showErrorMessage
    assert str(status.sqref) == f"F4:F{last}"  # pre-filled rows plus the blank ones
    assert values(status) == [s.label for s in catalog.statuses.values()]
    assert values(by_column["B"]) == [MEMBER] and by_column["B"].showErrorMessage
    assert values(by_column["M"]) == ["new", "pre-existing"] and by_column["M"].showErrorMessage
    assert values(by_column["N"]) == ["yes", "no"] and by_column["N"].showErrorMessage
    # Several ids may share a cell, so these lists must not refuse what they do not list.
    assert values(by_column["C"]) == list(catalog.commitments) and not by_column["C"].showErrorMessage
    assert values(by_column["K"]) == list(catalog.mechanisms) and not by_column["K"].showErrorMessage
    for column in "GHI":
        dates = by_column[column]
        assert (dates.type, dates.operator, dates.formula1) == ("date", "greaterThanOrEqual", "36526")  # 2000-01-01
        assert dates.showErrorMessage and str(dates.sqref) == f"{column}4:{column}{last}"


def test_commitments_sheet_is_a_protected_reference(catalog: Catalog, idn_template: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(idn_template))["Commitments"]
    first_column = {c.value for c in sheet["A"]}

    assert sheet.protection.sheet
    assert set(catalog.commitments) <= first_column
    assert set(catalog.mechanisms) <= first_column
    titles = {c.value for c in sheet["D"]}
    assert {c.shown_title for c in catalog.commitments.values()} <= titles  # working items say so


def test_instructions_explain_every_column_and_the_scale(catalog: Catalog, idn_template: bytes):
    sheet = openpyxl.load_workbook(io.BytesIO(idn_template))["Instructions"]
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    text = "\n".join(cells)

    assert {f.label for f in FIELDS} <= set(cells)
    assert {f.help for f in FIELDS} <= set(cells)
    for status in catalog.statuses.values():
        assert {status.label, status.icon, status.description} <= set(cells)
    for needle in ("leave Action ID blank", "delete its whole row", "REPLACES", "IDN.xlsx", "DD/MM/YYYY", "own report"):
        assert needle in text


def test_workbook_has_no_formulas_macros_or_links(idn_template: bytes):
    names = zipfile.ZipFile(io.BytesIO(idn_template)).namelist()
    assert not [n for n in names if "externalLink" in n or "vbaProject" in n]
    workbook = openpyxl.load_workbook(io.BytesIO(idn_template))
    assert workbook.properties.creator == "Commitments Tracker"
    formulas = [c.coordinate for ws in workbook for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []


def test_text_that_looks_like_a_formula_stays_text(catalog: Catalog):
    rows = [action("IDN", 1, "ASC-6", "limited", title="=SUM(A1:A2)", notes="+61 2 5555", lead_agency="@team")]
    actions = dataset_of(catalog, rows).actions
    template = template_workbook(catalog, MEMBER, actions, illustrative=False, today=TODAY)

    sheet = openpyxl.load_workbook(io.BytesIO(template))["Actions"]
    assert sheet["D4"].value == "=SUM(A1:A2)" and sheet["D4"].data_type == "s"
    pd.testing.assert_frame_equal(_contract(_reread(catalog, template).actions), _contract(actions))


def test_rows_are_in_action_id_number_order(catalog: Catalog):
    rows = [action("IDN", n, "ASC-6", "limited") for n in (10, 2, 1000, 1)]
    rows[0]["action_id"] = "IDN-10"  # unpadded ids sort by number, not as text
    template = template_workbook(catalog, MEMBER, dataset_of(catalog, rows).actions, illustrative=False)

    sheet = openpyxl.load_workbook(io.BytesIO(template))["Actions"]
    assert [sheet.cell(r, 1).value for r in range(4, 8)] == ["IDN-001", "IDN-002", "IDN-10", "IDN-1000"]


@pytest.mark.parametrize("illustrative", [True, False])
def test_illustrative_flag_survives(catalog: Catalog, sample: Dataset, illustrative: bool):
    dataset = sample if illustrative else dataset_of(catalog, [action("IDN", 1, "ASC-6", "limited")])
    template = template_from_dataset(dataset, MEMBER, today=TODAY)

    raw = read_member_bytes("IDN.xlsx", template)
    assert raw.illustrative is illustrative
    title = openpyxl.load_workbook(io.BytesIO(template))["Actions"]["A1"].value
    assert ("ILLUSTRATIVE SAMPLE DATA — not real reporting" in title) is illustrative


def test_member_without_a_file_gets_an_empty_template(catalog: Catalog, sample: Dataset):
    member = next(m for m in catalog.members if m not in set(sample.files["member"]))
    template = template_from_dataset(sample, member, today=TODAY)

    raw = read_member_bytes(f"{member}.xlsx", template)
    assert raw.rows.empty and raw.issues == [] and not raw.illustrative
    assert build_dataset(catalog, [raw], today=TODAY).issues == []


def test_template_refuses_other_members_and_unknown_ids(catalog: Catalog, sample: Dataset):
    with pytest.raises(ValueError, match="other members"):
        template_workbook(catalog, MEMBER, sample.actions, illustrative=True)
    with pytest.raises(ValueError, match="not a member"):
        template_workbook(catalog, "ZZZ", sample.actions.iloc[0:0], illustrative=True)


def test_libreoffice_round_trip(catalog: Catalog, sample: Dataset, idn_template: bytes, tmp_path: Path):
    require_program("soffice")
    source = tmp_path / "in" / "IDN.xlsx"
    source.parent.mkdir()
    source.write_bytes(idn_template)
    saved = convert_with_libreoffice(source, tmp_path / "saved" / "IDN.xlsx", "xlsx", tmp_path).read_bytes()
    assert saved != idn_template  # LibreOffice really rewrote it

    reread = _reread(catalog, saved)
    assert reread.issues == []
    pd.testing.assert_frame_equal(_contract(reread.actions), _of(sample, MEMBER))
    workbook = openpyxl.load_workbook(io.BytesIO(saved))
    assert workbook["Lists"].sheet_state == "hidden"
    assert any(dv.type == "list" for dv in workbook["Actions"].data_validations.dataValidation)


# --- command line ----------------------------------------------------------------------------


def test_cli_writes_a_template_that_validates(catalog: Catalog, sample: Dataset, tmp_path: Path, capsys):
    out = tmp_path / "IDN.xlsx"

    status = main(["template", MEMBER, "--out", str(out), "--data-dir", str(SAMPLE_DIR)])

    assert status == 0
    assert str(out) in capsys.readouterr().out
    reread = build_dataset(catalog, [read_member_file(out)], today=TODAY)
    assert [i for i in reread.issues if i.severity == "error"] == []
    pd.testing.assert_frame_equal(_contract(reread.actions), _of(sample, MEMBER))


def test_cli_runs_as_a_module(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "TRACKER_DATA_DIR"}  # default: the bundled sample
    done = subprocess.run(
        [sys.executable, "-m", "tracker", "template", MEMBER, "--out", str(tmp_path / "IDN.xlsx")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert read_member_file(tmp_path / "IDN.xlsx").illustrative


@pytest.mark.parametrize(
    ("member", "out"),
    [("../IDN", "IDN.xlsx"), ("idn/..", "IDN.xlsx"), ("ZZZ", "ZZZ.xlsx"), ("IDN", "x.csv"), ("IDN", "no/IDN.xlsx")],
)
def test_cli_refuses_bad_arguments(tmp_path: Path, capsys, member: str, out: str):
    status = main(["template", member, "--out", str(tmp_path / out), "--data-dir", str(SAMPLE_DIR)])

    assert status == 2
    assert capsys.readouterr().err.startswith("error: ")
    assert list(tmp_path.iterdir()) == []


def test_cli_warns_when_rows_with_errors_are_left_out(catalog: Catalog, tmp_path: Path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    good = {"action_id": "IDN-001", "commitments": "ASC-6", "title": "Kept", "status": "limited"}
    bad = {"action_id": "IDN-002", "commitments": "ASC-99", "title": "Dropped", "status": "limited"}
    document = {"member": "IDN", "actions": [{**a, "last_updated": dt.date(2026, 1, 5)} for a in (good, bad)]}
    (data / "IDN.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")

    status = main(["template", MEMBER, "--out", str(tmp_path / "IDN.xlsx"), "--data-dir", str(data)])

    assert status == 0
    assert "1 error(s)" in capsys.readouterr().err
    reread = build_dataset(catalog, [read_member_file(tmp_path / "IDN.xlsx")], today=TODAY)
    assert reread.actions["title"].tolist() == ["Kept"]
