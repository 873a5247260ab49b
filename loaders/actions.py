"""Validate member action rows against the contract and the catalog.

All rows of all files are checked together, column by column (vectorised), so
that a data directory of 200,000 actions validates in one pass and duplicate
action ids are caught across files. Each rule yields issues with the file,
sheet, Excel row (or YAML line) and canonical field; rows with an error are
left out of the validated frame, rows with only warnings are kept. Each issue
is also marked with who may read it (see ``loaders/disclosure.py``): issues on
a confidential row, or naming one, are for reviewers only.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from loaders.catalog import Catalog
from loaders.catalog_schema import Status
from loaders.disclosure import Place, mark
from loaders.fields import DATE_FIELDS, FIELD_NAMES, LABELS, TITLE_MAX, fold
from loaders.grouping import join_groups
from loaders.issues import Issue, Text, error, place_text, say
from loaders.tables import RawFile

_SPLIT = r"\s*[;,]\s*"
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_LOOKS_LIKE_URL = re.compile(r"^(https?:|https?//|www\.)", re.IGNORECASE)
_ORIGINS = {"new": "new", "preexisting": "pre-existing", "existing": "pre-existing"}
_YES_NO = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}

ACTION_COLUMNS: tuple[str, ...] = (
    "action_key",
    *FIELD_NAMES,
    "extra",
    "illustrative",
    "source_file",
    "source_sheet",
    "source_row",
)


@dataclass(frozen=True)
class ActionSet:
    """Validated actions and their links, plus every issue found in the rows."""

    actions: pd.DataFrame
    action_commitments: pd.DataFrame
    action_mechanisms: pd.DataFrame
    issues: list[Issue]


def validate_actions(files: Sequence[RawFile], catalog: Catalog, today: dt.date) -> ActionSet:
    """Check every row of ``files`` and return the valid actions.

    Args:
        files: raw files from :func:`loaders.tables.read_member_file`.
        catalog: the validated catalog (commitment, mechanism, member ids, scale).
        today: the date "last updated" may not pass.

    Returns:
        An :class:`ActionSet`; file-level issues from reading are included.
    """
    # Issues from reading and from the file gate; marked for disclosure once the rows are known.
    issues: list[Issue] = [i for f in files for i in f.issues]
    frames = []
    for raw in files:
        usable, file_issues = _file_gate(raw, catalog)
        issues.extend(file_issues)
        if usable and not raw.rows.empty:
            frame = raw.rows.copy()
            frame["_file"] = raw.file
            frame["_sheet"] = raw.sheet
            frame["_file_member"] = raw.member
            frame["_illustrative"] = raw.illustrative
            frames.append(frame)
    if not frames:
        issues = mark(issues, data_rows=set(), secret_rows=set())
        return ActionSet(_empty_actions(), _empty_links("commitment_id"), _empty_links("mechanism_id"), issues)

    rows = pd.concat(frames, ignore_index=True)
    checker = _RowChecker(rows, catalog, today)
    checker.run()
    data_rows, secret_rows = checker.rows_at({(i.file, i.row) for i in issues if i.row is not None})
    issues = mark(issues, data_rows=data_rows, secret_rows=secret_rows)
    issues.extend(checker.issues)  # marked as they were reported
    return checker.result(issues)


def _file_gate(raw: RawFile, catalog: Catalog) -> tuple[bool, list[Issue]]:
    """File-level checks that decide whether the rows are checked at all."""
    if raw.member is None or (raw.rows.empty and any(i.severity == "error" for i in raw.issues)):
        return False, []  # the file could not be read; its reading issue says why
    if raw.member not in catalog.members:
        return False, [
            error(
                "unknown-member",
                raw.file,
                f"{raw.file}: '{raw.member}' is not a Bali Process member id in the catalog; name the file after "
                "your member id (e.g. IDN.xlsx, IOM.yaml)",
                field="member",
            )
        ]
    if raw.declared_member is not None and raw.declared_member.upper() != raw.member:
        return False, [
            error(
                "member-mismatch",
                raw.file,
                f"{raw.file}, line {raw.declared_member_line}: 'member: {raw.declared_member}' does not match the "
                f"file name ({raw.member}); a file holds one member's actions, so fix 'member:' or rename the file",
                row=raw.declared_member_line,
                field="member",
            )
        ]
    return True, []


class _RowChecker:
    """Applies each contract rule to all rows at once and collects issues."""

    def __init__(self, rows: pd.DataFrame, catalog: Catalog, today: dt.date) -> None:
        self.rows = rows
        self.catalog = catalog
        self.today = pd.Timestamp(today)
        self.issues: list[Issue] = []
        self.bad = np.zeros(len(rows), dtype=bool)
        self.text = {f: _as_text(rows[f]) for f in FIELD_NAMES if f not in DATE_FIELDS}
        self.values: dict[str, pd.Series] = {}
        # Rows that are, or may be, confidential: Confidential says yes, or something that is neither yes nor
        # no (cautious: an unreadable cell must not make a confidential row's issues public).
        confidential = self.text["confidential"]
        self.secret = (confidential.notna() & ~_folded(confidential).map(_YES_NO).eq(False)).to_numpy(dtype=bool)

    # -- reporting ---------------------------------------------------------------------------

    def report(
        self,
        mask: pd.Series,
        code: str,
        field: str,
        message: Callable[[int], Text],
        *,
        names: Callable[[int], int] | None = None,
    ) -> None:
        """Add one error per masked row; ``message(i)`` explains row position ``i`` (a :class:`Text`, so the
        message can be said in every language: "IDN.xlsx, sheet Actions, row 14, Status: …").

        ``names(i)`` is the position of another row the message names (its place, its id): the
        issue is confidential when either row is.
        """
        positions = np.flatnonzero(mask.to_numpy(dtype=bool, na_value=False))
        if positions.size == 0:
            return
        self.bad[positions] = True
        files, sheets, lines = self.rows["_file"], self.rows["_sheet"], self.rows["_row"]
        for i in positions.tolist():
            file, sheet, row = files.iat[i], sheets.iat[i], _int_or_none(lines.iat[i])
            said = say(
                "{where}, {column}: {detail}",
                where=place_text(file, sheet, row),
                column=Text(LABELS[field]),
                detail=message(i),
            )
            hidden = self.secret[i] or (names is not None and self.secret[names(i)])
            self.issues.append(
                Issue(
                    "error",
                    code,
                    file,
                    sheet,
                    row,
                    field,
                    said.render(),
                    disclosure="confidential" if hidden else "public",
                    said=said,
                )
            )

    def rows_at(self, wanted: set[Place]) -> tuple[set[Place], set[Place]]:
        """Which of the ``wanted`` places (file, row) hold a data row, and which of those rows are (or may be)
        confidential: what :func:`loaders.disclosure.mark` needs to mark the issues raised while reading.

        Only the rows of the files named in ``wanted`` are looked at: those issues are few, the rows many
        (listing the place of all 200,000 rows at 100x cost a second of every load).
        """
        if not wanted:
            return set(), set()
        in_files = self.rows["_file"].isin({file for file, _ in wanted}).to_numpy(dtype=bool)
        positions = np.flatnonzero(in_files).tolist()
        files, lines = self.rows["_file"].to_numpy()[positions], self.rows["_row"].to_numpy()[positions]
        data_rows, secret_rows = set(), set()
        for i, file, line in zip(positions, files, lines, strict=True):
            place = (file, _int_or_none(line))
            if place in wanted:
                data_rows.add(place)
                if self.secret[i]:
                    secret_rows.add(place)
        return data_rows, secret_rows

    def missing(self, field: str, hint: Text) -> pd.Series:
        """Report required values that are blank; returns the "present" mask."""
        present = self.text[field].notna()
        self.report(~present, "missing-value", field, lambda i: say("a value is required; {hint}", hint=hint))
        return present

    # -- rules -------------------------------------------------------------------------------

    def run(self) -> None:
        self.check_member()
        self.check_commitments()
        self.check_title()
        self.check_status()
        self.check_dates()
        self.check_mechanisms()
        self.check_evidence()
        self.check_origin()
        self.check_confidential()
        self.check_action_id()

    def check_member(self) -> None:
        member = self.text["member"]
        present = self.missing("member", say("enter your member id, e.g. IDN"))
        upper = member.str.upper()
        known = upper.isin(list(self.catalog.members))
        self.report(
            present & ~known,
            "unknown-member",
            "member",
            lambda i: say(
                '"{value}" is not a member id; use the id in the file name ({member})',
                value=member.iat[i],
                member=self.rows["_file_member"].iat[i],
            ),
        )
        file_member = self.rows["_file_member"]
        self.report(
            present & known & (upper != file_member),
            "member-mismatch",
            "member",
            lambda i: say(
                "\"{value}\" is not this file's member ({member}); a file holds one member's actions, so move this "
                "row to that member's file or correct the id",
                value=member.iat[i],
                member=file_member.iat[i],
            ),
        )
        self.values["member"] = file_member.astype("str")

    def _id_list(self, field: str, known: set[str]) -> tuple[pd.Series, pd.Series]:
        """Split a separated id list; returns (long frame of ids per row, unknown ids per row)."""
        parts = self.text[field].str.split(_SPLIT, regex=True).explode()
        # An all-blank column explodes to float NaN, which has no .str accessor.
        parts = parts.dropna().astype("str").str.strip().str.upper()
        parts = parts[parts != ""]
        unknown = parts[~parts.isin(list(known))]
        bad_by_row = unknown.groupby(level=0).agg(lambda s: ", ".join(dict.fromkeys(s)))
        return parts, bad_by_row

    def check_commitments(self) -> None:
        parts, bad = self._id_list("commitments", set(self.catalog.commitments))
        # A cell holding only separators (";", ", ,") names no commitment: an
        # action must link to at least one, so that counts as missing too.
        present = pd.Series(self.rows.index.isin(parts.index), index=self.rows.index)
        self.report(
            ~present,
            "missing-value",
            "commitments",
            lambda i: say("a value is required; enter one or more commitment ids such as ASC-6 or BWP-B.2"),
        )
        mask = pd.Series(False, index=self.rows.index)
        mask.loc[bad.index] = True
        self.report(
            present & mask,
            "unknown-commitment",
            "commitments",
            lambda i: say(
                '"{value}" is not in the catalog; use ids such as ASC-1 … ASC-8, ASC-6.2, ASC-CM, BWP-A … BWP-D or '
                "BWP-B.3 (see the Commitments sheet of the template)",
                value=bad.loc[i],
            ),
        )
        self.values["commitment_links"] = parts

    def check_title(self) -> None:
        title = self.text["title"]
        present = self.missing("title", say("give the action a short title"))
        too_long = present & (title.str.len() > TITLE_MAX)
        self.report(
            too_long,
            "title-too-long",
            "title",
            lambda i: say(
                "the title has {count} characters, more than {limit}; shorten it and move detail to Description",
                count=len(title.iat[i]),
                limit=TITLE_MAX,
            ),
        )

    def check_status(self) -> None:
        status = self.text["status"]
        labels = _labels_in_each_language(list(self.catalog.statuses.values()))
        present = self.missing("status", say("use one of {labels}", labels=labels))
        mapped = _folded(status).map(self.catalog.status_lookup())
        self.report(
            present & mapped.isna(),
            "unknown-status",
            "status",
            lambda i: say('"{value}" is not on the scale; use one of {labels}', value=status.iat[i], labels=labels),
        )
        self.values["status"] = mapped

    def check_dates(self) -> None:
        parsed: dict[str, pd.Series] = {}
        for field in DATE_FIELDS:
            raw = self.rows[field]
            value, bad = _parse_dates(raw)
            self.report(bad, "bad-date", field, _bad_date_message(raw))
            parsed[field] = value
        last = parsed["last_updated"]
        self.report(
            self.rows["last_updated"].isna(),
            "missing-value",
            "last_updated",
            lambda i: say("a value is required; enter the date this row was last checked"),
        )
        self.report(
            last > self.today,
            "future-date",
            "last_updated",
            lambda i: say(
                "{day} is in the future; enter the date the row was actually last checked (today or earlier)",
                day=f"{last.iat[i]:%Y-%m-%d}",
            ),
        )
        start, due = parsed["start_date"], parsed["due_date"]
        self.report(
            due < start,
            "due-before-start",
            "due_date",
            lambda i: say(
                "the due date {due} is before the start date {start}; correct one of them",
                due=f"{due.iat[i]:%Y-%m-%d}",
                start=f"{start.iat[i]:%Y-%m-%d}",
            ),
        )
        self.values.update(parsed)

    def check_mechanisms(self) -> None:
        parts, bad = self._id_list("asean_mechanisms", set(self.catalog.mechanisms))
        mask = pd.Series(False, index=self.rows.index)
        mask.loc[bad.index] = True
        known = ", ".join(sorted(self.catalog.mechanisms))
        self.report(
            mask,
            "unknown-mechanism",
            "asean_mechanisms",
            lambda i: say(
                '"{value}" is not an ASEAN mechanism id in the catalog; use ids such as {known}',
                value=bad.loc[i],
                known=known,
            ),
        )
        self.values["mechanism_links"] = parts

    def check_evidence(self) -> None:
        evidence = self.text["evidence"]
        needs = self.values["status"].isin(self.catalog.scale.requires_evidence)
        labels = _labels_in_each_language([self.catalog.statuses[s] for s in self.catalog.scale.requires_evidence])
        self.report(
            needs & evidence.isna(),
            "evidence-required",
            "evidence",
            lambda i: say(
                "an action reported as {labels} needs evidence; add a web address (https://…) or a document reference",
                labels=labels,
            ),
        )
        broken = evidence.notna() & evidence.str.match(_LOOKS_LIKE_URL) & ~evidence.str.match(_URL)
        self.report(
            broken,
            "bad-evidence",
            "evidence",
            lambda i: say(
                '"{value}" looks like a web address but is not a complete one; write it as https://… (or give a '
                "document reference instead)",
                value=evidence.iat[i],
            ),
        )

    def check_origin(self) -> None:
        origin = self.text["origin"]
        mapped = _folded(origin).map(_ORIGINS)
        self.report(
            origin.notna() & mapped.isna(),
            "bad-origin",
            "origin",
            lambda i: say(
                '"{value}" is not allowed; write new (started under the 2023 frameworks) or pre-existing',
                value=origin.iat[i],
            ),
        )
        self.values["origin"] = mapped

    def check_confidential(self) -> None:
        # Via the text form: YAML/Excel booleans become yes/no and a number cell
        # 1 (read as 1.0) becomes "1", so all the accepted spellings fold alike.
        typed = self.text["confidential"]
        mapped = _folded(typed).map(_YES_NO)
        self.report(
            typed.notna() & mapped.isna(),
            "bad-confidential",
            "confidential",
            lambda i: say('"{value}" is not yes or no; write yes or no (blank means no)', value=_show(typed.iat[i])),
        )
        # eq(True), not fillna(False): when no value maps, the column is float NaN
        # and filling it with a bool is deprecated in pandas (an error in pandas 4).
        self.values["confidential"] = mapped.eq(True)

    def check_action_id(self) -> None:
        action_id = self.text["action_id"].str.upper()
        member = self.rows["_file_member"].astype("str")
        # "<member>-<digits>": str.isdecimal() is exactly regex \d (Unicode category Nd), and a
        # prefix test is far cheaper than compiling a pattern per row.
        pattern_ok = pd.Series(
            [
                a.startswith(f"{m}-") and a[len(m) + 1 :].isdecimal() if isinstance(a, str) else True
                for a, m in zip(action_id, member, strict=True)
            ],
            index=self.rows.index,
        )
        self.report(
            ~pattern_ok,
            "bad-action-id",
            "action_id",
            lambda i: say(
                '"{value}" is not an action id of this member; ids look like {member}-014. Leave it blank for a new '
                "action",
                value=self.text["action_id"].iat[i],
                member=member.iat[i],
            ),
        )
        present = action_id.notna() & pattern_ok
        # Only well-formed ids compete: a row already refused for a bad id must
        # not make the member's own, valid row with that id a duplicate.
        candidates = action_id.where(present)
        duplicated = present & candidates.duplicated(keep="first")
        # Where each id is first used, for the messages only: built when there is a duplicate.
        first = (
            {a: i for i, a in reversed(list(enumerate(candidates))) if isinstance(a, str)} if duplicated.any() else {}
        )
        self.report(
            duplicated,
            "duplicate-action-id",
            "action_id",
            lambda i: say(
                '"{value}" is already used at {where}; each action needs its own id (leave it blank for a new one)',
                value=action_id.iat[i],
                where=self._place(first[action_id.iat[i]]),
            ),
            names=lambda i: first[action_id.iat[i]],
        )
        self.values["action_id"] = action_id

    def _place(self, i: int) -> Text:
        rows = self.rows
        return place_text(rows["_file"].iat[i], rows["_sheet"].iat[i], _int_or_none(rows["_row"].iat[i]))

    # -- result ------------------------------------------------------------------------------

    def result(self, issues: list[Issue]) -> ActionSet:
        rows, v, t = self.rows, self.values, self.text
        keys = v["action_id"].where(v["action_id"].notna(), rows["_file"].astype(str) + "#" + rows["_row"].astype(str))
        frame = pd.DataFrame(
            {
                "action_key": keys,
                "action_id": v["action_id"],
                "member": v["member"],
                "commitments": _joined(v["commitment_links"], rows.index),
                "title": t["title"],
                "description": t["description"],
                "status": v["status"],
                "start_date": v["start_date"],
                "due_date": v["due_date"],
                "last_updated": v["last_updated"],
                "lead_agency": t["lead_agency"],
                "asean_mechanisms": _joined(v["mechanism_links"], rows.index),
                "evidence": t["evidence"],
                "origin": v["origin"],
                "confidential": v["confidential"],
                "notes": t["notes"],
                "extra": rows["_extra"],
                "illustrative": rows["_illustrative"].astype(bool),
                "source_file": rows["_file"],
                "source_sheet": rows["_sheet"],
                "source_row": rows["_row"].map(_int_or_none).astype("Int64"),
            }
        )
        good = ~self.bad
        actions = _typed(frame.loc[good].reset_index(drop=True))
        links = _links(v["commitment_links"], keys, good, "commitment_id")
        links = links.assign(
            framework=links["commitment_id"].map({c.id: c.framework for c in self.catalog.commitments.values()}),
            top_level=links["commitment_id"].map({c: self.catalog.top_level(c) for c in self.catalog.commitments}),
        )
        mechs = _links(v["mechanism_links"], keys, good, "mechanism_id")
        return ActionSet(actions, links.astype("str"), mechs, issues)


# --- helpers ---------------------------------------------------------------------------------


def _as_text(series: pd.Series) -> pd.Series:
    """Cell values as stripped text (str dtype); integral numbers lose their ".0"."""
    # Nearly every cell is already a str: strip it directly and keep _text_value's chain of type
    # checks for the rest (a third of the load time at 100x went to that chain).
    texts = [(v.strip() or None) if type(v) is str else _text_value(v) for v in series.tolist()]
    return pd.Series(texts, index=series.index, name=series.name, dtype="str")


def _folded(text: pd.Series) -> pd.Series:
    """``text.map(fold)`` (missing stays missing), folding each distinct value once.

    Status, origin and yes/no columns hold a handful of distinct spellings in
    200,000 rows, so folding per row was wasted work.
    """
    return text.map({value: fold(value) for value in text.dropna().unique()})


def _text_value(value: Any) -> str | None:
    # NaT appears when pandas infers a datetime column from YAML dates; it is a datetime subclass.
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return "; ".join(str(v).strip() for v in value if v is not None) or None
    text = str(value).strip()
    return text or None


def _parse_dates(raw: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse the three accepted date forms; returns (dates, mask of unparseable values).

    Real dates (Excel date cells, YAML dates) are taken as they are; text is tried
    as YYYY-MM-DD, then DD/MM/YYYY, each strictly. Nothing else is guessed: a
    number, "March 2024" or "2024/03/01" is an error, not a silent misreading.
    """
    is_date = raw.map(lambda v: isinstance(v, (dt.date, pd.Timestamp)))
    is_text = raw.map(lambda v: isinstance(v, str))
    out = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    if is_date.any():
        out.loc[is_date] = pd.to_datetime(raw[is_date].map(_to_date)).astype("datetime64[us]")
    if is_text.any():
        text = raw[is_text].astype("str").str.strip()
        iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
        dmy = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        out.loc[is_text] = iso.fillna(dmy).astype("datetime64[us]")
    bad = raw.notna() & out.isna()
    return out, bad


