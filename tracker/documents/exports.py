"""Files the user downloads: CSV tables and the Excel workbook of a view, safe to open in a spreadsheet.

Text cells that a spreadsheet could run as a formula get a leading apostrophe
(:func:`is_formula_like` says which, after OWASP's CSV injection guidance), and
illustrative or public-record data carries its label (``tracker.views.provenance``) in every exported
table. Workbooks are written with xlsxwriter's ``write_string`` for every text cell, so nothing is
ever stored as a formula either.
"""

from __future__ import annotations

import datetime as dt
import io
import numbers
import re
from collections.abc import Mapping

import pandas as pd
import xlsxwriter

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from loaders.fields import FIELD_NAMES
from tracker.views.action_table import action_display
from tracker.views.filters import GROUPS, Filters, View, apply_filters
from tracker.views.gaps import gap_matrix, gap_table, uncovered_commitments
from tracker.views.overview import status_counts
from tracker.views.progress import overdue_actions
from tracker.views.provenance import data_note, status_note

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What OWASP lists: a cell starting with one of these is read as a formula (tab and CR start one too)."""
# Also caught: any leading control character (\n and \0 as well as \t and \r: CSV readers split or
# drop them), any leading whitespace before a formula character (LibreOffice's "trim spaces"
# import option removes it, then evaluates), and the full-width forms ＝ ＋ － ＠ that
# East Asian versions of Excel turn into their ASCII forms as they read a cell.
FORMULA_PATTERN = re.compile(r"[\x00-\x1f]|\s*[=+\-@\uff1d\uff0b\uff0d\uff20]")
CONFIDENTIAL_EXCLUDED = "Confidential actions are not included."
CONFIDENTIAL_INCLUDED = "Confidential actions are INCLUDED: for internal use only, do not circulate."

#: The contract fields of an action, in template order: the columns of the all-data CSV.
CSV_COLUMNS = FIELD_NAMES


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (see :data:`FORMULA_PATTERN`)."""
    return FORMULA_PATTERN.match(text) is not None


def neutralise_text(value: object) -> object:
    """``value`` with a leading ``'`` when it is text a spreadsheet could run as a formula."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy where text cells (and column names) that could run as formulas are prefixed with ``'``."""
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_string_dtype(series) or series.dtype == object:
            is_text = series.map(lambda v: isinstance(v, str)).astype(bool)
            # The same rule as is_formula_like, vectorised: str.match anchors FORMULA_PATTERN at the start.
            risky = series.astype("str").str.match(FORMULA_PATTERN).fillna(False).astype(bool) & is_text
            if risky.any():
                out[column] = series.astype(object).where(~risky, "'" + series.astype("str"))
    out.columns = [neutralise_text(c) for c in out.columns]
    return out


def table_csv(frame: pd.DataFrame, *, note: str | None) -> bytes:
    """CSV bytes (UTF-8 with BOM so Excel reads accents) of a neutralised table.

    Lines end in CRLF (RFC 4180), which also makes the writer quote every field holding a
    carriage return: with ``\n`` endings a bare CR in a cell went out unquoted, and a
    spreadsheet started a new row there, whose first cell could be a formula.
    """
    out = neutralise(frame)
    if note:  # the data set's label (tracker.views.provenance.data_note) on every row
        out.insert(0, "data_note", note)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# --- the filters in words ----------------------------------------------------------------------


def filters_in_words(filters: Filters, catalog: Catalog) -> list[str]:
    """The filters as short sentences for a cover page or an About sheet.

    Returns:
        One line per filter that is set (``"Framework: Bohol TIP Work Plan"``), or
        a single line saying that everything is included.
    """
    if filters.is_default:
        return [f"All {len(catalog.members)} members, both frameworks, every status: no filter applied."]
    lines = []
    if filters.framework:
        lines.append(f"Framework: {catalog.frameworks[filters.framework].name}")
    if filters.areas:
        titles = [f"{a} {catalog.commitments[a].shown_title}" for a in filters.areas]
        lines.append(f"Area or pillar: {'; '.join(titles)}")
    if filters.themes:
        lines.append(f"Theme: {'; '.join(catalog.themes[t].label for t in filters.themes)}")
    if filters.group:
        lines.append(f"Member group: {GROUPS[filters.group]}")
    if filters.members:
        names = sorted(f"{catalog.members[m].name} ({m})" for m in filters.members)
        lines.append(f"Member{'s' if len(names) > 1 else ''}: {'; '.join(names)}")
    if filters.statuses:
        lines.append(f"Status (as reported): {'; '.join(catalog.statuses[s].label for s in filters.statuses)}")
    if filters.updated_from or filters.updated_to:
        start = f"{filters.updated_from:%d %b %Y}" if filters.updated_from else "the start"
        end = f"{filters.updated_to:%d %b %Y}" if filters.updated_to else "today"
        lines.append(f"Last updated: from {start} to {end}")
    return lines


