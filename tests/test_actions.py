"""Row rules of the member action contract (``loaders.actions.validate_actions``).

First the walk over ``tests/data/invalid/``: each directory holds one problem and
``expected.yaml`` states the exact ``(row, field, code)`` issues it must give.
Then the rules that accept input in more than one form (status labels, date
forms, separators, YAML lists, numbers in text cells) and the shape of the result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from loaders.actions import ACTION_COLUMNS, ActionSet, validate_actions
from loaders.catalog import Catalog
from loaders.dataset import Dataset, build_dataset
from loaders.fields import FIELD_NAMES, LABELS
from loaders.issues import Issue
from loaders.tables import RawFile, read_member_file
from tests.make_expected_messages import EXPECTED_MESSAGES, fixture_messages
from tests.make_fixtures import INVALID_DIR, PROBLEMS, TODAY, valid_row

Check = Callable[..., Dataset]
MemberFile = Callable[..., Path]
Triple = tuple[int | None, str | None, str]

EXPECTED: dict[str, list[list[Any]]] = yaml.safe_load((INVALID_DIR / "expected.yaml").read_text(encoding="utf-8"))
PROBLEM_DIRS = sorted(p.name for p in INVALID_DIR.iterdir() if p.is_dir())
KEBAB = re.compile(r"^[a-z]+(?:-[a-z]+)*$")


def _files(directory: Path) -> list[Path]:
    # Every file, whatever its suffix (a directory scan would skip IDN.json), in name order.
    return sorted(p for p in directory.iterdir() if p.is_file())


def _triples(issues: list[Issue]) -> list[Triple]:
    return sorted(((i.row, i.field, i.code) for i in issues), key=repr)


def _rows_frame(rows: list[dict[str, Any]], first_row: int = 2) -> pd.DataFrame:
    records = [
        {**{f: r.get(f) for f in FIELD_NAMES}, "_row": first_row + n, "_extra": None} for n, r in enumerate(rows)
    ]
    return pd.DataFrame.from_records(records, columns=[*FIELD_NAMES, "_row", "_extra"]).astype(object)


def raw_file(rows: list[dict[str, Any]], name: str = "IDN.xlsx", member: str = "IDN") -> RawFile:
    """A file as the reader returns it, without a file on disk."""
    return RawFile(file=name, member=member, sheet="Actions", rows=_rows_frame(rows))


def validate(catalog: Catalog, *files: RawFile) -> ActionSet:
    return validate_actions(list(files), catalog, TODAY)


# --- the invalid fixtures --------------------------------------------------------------------


def test_manifest_lists_every_problem_directory() -> None:
    assert sorted(EXPECTED) == PROBLEM_DIRS
    assert list(EXPECTED) == list(PROBLEMS)  # expected.yaml is current with make_fixtures.py
    assert all(_files(INVALID_DIR / name) for name in PROBLEM_DIRS), "a problem directory is empty"


@pytest.mark.parametrize("problem", PROBLEM_DIRS)
def test_invalid_fixture_gives_exactly_its_issues(problem: str, check: Check) -> None:
    dataset = check(*_files(INVALID_DIR / problem))

    expected = sorted((tuple(t) for t in EXPECTED[problem]), key=repr)
    assert _triples(dataset.issues) == expected


@pytest.mark.parametrize("problem", PROBLEM_DIRS)
def test_invalid_fixture_messages_say_where(problem: str, check: Check) -> None:
    dataset = check(*_files(INVALID_DIR / problem))

    assert dataset.issues
    for issue in dataset.issues:
        assert issue.message.startswith(issue.file), issue.message
        if issue.sheet:
            assert f"sheet {issue.sheet}" in issue.message, issue.message
        if issue.row is not None:
            unit = "line" if issue.file.endswith((".yaml", ".yml")) else "row"
            assert f"{unit} {issue.row}" in issue.message, issue.message
        if issue.field is not None:
            # The column as the user sees it: its label in a sheet, its key in YAML.
            named = LABELS[issue.field].casefold() in issue.message.casefold() or issue.field in issue.message
            assert named, issue.message
        assert issue.severity == ("warning" if issue.code == "unknown-column" else "error")


def test_invalid_fixture_messages_are_the_reviewed_wording() -> None:
    # Messages are part of the product (where, what, how to fix): any change of wording must show in review as
    # a change of expected-messages.yaml (regenerate it with tests/make_expected_messages.py).
    expected = yaml.safe_load(EXPECTED_MESSAGES.read_text(encoding="utf-8"))

    assert fixture_messages() == expected


def test_rows_with_errors_are_left_out_and_the_rest_kept(check: Check) -> None:
    dataset = check(INVALID_DIR / "bad-date-text" / "IDN.xlsx")

    assert dataset.actions["source_row"].tolist() == [2]  # the valid row 2; rows 3-6 have bad dates


def test_unknown_column_row_is_kept_with_its_extra_value(check: Check) -> None:
    dataset = check(INVALID_DIR / "unknown-column" / "IDN.xlsx")

    assert dataset.actions["source_row"].tolist() == [2, 3]
    assert [None if pd.isna(e) else json.loads(e) for e in dataset.actions["extra"]] == [
        None,
        {"Focal point": "Dewi Lestari"},
    ]


def test_duplicate_across_files_is_reported_on_the_later_file(check: Check) -> None:
    dataset = check(*_files(INVALID_DIR / "duplicate-action-id-across-files"))

    (issue,) = dataset.issues
    assert issue.file == "IDN.yaml"
    assert "IDN.xlsx, sheet Actions, row 2" in issue.message  # where the id is already used
    assert dataset.actions["source_file"].tolist() == ["IDN.xlsx"]


def test_yaml_member_mismatch_checks_no_rows(check: Check) -> None:
    dataset = check(INVALID_DIR / "yaml-member-mismatch" / "IDN.yaml")

    assert dataset.actions.empty
    assert "member: THA" in dataset.issues[0].message


def test_unknown_status_message_lists_the_scale(check: Check) -> None:
    (issue,) = check(INVALID_DIR / "unknown-status" / "IDN.xlsx").issues

    assert issue.message.startswith("IDN.xlsx, sheet Actions, row 3, Status: ")
    assert '"Almost done"' in issue.message
    assert "Not started, Limited, Substantial, Complete, Discontinued" in issue.message


# --- values accepted in several forms --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("complete", "complete"),
        ("Complete", "complete"),
        ("  COMPLETE ", "complete"),
        ("not_started", "not_started"),
        ("Not started", "not_started"),
        ("NOT STARTED", "not_started"),
        (" not started", "not_started"),
        ("Limited", "limited"),
        ("substantial ", "substantial"),
        ("Discontinued", "discontinued"),
    ],
)
def test_status_is_an_id_or_label_in_any_case(text: str, status: str, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(status=text, evidence="https://example.org/r")]))

    assert result.issues == []
    assert result.actions["status"].tolist() == [status]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(dt.date(2024, 3, 1), "2024-03-01", id="date-cell"),
        pytest.param(dt.datetime(2024, 3, 1, 15, 30), "2024-03-01", id="datetime-cell"),
        pytest.param(pd.Timestamp("2024-03-01"), "2024-03-01", id="timestamp"),
        pytest.param("2024-03-01", "2024-03-01", id="iso-is-1-march"),
        pytest.param(" 2024-03-01 ", "2024-03-01", id="iso-spaces"),
        pytest.param("01/03/2024", "2024-03-01", id="dmy-is-1-march"),
        pytest.param("01/02/2024", "2024-02-01", id="dmy-is-1-february"),
        pytest.param("31/12/2023", "2023-12-31", id="dmy-day-31"),
        pytest.param("29/02/2024", "2024-02-29", id="leap-day"),
    ],
)
def test_the_three_date_forms(value: object, expected: str, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(start_date=value, last_updated=value)]))

    assert result.issues == []
    assert result.actions.loc[0, "start_date"] == pd.Timestamp(expected)
    assert result.actions.loc[0, "last_updated"] == pd.Timestamp(expected)


@pytest.mark.parametrize(
    "value",
    [
        "March 2024",
        "2024/03/01",
        "31-03-2024",
        "03/31/2024",
        "2024-03-01 10:00",
        "1 March 2024",
        "20240301",
        "2023-02-30",
        "29/02/2023",
        45352,
        45352.0,
        True,
        dt.time(10, 30),
    ],
)
def test_anything_else_is_a_bad_date_never_a_guess(value: object, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(due_date=value)]))

    assert _triples(result.issues) == [(2, "due_date", "bad-date")]
    assert result.actions.empty


def test_excel_date_cells_and_text_dates_read_from_a_workbook(member_file: MemberFile, check: Check) -> None:
    rows = [
        valid_row(start_date=dt.date(2024, 3, 1), due_date="2024-03-01", last_updated="01/03/2024"),
        valid_row(start_date=dt.datetime(2024, 2, 1, 9, 0), due_date="01/02/2024", last_updated="2024-02-01"),
    ]
    dataset = check(member_file("IDN.xlsx", rows))

    assert dataset.issues == []
    for field in ("start_date", "due_date", "last_updated"):
        assert dataset.actions[field].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-02-01")], field


def test_last_updated_today_and_due_on_the_start_day_are_fine(catalog: Catalog) -> None:
    row = valid_row(last_updated=TODAY, start_date="2024-05-01", due_date="01/05/2024")

    assert validate(catalog, raw_file([row])).issues == []


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("ASC-1; BWP-B.3", ["ASC-1", "BWP-B.3"]),
        ("ASC-1,BWP-B.3", ["ASC-1", "BWP-B.3"]),
        ("ASC-1 ,  BWP-B.3;", ["ASC-1", "BWP-B.3"]),
        ("asc-6.2; asc-cm", ["ASC-6.2", "ASC-CM"]),
        (["ASC-1", "BWP-B.3"], ["ASC-1", "BWP-B.3"]),
        (["ASC-1; ASC-2", "BWP-D"], ["ASC-1", "ASC-2", "BWP-D"]),
        ("ASC-1; ASC-1", ["ASC-1"]),
    ],
)
def test_commitment_ids_separated_by_semicolon_or_comma(text: object, links: list[str], catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(commitments=text)]))

    assert result.issues == []
    assert result.action_commitments["commitment_id"].tolist() == links


@pytest.mark.parametrize(
    ("text", "links"),
    [("ACTIP; SOMTC-WG-TIP", ["ACTIP", "SOMTC-WG-TIP"]), ("actip,acwc", ["ACTIP", "ACWC"]), (["SOMTC"], ["SOMTC"])],
)
def test_mechanism_ids_separated_by_semicolon_or_comma(text: object, links: list[str], catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(asean_mechanisms=text)]))

    assert result.issues == []
    assert result.action_mechanisms["mechanism_id"].tolist() == links


def test_yaml_lists_and_separated_strings_give_the_same_links(member_file: MemberFile, check: Check) -> None:
    actions = [
        valid_row(action_id="IDN-001", commitments=["ASC-1", "BWP-B.3"], asean_mechanisms=["ACTIP", "SOMTC"]),
        valid_row(action_id="IDN-002", commitments="ASC-1; BWP-B.3", asean_mechanisms="ACTIP, SOMTC"),
    ]
    dataset = check(member_file("IDN.yaml", actions))

    assert dataset.issues == []
    links = dataset.action_commitments.groupby("action_key")["commitment_id"].apply(list).to_dict()
    assert links == {"IDN-001": ["ASC-1", "BWP-B.3"], "IDN-002": ["ASC-1", "BWP-B.3"]}
    mechanisms = dataset.action_mechanisms.groupby("action_key")["mechanism_id"].apply(list).to_dict()
    assert mechanisms == {"IDN-001": ["ACTIP", "SOMTC"], "IDN-002": ["ACTIP", "SOMTC"]}
    assert dataset.actions["source_row"].tolist() == [3, 10]  # YAML lines: each action has 7 keys


def test_yaml_dates_and_booleans_are_typed_values(member_file: MemberFile, check: Check) -> None:
    path = member_file("IDN.yaml", [])
    path.write_text(
        "member: IDN\nactions:\n  - commitments: ASC-1\n    title: t\n    status: limited\n"
        "    start_date: 2024-02-01\n    last_updated: 2024-03-01T10:00:00Z\n    confidential: yes\n",
        encoding="utf-8",
    )

    dataset = check(path)

    assert dataset.issues == []
    row = dataset.actions.iloc[0]
    assert (row["start_date"], row["last_updated"]) == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-03-01"))
    assert bool(row["confidential"]) is True


def test_yaml_date_in_a_text_field_and_a_missing_one(member_file: MemberFile, check: Check) -> None:
    # pandas makes a column of YAML dates and blanks datetime64 (blanks become NaT): NaT is no text.
    path = member_file("IDN.yaml", [valid_row(title=dt.datetime(2024, 3, 1, 10, 30)), valid_row(title=None)])

    dataset = check(path)

    assert _triples(dataset.issues) == [(8, "title", "missing-value")]
    assert dataset.actions["title"].tolist() == ["2024-03-01 10:30:00"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(2024, "2024"), (2024.0, "2024"), (12.5, "12.5"), (1e20, "100000000000000000000"), (-3, "-3")],
)
def test_numbers_typed_in_text_cells_stay_as_typed(value: float, text: str, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(title=value, lead_agency=value, notes=value)]))

    assert result.actions.loc[0, ["title", "lead_agency", "notes"]].tolist() == [text] * 3


def test_integral_title_from_a_workbook_is_not_a_float(member_file: MemberFile, check: Check) -> None:
    dataset = check(member_file("IDN.xlsx", [valid_row(title=2024, lead_agency=7.0)]))

    assert dataset.actions.loc[0, ["title", "lead_agency"]].tolist() == ["2024", "7"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("yes", True),
        ("Yes", True),
        (" Y ", True),
        ("TRUE", True),
        (True, True),
        (1, True),
        (1.0, True),
        ("1", True),
        ("no", False),
        ("N", False),
        (False, False),
        (0, False),
        ("false", False),
        (None, False),
    ],
)
def test_confidential_yes_no_forms(value: object, expected: bool, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(confidential=value)]))

    assert result.issues == []
    assert result.actions["confidential"].tolist() == [expected]


@pytest.mark.parametrize("value", ["maybe", "2", 2, 0.5, "si"])
def test_confidential_other_values_are_errors(value: object, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(confidential=value)]))

    assert _triples(result.issues) == [(2, "confidential", "bad-confidential")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("new", "new"), ("NEW", "new"), ("Pre-existing", "pre-existing"), ("pre existing", "pre-existing")],
)
def test_origin_forms(value: str, expected: str, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(origin=value)]))

    assert result.issues == []
    assert result.actions["origin"].tolist() == [expected]


@pytest.mark.parametrize(
    "evidence", ["https://example.org/report.pdf", "http://example.org", "HTTPS://EXAMPLE.ORG/A", "Decree 12/2024"]
)
def test_complete_with_a_url_or_a_document_reference(evidence: str, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(status="Complete", evidence=evidence)]))

    assert result.issues == []
    assert result.actions["evidence"].tolist() == [evidence]


@pytest.mark.parametrize("status", ["Not started", "Limited", "Substantial", "Discontinued"])
def test_only_complete_needs_evidence(status: str, catalog: Catalog) -> None:
    assert validate(catalog, raw_file([valid_row(status=status)])).issues == []


def test_title_of_200_characters_is_fine_and_201_is_not(catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(title="é" * 200), valid_row(title="é" * 201)]))

    assert _triples(result.issues) == [(3, "title", "title-too-long")]
    assert "201 characters" in result.issues[0].message


def test_member_id_in_rows_is_case_insensitive_and_may_be_blank_in_yaml(catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(member="idn"), valid_row(member=" IDN ")]))

    assert result.issues == []
    assert result.actions["member"].tolist() == ["IDN", "IDN"]


def test_member_of_another_country_names_the_file_member(catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(member="THA")]))

    assert _triples(result.issues) == [(2, "member", "member-mismatch")]
    assert '"THA"' in result.issues[0].message
    assert "(IDN)" in result.issues[0].message


# --- action ids ------------------------------------------------------------------------------


def test_action_ids_are_upper_cased_and_blank_ids_get_a_file_row_key(catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(action_id="idn-014"), valid_row()]))

    assert result.issues == []
    assert result.actions["action_id"].tolist()[0] == "IDN-014"
    assert pd.isna(result.actions["action_id"].tolist()[1])
    assert result.actions["action_key"].tolist() == ["IDN-014", "IDN.xlsx#3"]


def test_first_of_duplicate_ids_is_kept(catalog: Catalog) -> None:
    result = validate(
        catalog, raw_file([valid_row(action_id="IDN-001", title="first"), valid_row(action_id="IDN-001")])
    )

    assert _triples(result.issues) == [(3, "action_id", "duplicate-action-id")]
    assert "IDN.xlsx, sheet Actions, row 2" in result.issues[0].message
    assert result.actions["title"].tolist() == ["first"]


def test_an_id_refused_in_another_file_does_not_make_the_owners_row_a_duplicate(catalog: Catalog) -> None:
    # THA's file wrongly uses IDN's id first; IDN's own row with that id is still valid.
    tha = raw_file([valid_row(member="THA", action_id="IDN-001")], name="THA.xlsx", member="THA")
    idn = raw_file([valid_row(action_id="IDN-001")])

    result = validate(catalog, tha, idn)

    assert [(i.file, i.row, i.code) for i in result.issues] == [("THA.xlsx", 2, "bad-action-id")]
    assert result.actions["source_file"].tolist() == ["IDN.xlsx"]


@pytest.mark.parametrize("action_id", ["THA-001", "IDN-01A", "IDN001", "14", "IDN-", "UNHCR-1"])
def test_action_id_must_be_this_members(action_id: str, catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(action_id=action_id)]))

    assert _triples(result.issues) == [(2, "action_id", "bad-action-id")]


def test_organisation_action_ids(catalog: Catalog) -> None:
    row = valid_row(member="UNHCR", action_id="UNHCR-7")

    assert validate(catalog, raw_file([row], name="UNHCR.yaml", member="UNHCR")).issues == []


# --- the result ------------------------------------------------------------------------------


def test_a_file_without_any_mechanisms_or_optional_values_validates(member_file: MemberFile, check: Check) -> None:
    # Every optional column entirely blank: the id-list splitting must cope with no values at all.
    path = member_file("IDN.xlsx", [valid_row(), valid_row(title="second")])

    dataset = check(path)

    assert dataset.issues == []
    assert len(dataset.actions) == 2
    assert dataset.action_mechanisms.empty


def test_result_frames_and_links(catalog: Catalog) -> None:
    rows = [
        valid_row(action_id="IDN-001", commitments="ASC-6.2; BWP-B.3", asean_mechanisms="ACTIP"),
        valid_row(action_id="IDN-002", status="Almost done"),
    ]

    result = validate(catalog, raw_file(rows))

    assert list(result.actions.columns) == list(ACTION_COLUMNS)
    assert result.actions["action_key"].tolist() == ["IDN-001"]
    expected_links = pd.DataFrame(
        {
            "action_key": ["IDN-001", "IDN-001"],
            "commitment_id": ["ASC-6.2", "BWP-B.3"],
            "framework": ["ASC", "BWP"],
            "top_level": ["ASC-6", "BWP-B"],
        }
    ).astype("str")
    pd.testing.assert_frame_equal(result.action_commitments, expected_links)
    expected_mechanisms = pd.DataFrame({"action_key": ["IDN-001"], "mechanism_id": ["ACTIP"]}).astype("str")
    pd.testing.assert_frame_equal(result.action_mechanisms, expected_mechanisms)
    assert str(result.actions["start_date"].dtype) == "datetime64[us]"
    assert str(result.actions["source_row"].dtype) == "Int64"


def test_nothing_to_validate_gives_empty_typed_frames(catalog: Catalog) -> None:
    result = validate(catalog)

    assert result.issues == []
    assert list(result.actions.columns) == list(ACTION_COLUMNS)
    assert result.actions.empty and result.action_commitments.empty and result.action_mechanisms.empty


def test_reading_issues_are_carried_into_the_result(catalog: Catalog) -> None:
    raw = read_member_file(INVALID_DIR / "duplicate-column" / "IDN.xlsx")

    result = validate(catalog, raw)

    assert [i.code for i in result.issues] == ["duplicate-column"]
    assert len(result.actions) == 2  # the rows themselves are fine and still checked


def test_dataset_file_table_counts(check: Check) -> None:
    dataset = check(INVALID_DIR / "bad-date-text" / "IDN.xlsx")

    row = dataset.files.set_index("file").loc["IDN.xlsx"]
    assert (row["rows"], row["actions"], row["errors"], row["warnings"]) == (5, 1, 4, 0)


def test_build_dataset_defaults_today_to_the_real_date(catalog: Catalog) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    dataset = build_dataset(catalog, [raw_file([valid_row(last_updated=tomorrow)])])

    assert [i.code for i in dataset.issues] == ["future-date"]


def test_a_bad_value_is_quoted_in_its_message_up_to_80_characters(catalog: Catalog) -> None:
    bad_date, bad_flag = "not a date " * 10, "probably " * 10  # 110 and 90 characters
    result = validate(catalog, raw_file([valid_row(due_date=bad_date, confidential=bad_flag)]))

    messages = {issue.field: issue.message for issue in result.issues}
    where = "IDN.xlsx, sheet Actions, row 2"
    assert messages["due_date"].startswith(f'{where}, Due date: "{bad_date[:80]}" is not a date;')
    assert messages["confidential"].startswith(f'{where}, Confidential: "{bad_flag[:80]}" is not yes or no;')


def test_no_rows_give_tables_of_the_same_columns_and_types_as_some_rows(catalog: Catalog) -> None:
    """Pages concatenate and filter these tables: an empty file must not change a column's type."""
    some = validate(catalog, raw_file([valid_row(asean_mechanisms="ACTIP")]))
    none = validate(catalog, raw_file([]))

    assert len(some.actions) == len(some.action_commitments) == len(some.action_mechanisms) == 1
    for table in ("actions", "action_commitments", "action_mechanisms"):
        full, empty = getattr(some, table), getattr(none, table)
        assert empty.empty and dict(empty.dtypes) == dict(full.dtypes), table
    assert list(none.action_mechanisms.columns) == ["action_key", "mechanism_id"]
    assert list(none.action_commitments.columns) == ["action_key", "commitment_id", "framework", "top_level"]


