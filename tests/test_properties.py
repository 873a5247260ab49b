"""Property-based tests: any input gives records or issues, never an exception.

Cell values are drawn from everything a reader can hand over (text with unicode
and control characters, integers, floats with nan/inf, booleans, dates,
datetimes, times, lists, None), mixed with plausible contract values so that
rows get past the first rule and exercise the later ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.actions import ACTION_COLUMNS, ActionSet, validate_actions
from loaders.catalog import Catalog, load_catalog
from loaders.fields import FIELD_NAMES, LABELS
from loaders.tables import READABLE_SUFFIXES, REFUSED_SUFFIXES, RawFile, read_member_bytes
from tests.make_fixtures import TODAY, VALID_DIR

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)*$")
# Loaded at import: hypothesis' @given does not mix with pytest's function-scoped fixtures, and the
# catalog is read-only here.
CATALOG: Catalog = load_catalog()

TEXT = st.text(max_size=30)  # any code point but surrogates: unicode, control characters, NUL
ANY_CELL = st.one_of(
    st.none(),
    TEXT,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC, dt.timezone(dt.timedelta(hours=7))])),
    st.times(),
    st.lists(st.one_of(st.none(), TEXT, st.integers()), max_size=3),
)
DATES = ["2024-03-01", "01/02/2024", "31/12/2023", "2023-02-30", "2026-11-29", "March 2024", dt.date(2024, 3, 1)]
PLAUSIBLE: dict[str, list[Any]] = {
    "action_id": ["IDN-001", "IDN-002", "idn-001", "THA-001", "IDN-", ""],
    "member": ["IDN", "idn", " IDN ", "THA", "XYZ"],
    "commitments": ["ASC-1", "ASC-1; BWP-B.3", "asc-6.2,BWP-D", "ASC-9", " ; ", ["ASC-1", "BWP-A"]],
    "title": ["Border liaison offices", "x" * 201, 2024, 2024.0],
    "status": ["Complete", "limited", " NOT STARTED ", "not_started", "Almost done"],
    "start_date": DATES,
    "due_date": DATES,
    "last_updated": DATES,
    "asean_mechanisms": ["ACTIP", "actip, SOMTC-WG-TIP", "ASEAN-XYZ", ["ACWC"]],
    "evidence": ["https://example.org/r", "www.example.org", "http://", "Decree 12/2024"],
    "origin": ["new", "Pre-existing", "old"],
    "confidential": ["yes", "no", True, 1, 1.0, "maybe"],
}


def cell(field: str) -> st.SearchStrategy[Any]:
    plausible = PLAUSIBLE.get(field)
    return ANY_CELL if plausible is None else st.one_of(st.sampled_from(plausible), ANY_CELL)


ROW = st.fixed_dictionaries({}, optional={f: cell(f) for f in FIELD_NAMES})
FILE_NAMES = st.sampled_from(["IDN.xlsx", "IDN.yaml", "THA.csv", "XYZ.xlsx", "UNHCR.ods"])


def raw_file(name: str, rows: list[dict[str, Any]]) -> RawFile:
    records = [{**{f: r.get(f) for f in FIELD_NAMES}, "_row": n + 2, "_extra": None} for n, r in enumerate(rows)]
    frame = pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]).astype(object)
    return RawFile(file=name, member=Path(name).stem, sheet="Actions", rows=frame)


def assert_every_row_accounted_for(files: list[RawFile], result: ActionSet) -> None:
    """The result is well-formed, and each row is an action exactly when it has no error."""
    assert isinstance(result, ActionSet)
    assert list(result.actions.columns) == list(ACTION_COLUMNS)
    for issue in result.issues:
        assert issue.severity in ("error", "warning")
        assert KEBAB.fullmatch(issue.code), issue.code
        assert issue.field is None or issue.field in FIELD_NAMES
        assert issue.message.startswith(issue.file)
    error_rows = {(i.file, i.row) for i in result.issues if i.severity == "error"}
    # Whole-file errors: a file-level issue, or a YAML `member:` of another member (reported on its line).
    failed_files = {i.file for i in result.issues if i.severity == "error" and i.row is None}
    failed_files |= {r.file for r in files if r.declared_member and r.declared_member.upper() != r.member}
    kept = set(zip(result.actions["source_file"], result.actions["source_row"].astype(object), strict=True))
    for raw in files:
        for row in raw.rows["_row"]:
            has_error = (raw.file, row) in error_rows or raw.file in failed_files
            assert ((raw.file, row) in kept) != has_error, (raw.file, row)
    keys = set(result.actions["action_key"])
    assert set(result.action_commitments["action_key"]) <= keys
    assert set(result.action_mechanisms["action_key"]) <= keys


@SETTINGS
@given(st.lists(st.tuples(FILE_NAMES, st.lists(ROW, max_size=6)), min_size=1, max_size=3, unique_by=lambda t: t[0]))
def test_any_cells_give_actions_or_issues(files: list[tuple[str, list[dict[str, Any]]]]) -> None:
    raws = [raw_file(name, rows) for name, rows in files]

    result = validate_actions(raws, CATALOG, TODAY)

    assert_every_row_accounted_for(raws, result)


def _csv_bytes(rows: list[dict[str, Any]], delimiter: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow([LABELS[f] for f in FIELD_NAMES])
    for row in rows:
        writer.writerow(["" if row.get(f) is None else str(row.get(f)) for f in FIELD_NAMES])
    return buffer.getvalue().encode("utf-8-sig")


@SETTINGS
@given(st.lists(ROW, max_size=6), st.sampled_from([",", ";"]))
def test_any_csv_reads_and_validates(rows: list[dict[str, Any]], delimiter: str) -> None:
    raw = read_member_bytes("IDN.csv", _csv_bytes(rows, delimiter))

    result = validate_actions([raw], CATALOG, TODAY)

    assert_every_row_accounted_for([raw], result)


YAML_CELL = st.one_of(
    st.none(),
    TEXT,
    st.integers(),
    st.floats(),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.lists(st.one_of(TEXT, st.integers()), max_size=3),
    st.dictionaries(TEXT, TEXT, max_size=2),
)
YAML_ROW = st.dictionaries(
    st.one_of(st.sampled_from([*FIELD_NAMES, *LABELS.values()]), TEXT),
    st.one_of(YAML_CELL, *(st.sampled_from(v) for v in PLAUSIBLE.values())),
    max_size=8,
)


@SETTINGS
@given(st.one_of(st.none(), st.sampled_from(["IDN", "THA", "idn"]), TEXT), st.lists(YAML_ROW, max_size=5))
def test_any_yaml_reads_and_validates(member: Any, actions: list[dict[str, Any]]) -> None:
    text = yaml.safe_dump({"member": member, "actions": actions}, allow_unicode=True, sort_keys=False)

    raw = read_member_bytes("IDN.yaml", text.encode("utf-8"))
    result = validate_actions([raw], CATALOG, TODAY)

    assert_every_row_accounted_for([raw], result)
    if raw.issues == [] and raw.declared_member in (None, "IDN", "idn"):
        assert len(raw.rows) == len(actions)  # nothing silently dropped


SUFFIXES = sorted({*READABLE_SUFFIXES, *REFUSED_SUFFIXES, ".txt", ""})
MAGIC = st.sampled_from([b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"member: IDN\n", b"Member,Status\n"])


@SETTINGS
@given(st.sampled_from(SUFFIXES), MAGIC, st.binary(max_size=2000))
def test_random_bytes_never_raise(suffix: str, magic: bytes, data: bytes) -> None:
    raw = read_member_bytes(f"IDN{suffix}", magic + data)

    assert isinstance(raw, RawFile)
    assert_every_row_accounted_for([raw], validate_actions([raw], CATALOG, TODAY))


# .xls is left out: calamine can abort the process on a damaged .xls (see test_tables).
WORKBOOK_SOURCES = sorted(
    (f"{p.parent.name}/{p.name}", p.suffix) for p in VALID_DIR.glob("*/IDN.*") if p.suffix != ".xls"
)


@SETTINGS
@given(
    st.sampled_from(WORKBOOK_SOURCES),
    st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), min_size=1, max_size=20),
    st.floats(0, 1),
)
def test_damaged_real_files_never_raise(source: tuple[str, str], flips: list[tuple[float, int]], keep: float) -> None:
    data = bytearray((VALID_DIR / source[0]).read_bytes())
    for where, value in flips:
        data[int(where * len(data))] = value
    data = data[: max(1, int(keep * len(data)))]

    raw = read_member_bytes(f"IDN{source[1]}", bytes(data))

    assert isinstance(raw, RawFile)
    assert_every_row_accounted_for([raw], validate_actions([raw], CATALOG, TODAY))
