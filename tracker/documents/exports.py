"""Files the user downloads: CSV tables and the Excel workbook of a view, safe to open in a spreadsheet.

Text cells that a spreadsheet could run as a formula get a leading apostrophe
(:func:`is_formula_like` says which, after OWASP's CSV injection guidance), and
illustrative or public-record data carries its label (``tracker.views.provenance``) in every exported
table. Workbooks are written with xlsxwriter's ``write_string`` for every text cell, so nothing is
ever stored as a formula either.

Languages (issue 11): the workbook of a view and the tables' CSV downloads say their sheet names, column headers
and the About sheet in the reader's language (``lang``, English when not given, English byte for byte as before);
the catalog given with the view already speaks it (``Catalog.in_language``: status labels, members' names). The
CSV of all data is the exception: its columns are the contract field names (:data:`CSV_COLUMNS`, product brief
"Member action spreadsheet") and its cells ids and ISO dates, in every language, because other tools read it.
"""

from __future__ import annotations

import datetime as dt
import io
import numbers
import re
from collections.abc import Mapping

import pandas as pd
import xlsxwriter
from babel.dates import format_date

from loaders.catalog import Catalog
from loaders.dataset import Dataset
from loaders.fields import FIELD_NAMES
from loaders.i18n import N_, Language, language
from tracker.views.action_table import action_display, headed
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
CONFIDENTIAL_EXCLUDED = N_("Confidential actions are not included.")
CONFIDENTIAL_INCLUDED = N_("Confidential actions are INCLUDED: for internal use only, do not circulate.")

#: The contract fields of an action, in template order: the columns of the all-data CSV, in every language
#: (other tools read that file: the ids are the contract, not words to translate).
CSV_COLUMNS = FIELD_NAMES
NOTE_COLUMN = N_("data_note")
"""The column of a CSV that carries the data set's label (``tracker.views.provenance.data_note``)."""

SHEETS = {
    "actions": N_("Actions"),
    "by_area": N_("Status by area"),
    "by_member": N_("Status by member"),
    "gap_matrix": N_("Gap matrix"),
    "overdue": N_("Overdue"),
    "uncovered": N_("Uncovered commitments"),
}
"""The workbook's table sheets, in order, with their English names (said in the workbook's language)."""
HEADINGS = (
    # status_table's and _readable's headers (action_display's are marked in tracker.views.action_table)
    N_("Name"), N_("Total"), N_("Member name"), N_("Furthest status"), N_("Framework"), N_("Level"),
    N_("Confidence"), N_("Commitment"), N_("Title"), N_("Area or pillar"),
)  # fmt: skip
"""Column headers of the workbook's tables, marked for the catalogue (the tables themselves keep them in English)."""


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


def table_csv(frame: pd.DataFrame, *, note: str | None, lang: Language | None = None) -> bytes:
    """CSV bytes (UTF-8 with BOM so Excel reads accents) of a neutralised table.

    ``lang`` says the column headers (and the note's column, ``data_note``) in that language; without it the
    headers are written as they are. ``note`` is written as given.

    Lines end in CRLF (RFC 4180), which also makes the writer quote every field holding a
    carriage return: with ``\n`` endings a bare CR in a cell went out unquoted, and a
    spreadsheet started a new row there, whose first cell could be a formula.
    """
    out = neutralise(headed(frame, lang))
    if note:  # the data set's label (tracker.views.provenance.data_note) on every row
        out.insert(0, lang.gettext(NOTE_COLUMN) if lang else NOTE_COLUMN, note)
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


# --- the filters in words ----------------------------------------------------------------------


def confidential_note(included: bool, lang: Language | None = None) -> str:
    """What a file says about confidential actions (:data:`CONFIDENTIAL_INCLUDED` or :data:`CONFIDENTIAL_EXCLUDED`),
    in ``lang`` (English)."""
    return (lang or language()).gettext(CONFIDENTIAL_INCLUDED if included else CONFIDENTIAL_EXCLUDED)