def data_as_of(view: View) -> dt.date | None:
    """The latest ``last_updated`` among the actions in the view (None when it has none)."""
    latest = view.actions["last_updated"].max()
    return None if pd.isna(latest) else latest.date()


# --- the tables of a view ----------------------------------------------------------------------


def status_table(view: View, by: str) -> pd.DataFrame:
    """:func:`~tracker.views.overview.status_counts` as a wide, readable table: one row per group.

    Args:
        view: the filtered data.
        by: ``top_level`` (areas and pillars, catalog order) or ``member`` (A–Z by name).

    Returns:
        The group's id and name, one column per status ("icon Label") and a total.
    """
    catalog = view.catalog
    counts = status_counts(view, by)
    wide = counts.pivot(index="group", columns="status", values="actions")
    # status_counts gives every (group, status) pair, zeros included: reindexing only restores their order.
    wide = wide.reindex(index=list(dict.fromkeys(counts["group"])), columns=list(catalog.statuses))
    wide.columns = pd.Index([f"{s.icon} {s.label}" for s in catalog.statuses.values()])
    wide["Total"] = wide.sum(axis=1)
    if by == "member":
        names = {m: catalog.members[m].name for m in catalog.members}
        heading = ("Member", "Name")
    else:
        names = {c: catalog.commitments[c].shown_title for c in catalog.commitments}
        heading = ("Area or pillar", "Title")
    wide.insert(0, heading[1], wide.index.map(names))
    return wide.rename_axis(heading[0]).reset_index()