# --- exact behaviour the mutation run found untested (docs/mutation-testing.md) ------------------------------


def test_rows_of_a_file_with_no_member_are_never_checked(catalog: Catalog) -> None:
    nameless = RawFile(file="notes.xlsx", member=None, sheet="Actions", rows=_rows_frame([valid_row()]))

    result = validate(catalog, nameless)

    assert result.issues == [] and result.actions.empty  # its reading issue (the file name) says why


def test_an_empty_file_with_only_warnings_still_gets_its_member_checked(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "IDN.yaml"
    path.write_text("public_record: yes\nmember: THA\nactions: []\n", encoding="utf-8")

    result = validate(catalog, read_member_file(path))

    assert [(i.severity, i.code) for i in result.issues] == [
        ("warning", "public-record-date"),
        ("error", "member-mismatch"),
    ]


def test_text_fields_read_booleans_as_yes_or_no_and_times_only_when_set(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "IDN.yaml"
    rows = [
        "  - {member: IDN, commitments: ASC-1, status: limited, last_updated: 2024-03-01, title: true, notes: false}",
        "  - {member: IDN, commitments: ASC-1, status: limited, last_updated: 2024-03-01, title: 2024-03-01 00:00:00}",
        "  - {member: IDN, commitments: ASC-1, status: limited, last_updated: 2024-03-01, title: 2024-03-01 10:30:00}",
    ]
    path.write_text("member: IDN\nactions:\n" + "\n".join(rows) + "\n", encoding="utf-8")

    actions = validate(catalog, read_member_file(path)).actions

    assert actions["title"].tolist() == ["yes", "2024-03-01", "2024-03-01 10:30:00"]
    assert actions["notes"].tolist()[0] == "no"


def test_an_illustrative_file_marks_its_actions_and_a_real_one_does_not(catalog: Catalog) -> None:
    sample = RawFile("IDN.yaml", "IDN", None, _rows_frame([valid_row()]), illustrative=True)
    real = RawFile("THA.yaml", "THA", None, _rows_frame([valid_row(member="THA")]))

    actions = validate(catalog, sample, real).actions

    assert dict(zip(actions["member"], actions["illustrative"], strict=True)) == {"IDN": True, "THA": False}


def test_files_validated_together_keep_each_row_with_its_own_values(catalog: Catalog) -> None:
    idn = raw_file([valid_row(commitments="ASC-1"), valid_row(commitments="BWP-A; ASC-2", title="Second")])
    tha = raw_file([valid_row(member="THA", commitments="ASC-3", asean_mechanisms="SOMTC")], "THA.xlsx", "THA")

    result = validate(catalog, idn, tha)

    actions = result.actions
    assert actions[["member", "commitments", "asean_mechanisms", "source_row"]].fillna("-").astype(
        str
    ).values.tolist() == [
        ["IDN", "ASC-1", "-", "2"],
        ["IDN", "BWP-A; ASC-2", "-", "3"],
        ["THA", "ASC-3", "SOMTC", "2"],
    ]
    links = result.action_commitments
    assert sorted(zip(links["action_key"], links["commitment_id"], strict=True)) == [
        ("IDN.xlsx#2", "ASC-1"),
        ("IDN.xlsx#3", "ASC-2"),
        ("IDN.xlsx#3", "BWP-A"),
        ("THA.xlsx#2", "ASC-3"),
    ]


def test_every_unknown_id_of_a_row_is_named_once_in_one_message(catalog: Catalog) -> None:
    result = validate(catalog, raw_file([valid_row(commitments="ASC-99; ASC-1; asc-98, ASC-99")]))

    assert [(i.sheet, i.row, i.field, i.message) for i in result.issues] == [
        (
            "Actions",
            2,
            "commitments",
            'IDN.xlsx, sheet Actions, row 2, Commitment IDs: "ASC-99, ASC-98" is not in the catalog; use ids such as '
            "ASC-1 … ASC-8, ASC-6.2, ASC-CM, BWP-A … BWP-D or BWP-B.3 (see the Commitments sheet of the template)",
        )
    ]


def test_evidence_required_by_several_statuses_names_them_all(catalog: Catalog) -> None:
    scale = catalog.scale.model_copy(update={"requires_evidence": ["substantial", "complete"]})
    strict = dataclasses.replace(catalog, scale=scale)

    result = validate_actions([raw_file([valid_row(status="substantial")])], strict, TODAY)

    assert [i.message for i in result.issues] == [
        "IDN.xlsx, sheet Actions, row 2, Evidence: an action reported as Substantial, Complete needs evidence; add a "
        "web address (https://…) or a document reference"
    ]


def test_a_refused_file_of_an_unknown_member_says_only_why_it_was_refused(catalog: Catalog, tmp_path: Path) -> None:
    path = tmp_path / "ZZZ.xlsm"
    path.write_bytes(b"PK\x03\x04")

    result = validate(catalog, read_member_file(path))

    assert [i.code for i in result.issues] == ["macro-workbook-refused"]  # not also "unknown-member"
