"""Member ids in file names: the strict form, checked before any path is built."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.members import member_file_path, parse_member_id


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("IDN", "IDN"),
        (" idn\n", "IDN"),
        ("unhcr", "UNHCR"),
        ("Iom", "IOM"),
        ("UNODC", "UNODC"),
        ("ILO", "ILO"),
        ("ID", None),
        ("IDNX", None),
        ("ID1", None),
        ("UNICEF", None),
        ("../IDN", None),
        ("", None),
    ],
)
def test_member_id_has_the_form_of_a_country_code_or_a_member_organisation(text: str, member: str | None) -> None:
    assert parse_member_id(text) == member


def test_member_file_path_is_built_only_from_an_exact_member_id(tmp_path: Path) -> None:
    assert member_file_path(tmp_path, "IDN", ".xlsx") == tmp_path / "IDN.xlsx"
    for bad in ("idn", "../IDN", "IDN/.."):
        with pytest.raises(ValueError, match="is not a member id"):
            member_file_path(tmp_path, bad, ".xlsx")