def view_tables(view: View, today: dt.date) -> dict[str, pd.DataFrame]:
    """Every table of the filtered view, keyed by sheet name, as the pages compute them."""
    catalog = view.catalog
    return {
        "Actions": action_display(view.actions, catalog),
        "Status by area": status_table(view, "top_level"),
        "Status by member": status_table(view, "member"),
        "Gap matrix": _readable(gap_table(gap_matrix(view), catalog)),  # by area or pillar, its default
        "Overdue": action_display(overdue_actions(view, today), catalog),
        "Uncovered commitments": _readable(uncovered_commitments(view)),
    }


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Column ids as headers people read: ``member_name`` -> ``Member name``."""
    return frame.rename(columns=lambda c: str(c).replace("_", " ").capitalize())


def about_lines(
    view: View, filters: Filters, *, data_as_of: dt.date | None, exported: dt.date, confidential_included: bool
) -> list[tuple[str, str]]:
    """(label, text) rows that say what an export holds: scope, dates, caveats."""
    rows = [("Title", "Commitments Tracker: export of the filtered view")]
    note = data_note(view.dataset)
    if note:
        rows.append(("Data", note))
    rows += [("Scope", line) for line in filters_in_words(filters, view.catalog)]
    rows += [
        ("Data as of", f"{data_as_of:%d %B %Y} (latest update in the records exported)" if data_as_of else "no data"),
        ("Exported on", f"{exported:%d %B %Y}"),
        ("Actions", f"{len(view.actions):,}"),
        ("Statuses", status_note(view.dataset)),
        ("Confidential", CONFIDENTIAL_INCLUDED if confidential_included else CONFIDENTIAL_EXCLUDED),
        ("Overdue", f"Due before {exported:%d %B %Y} and neither complete nor discontinued."),
        ("Safety", "Text that a spreadsheet would run as a formula starts with an apostrophe (')."),
    ]
    return rows


def view_workbook(
    view: View,
    filters: Filters,
    *,
    data_as_of: dt.date | None,
    today: dt.date,
    confidential_included: bool = False,
) -> bytes:
    """An Excel workbook of exactly the filtered view: an About sheet, then one sheet per table.

    Args:
        view: the filtered data (confidential actions already excluded, or not, by ``apply_filters``).
        filters: the filters that made ``view`` (stated in words on the About sheet).
        data_as_of: the data date to state (see :func:`data_as_of`).
        today: the export date, which is also the date "overdue" is judged at.
        confidential_included: whether the view may hold confidential actions (stated on the About sheet).

    Returns:
        The ``.xlsx`` bytes. Every text cell is written as a string and neutralised.
    """
    buffer = io.BytesIO()
    # Every cell goes through a typed write_* call (never write()), so no text is ever converted to a formula,
    # URL or number; in_memory keeps the XML parts out of temporary files.
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        styles = {
            "bold": book.add_format({"bold": True}),
            "header": book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1, "text_wrap": True}),
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "warn": book.add_format({"bold": True, "font_color": "#9C0006", "bg_color": "#FFC7CE"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        }
        about = book.add_worksheet("About")
        about.set_column(0, 0, 16)
        about.set_column(1, 1, 110)
        lines = about_lines(
            view, filters, data_as_of=data_as_of, exported=today, confidential_included=confidential_included
        )
        for row, (label, text) in enumerate(lines):
            warn = label == "Data" or text == CONFIDENTIAL_INCLUDED
            about.write_string(row, 0, str(neutralise_text(label)), styles["bold"])
            about.write_string(row, 1, str(neutralise_text(text)), styles["warn"] if warn else styles["wrap"])
        sheet_list = len(lines) + 1
        about.write_string(sheet_list, 0, "Sheets", styles["bold"])
        tables = view_tables(view, today)
        for offset, name in enumerate(tables):
            about.write_string(sheet_list + offset, 1, f"{name}: {len(tables[name]):,} row(s)")
        note = data_note(view.dataset)
        for name, frame in tables.items():
            _write_table(book.add_worksheet(name), frame, name, note, styles)
    return buffer.getvalue()


def _write_table(
    sheet: xlsxwriter.worksheet.Worksheet,
    frame: pd.DataFrame,
    title: str,
    note: str | None,
    styles: Mapping[str, xlsxwriter.format.Format],
) -> None:
    """A title line (with the data set's label), a header row, then one row per record."""
    sheet.write_string(0, 0, title + (f"  ({note})" if note else ""), styles["warn"] if note else styles["bold"])
    header = 2
    for col, name in enumerate(frame.columns):
        sheet.write_string(header, col, str(neutralise_text(str(name))), styles["header"])
        longest = max([len(str(name)), *(len(str(v)) for v in frame[name].head(200))])
        sheet.set_column(col, col, min(max(longest + 2, 8), 60))
    for row, record in enumerate(frame.itertuples(index=False), start=header + 1):
        for col, value in enumerate(record):
            _write_cell(sheet, row, col, value, styles)
    sheet.freeze_panes(header + 1, 0)
    if len(frame.columns):
        sheet.autofilter(header, 0, header + max(len(frame), 1), len(frame.columns) - 1)


def _write_cell(
    sheet: xlsxwriter.worksheet.Worksheet,
    row: int,
    col: int,
    value: object,
    styles: Mapping[str, xlsxwriter.format.Format],
) -> None:
    """Write one value by its type; text always as a (neutralised) string, never a formula."""
    if pd.isna(value):  # None, NaN, NaT: the cell stays empty
        return
    if isinstance(value, numbers.Real):
        sheet.write_number(row, col, float(value))
    elif isinstance(value, dt.date):  # dates and datetimes (pandas Timestamps included)
        sheet.write_datetime(row, col, value, styles["date"])
    else:
        sheet.write_string(row, col, str(neutralise_text(str(value))))


def all_data_csv(dataset: Dataset, *, can_see_confidential: bool, filters: Filters | None = None) -> bytes:
    """CSV of every action (the contract fields), or of those in ``filters``' scope.

    Confidential actions are left out unless ``can_see_confidential``; text is
    neutralised and illustrative or public-record data is labelled on every row.
    """
    view = apply_filters(dataset, filters or Filters(), can_see_confidential=can_see_confidential)
    frame = view.actions[list(CSV_COLUMNS)].copy()
    for column in ("start_date", "due_date", "last_updated"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return table_csv(frame, note=data_note(dataset))