def _labels_in_each_language(statuses: list[Status]) -> dict[str, str]:
    """The statuses' labels listed in each language the scale has ("en" the English list), for a :class:`Text`."""
    codes = {"en", *(code for s in statuses for code in s.translations)}
    return {code: ", ".join(s.label_in(code) for s in statuses) for code in sorted(codes)}


def _bad_date_message(raw: pd.Series) -> Callable[[int], Text]:
    def message(i: int) -> Text:
        return say(
            '"{value}" is not a date; use an Excel date, YYYY-MM-DD or DD/MM/YYYY (e.g. 2024-03-31 or 31/03/2024)',
            value=_show(raw.iat[i]),
        )

    return message


def _to_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, (dt.datetime, pd.Timestamp)) else value


def _show(value: Any) -> str:
    """A typed value as a message quotes it: its text, at most 80 characters."""
    return (_text_value(value) or "")[:80]


def _int_or_none(value: Any) -> int | None:
    """A row number as an int; None for a missing one (None and pd.NA raise TypeError, NaN ValueError)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _joined(parts: pd.Series, index: pd.Index) -> pd.Series:
    joined = join_groups(parts, pd.Series(parts.index, name="row"))
    return joined.reindex(index).astype("str")


def _links(parts: pd.Series, keys: pd.Series, good: np.ndarray, column: str) -> pd.DataFrame:
    """Long table (action_key, id) for the ids of rows that passed validation."""
    positions = parts.index.to_numpy(dtype=int)
    mask = good[positions]
    frame = pd.DataFrame({"action_key": keys.to_numpy()[positions[mask]], column: parts.to_numpy()[mask]})
    return frame.drop_duplicates().reset_index(drop=True).astype("str")


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    text_columns = [
        c for c in ACTION_COLUMNS if c not in DATE_FIELDS and c not in ("confidential", "illustrative", "source_row")
    ]
    frame[text_columns] = frame[text_columns].astype("str")
    return frame[list(ACTION_COLUMNS)]


def _empty_actions() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in ACTION_COLUMNS})
    for c in DATE_FIELDS:
        frame[c] = pd.Series(dtype="datetime64[us]")
    frame["confidential"] = pd.Series(dtype=bool)
    frame["illustrative"] = pd.Series(dtype=bool)
    frame["source_row"] = pd.Series(dtype="Int64")
    return frame


def _empty_links(column: str) -> pd.DataFrame:
    columns = ["action_key", column] + (["framework", "top_level"] if column == "commitment_id" else [])
    return pd.DataFrame({c: pd.Series(dtype="str") for c in columns})