def filters_in_words(filters: Filters, catalog: Catalog, lang: Language | None = None) -> list[str]:
    """The filters as short sentences for a cover page or an About sheet, in ``lang`` (English).

    ``catalog`` speaks ``lang`` already (``Catalog.in_language``) for status labels and members' names;
    framework names are official titles, never translated.

    Returns:
        One line per filter that is set (``"Framework: Bohol TIP Work Plan"``), or
        a single line saying that everything is included.
    """
    lang = lang or language()
    _ = lang.gettext
    if filters.is_default:
        return [
            _("All {count} members, both frameworks, every status: no filter applied.").format(
                count=lang.number(len(catalog.members))
            )
        ]
    lines = []
    if filters.framework:
        lines.append(_("Framework: {name}").format(name=catalog.frameworks[filters.framework].name))
    if filters.areas:
        titles = [f"{a} {catalog.commitments[a].shown_title}" for a in filters.areas]
        lines.append(_("Area or pillar: {areas}").format(areas="; ".join(titles)))
    if filters.themes:
        lines.append(_("Theme: {themes}").format(themes="; ".join(catalog.themes[t].label for t in filters.themes)))
    if filters.group:
        lines.append(_("Member group: {group}").format(group=_(GROUPS[filters.group])))
    if filters.members:
        names = sorted(f"{catalog.members[m].name} ({m})" for m in filters.members)
        heading = _("Members: {names}") if len(names) > 1 else _("Member: {names}")  # a label, not a count
        lines.append(heading.format(names="; ".join(names)))
    if filters.statuses:
        labels = "; ".join(catalog.statuses[s].label for s in filters.statuses)
        lines.append(_("Status (as reported): {statuses}").format(statuses=labels))
    if filters.updated_from or filters.updated_to:
        start = lang.short_date(filters.updated_from) if filters.updated_from else _("the start")
        end = lang.short_date(filters.updated_to) if filters.updated_to else _("today")
        lines.append(_("Last updated: from {start} to {end}").format(start=start, end=end))
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
    """Every table of the filtered view, keyed by sheet name (English), as the pages compute them.

    The headers are English; :func:`view_workbook` says them, and the sheet names, in the workbook's language.
    """
    catalog = view.catalog
    return {
        SHEETS["actions"]: action_display(view.actions, catalog),
        SHEETS["by_area"]: status_table(view, "top_level"),
        SHEETS["by_member"]: status_table(view, "member"),
        SHEETS["gap_matrix"]: _readable(gap_table(gap_matrix(view), catalog)),  # by area or pillar, its default
        SHEETS["overdue"]: action_display(overdue_actions(view, today), catalog),
        SHEETS["uncovered"]: _readable(uncovered_commitments(view)),
    }


def _readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Column ids as headers people read: ``member_name`` -> ``Member name``."""
    return frame.rename(columns=lambda c: str(c).replace("_", " ").capitalize())


def _day(day: dt.date, lang: Language) -> str:
    """A day in full with two-digit days, ``01 June 2026`` (``01 Juni 2026``): as the export has always written it
    (``Language.date`` leaves the day's zero out)."""
    return format_date(day, format="dd MMMM y", locale=lang.code)


def about_lines(
    view: View,
    filters: Filters,
    *,
    data_as_of: dt.date | None,
    exported: dt.date,
    confidential_included: bool,
    lang: Language | None = None,
) -> list[tuple[str, str]]:
    """(label, text) rows that say what an export holds: scope, dates, caveats; in ``lang`` (English)."""
    lang = lang or language()
    _ = lang.gettext
    rows = [(_("Title"), _("Commitments Tracker: export of the filtered view"))]
    note = data_note(view.dataset, lang)
    if note:
        rows.append((_("Data"), note))
    rows += [(_("Scope"), line) for line in filters_in_words(filters, view.catalog, lang)]
    exported_on = _day(exported, lang)
    latest = _("{day} (latest update in the records exported)")
    rows += [
        (_("Data as of"), latest.format(day=_day(data_as_of, lang)) if data_as_of else _("no data")),
        (_("Exported on"), exported_on),
        (_("Actions"), lang.number(len(view.actions))),
        (_("Statuses"), status_note(view.dataset, lang=lang)),
        (_("Confidential"), confidential_note(confidential_included, lang)),
        (_("Overdue"), _("Due before {day} and neither complete nor discontinued.").format(day=exported_on)),
        (_("Safety"), _("Text that a spreadsheet would run as a formula starts with an apostrophe (').")),
    ]
    return rows


def view_workbook(
    view: View,
    filters: Filters,
    *,
    data_as_of: dt.date | None,
    today: dt.date,
    confidential_included: bool = False,
    lang: Language | None = None,
) -> bytes:
    """An Excel workbook of exactly the filtered view: an About sheet, then one sheet per table; in ``lang``.

    Args:
        view: the filtered data (confidential actions already excluded, or not, by ``apply_filters``).
        filters: the filters that made ``view`` (stated in words on the About sheet).
        data_as_of: the data date to state (see :func:`data_as_of`).
        today: the export date, which is also the date "overdue" is judged at.
        confidential_included: whether the view may hold confidential actions (stated on the About sheet).
        lang: the language of the sheet names, the column headers and the About sheet (English); give ``view``
            the catalog in that language (``Catalog.in_language``) for status labels and members' names. The
            numbers are the same in every language; dates in table cells are dates, shown as year-month-day.

    Returns:
        The ``.xlsx`` bytes. Every text cell is written as a string and neutralised.
    """
    lang = lang or language()
    _ = lang.gettext
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
        about = book.add_worksheet(_("About"))
        about.set_column(0, 0, 16)
        about.set_column(1, 1, 110)
        lines = about_lines(
            view,
            filters,
            data_as_of=data_as_of,
            exported=today,
            confidential_included=confidential_included,
            lang=lang,
        )
        note = data_note(view.dataset, lang)
        warnings = {note, confidential_note(True, lang)}  # the data's label, and confidential actions included
        for row, (label, text) in enumerate(lines):
            style = styles["warn"] if text in warnings else styles["wrap"]
            about.write_string(row, 0, str(neutralise_text(label)), styles["bold"])
            about.write_string(row, 1, str(neutralise_text(text)), style)
        sheet_list = len(lines) + 1
        about.write_string(sheet_list, 0, _("Sheets"), styles["bold"])
        tables = {_(name): headed(frame, lang) for name, frame in view_tables(view, today).items()}
        for offset, name in enumerate(tables):
            count = _("{name}: {count} row(s)").format(name=name, count=lang.number(len(tables[name])))
            about.write_string(sheet_list + offset, 1, count)
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


def all_data_csv(
    dataset: Dataset,
    *,
    can_see_confidential: bool,
    filters: Filters | None = None,
    lang: Language | None = None,
) -> bytes:
    """CSV of every action (the contract fields), or of those in ``filters``' scope.

    Confidential actions are left out unless ``can_see_confidential``; text is
    neutralised and illustrative or public-record data is labelled on every row.

    The columns are ``data_note`` then the contract's field names (:data:`CSV_COLUMNS`), and the cells ids,
    ``YYYY-MM-DD`` dates and the records' own text, in every language: other tools read this file by those
    names (product brief, "Member action spreadsheet"), so ``lang`` only says the data set's label in the
    ``data_note`` cells.
    """
    view = apply_filters(dataset, filters or Filters(), can_see_confidential=can_see_confidential)
    frame = view.actions[list(CSV_COLUMNS)].copy()
    for column in ("start_date", "due_date", "last_updated"):
        frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return table_csv(frame, note=data_note(dataset, lang))
