"""The pre-filled member template: one member's current actions as an editable workbook.

The template is the spreadsheet contract of ``product.md`` made concrete. A
focal point downloads it, edits it in Excel or LibreOffice and uploads it; the
reader in :mod:`loaders.tables` reads it back unchanged. So the workbook holds
only values (no formulas, macros or external links), writes every field in a
form the validator accepts, and writes unknown columns kept aside in ``extra``
back as extra columns, so a download-and-upload round trip loses nothing.

Sheets: ``Actions`` (title rows, the header, one row per action, dropdowns from
a hidden ``Lists`` sheet), ``Instructions`` (plain language, from
:data:`loaders.fields.FIELDS` and the status scale) and ``Commitments`` (a
protected, read-only list of catalog ids).

xlsxwriter writes it rather than openpyxl because ``write_string`` stores a text
that starts with ``=`` as text, never as a formula; a column format gives the
blank rows their date format without creating cells; and the sample generator
already writes its workbooks with it. A text that a spreadsheet could run as a
formula (:func:`tracker.documents.exports.is_formula_like`, the exports' rule) also gets
Excel's quote prefix, its own "this is text" mark: editing the cell keeps it
text, and unlike the exports' leading apostrophe the value reads back unchanged,
so the round trip holds.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from loaders.catalog import Catalog
from loaders.catalog_schema import CONFIDENCE_LABELS
from loaders.dataset import Dataset
from loaders.fields import DATE_FIELDS, FIELDS, LABELS
from tracker import settings
from tracker.documents.exports import is_formula_like

APP_NAME = "Commitments Tracker"
ILLUSTRATIVE_TITLE = "ILLUSTRATIVE SAMPLE DATA — not real reporting"
ACTIONS_SHEET, INSTRUCTIONS_SHEET, COMMITMENTS_SHEET, LISTS_SHEET = "Actions", "Instructions", "Commitments", "Lists"

# 0-based rows of the Actions sheet: the title, a pointer to the instructions, the header.
TITLE_ROW, POINTER_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = HEADER_ROW + 1
# Dropdowns and date formats reach this many rows past the pre-filled ones, room for new actions.
BLANK_ROWS = 500
EARLIEST_DATE = dt.datetime(2000, 1, 1)
# Excel refuses longer cell texts; xlsxwriter would silently cut them (it returns -2).
MAX_CELL_CHARS = 32_767

_WIDTHS: dict[str, int] = {
    "action_id": 12,
    "member": 9,
    "commitments": 22,
    "title": 50,
    "description": 70,
    "status": 14,
    "start_date": 12,
    "due_date": 12,
    "last_updated": 13,
    "lead_agency": 30,
    "asean_mechanisms": 20,
    "evidence": 40,
    "origin": 18,
    "confidential": 13,
    "notes": 45,
}
_WRAPPED = ("title", "description", "notes")
_EXTRA_WIDTH = 20
_ORIGINS = ("new", "pre-existing")
_YES_NO = ("yes", "no")

# Okabe–Ito-derived fills; the required columns also carry a note and are listed in the
# Instructions, so colour is never the only signal.
_HEADER_FILL, _REQUIRED_FILL, _EXTRA_FILL = "#D9D9D9", "#F6C89F", "#EDEDED"


@dataclass(frozen=True)
class _Formats:
    title: Format
    warning: Format
    pointer: Format
    header: Format
    required: Format
    extra_header: Format
    date: Format
    wrap: Format
    heading: Format
    table_header: Format
    cell: Format
    # The same, with Excel's quote prefix: for texts that could run as formulas.
    quoted: Format
    quoted_wrap: Format
    quoted_extra_header: Format


def template_workbook(
    catalog: Catalog,
    member_id: str,
    actions: pd.DataFrame,
    *,
    illustrative: bool,
    today: dt.date | None = None,
    public_record: dt.date | None = None,
) -> bytes:
    """Build the template workbook for one member.

    Every action in ``actions`` is written, confidential ones included: the
    template is for the member's own focal point. Callers decide who may get it.

    Args:
        catalog: the loaded catalog (status scale, commitment and mechanism ids, member names).
        member_id: the member, e.g. ``IDN``; must be in the catalog.
        actions: validated actions of that member (columns of ``loaders.actions.ACTION_COLUMNS``);
            may be empty.
        illustrative: mark the workbook as illustrative sample data in its title row, which the
            reader turns back into the file's illustrative flag.
        today: the date printed in the Instructions (today when omitted).
        public_record: when the member's rows were compiled from public pages (``data/public``), the day those
            were read: the Instructions say the rows are not the member's own report until checked and uploaded.

    Returns:
        The ``.xlsx`` file as bytes.

    Raises:
        ValueError: when ``member_id`` is not a catalog member, when ``actions`` holds another
            member's rows, or when a text is longer than an Excel cell can hold.
    """
    if member_id not in catalog.members:
        raise ValueError(f"'{member_id}' is not a member in the catalog")
    others = sorted(set(actions["member"].dropna()) - {member_id})
    if others:
        # A template must never carry another member's actions, confidential or not.
        raise ValueError(f"the actions include rows of other members ({', '.join(others)}); pass {member_id}'s only")
    ordered = _in_id_order(actions)
    extras = [_extra_of(value) for value in ordered["extra"]]
    extra_headers = list(dict.fromkeys(key for extra in extras for key in extra))

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            # Values are written exactly as given: text never turns into numbers, formulas or links.
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    name = catalog.members[member_id].name
    workbook.set_properties(
        {
            "title": f"{APP_NAME} — actions of {name} ({member_id})",
            "subject": ILLUSTRATIVE_TITLE if illustrative else f"Member action template for {member_id}",
            "author": APP_NAME,
            "company": APP_NAME,
            "comments": f"Template for {member_id}.xlsx; see the Instructions sheet.",
        }
    )
    formats = _formats(workbook)
    actions_sheet = workbook.add_worksheet(ACTIONS_SHEET)
    instructions = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    reference = workbook.add_worksheet(COMMITMENTS_SHEET)
    lists = workbook.add_worksheet(LISTS_SHEET)

    ranges = _write_lists(lists, catalog, member_id)
    _write_actions(actions_sheet, formats, catalog, member_id, name, ordered, extras, extra_headers, illustrative)
    _add_validations(actions_sheet, ranges, last_row=FIRST_DATA_ROW + len(ordered) + BLANK_ROWS - 1)
    _write_instructions(
        instructions, formats, catalog, member_id, name, illustrative, today or settings.today(), public_record
    )
    _write_reference(reference, formats, catalog)
    actions_sheet.activate()
    workbook.close()
    return buffer.getvalue()


def template_from_dataset(
    dataset: Dataset, member_id: str, *, today: dt.date | None = None, actions: pd.DataFrame | None = None
) -> bytes:
    """The template of one member pre-filled with that member's current actions in ``dataset``.

    Confidential actions are included unless ``actions`` leaves them out (see :func:`template_workbook`). The
    file is marked illustrative, or says its rows are the public record, when the member's own file is.

    Args:
        dataset: the loaded data set (``loaders.dataset.load_dataset``).
        member_id: a catalog member id; a member without a file gets an empty template.
        today: the date printed in the Instructions (today when omitted).
        actions: the member's actions to pre-fill (default: all of them in ``dataset``).

    Returns:
        The ``.xlsx`` file as bytes.

    Raises:
        ValueError: as :func:`template_workbook`.
    """
    if actions is None:
        actions = dataset.actions[dataset.actions["member"] == member_id]
    files = dataset.files[dataset.files["member"] == member_id]
    # Per member, not per directory: a member who has no file yet gets a template for real
    # reporting, even next to illustrative files.
    illustrative = bool(files["illustrative"].any())
    public = dataset.public_record if bool(files["public_record"].any()) else None
    return template_workbook(
        dataset.catalog, member_id, actions, illustrative=illustrative, today=today, public_record=public
    )


# --- Actions sheet ---------------------------------------------------------------------------


def _in_id_order(actions: pd.DataFrame) -> pd.DataFrame:
    """Actions by id number (IDN-2 before IDN-10); rows not applied yet (no id) last, in file order."""
    number = pd.to_numeric(actions["action_id"].str.extract(r"(\d+)$", expand=False), errors="coerce")
    order = actions.assign(_number=number.to_numpy())
    keys = ["_number", "action_id", *(["source_row"] if "source_row" in actions.columns else [])]
    return order.sort_values(keys, na_position="last", kind="stable").drop(columns="_number").reset_index(drop=True)


def _extra_of(value: Any) -> dict[str, Any]:
    """The unknown columns kept aside for one action (``extra`` is JSON text or NA)."""
    if not isinstance(value, str) or not value:
        return {}
    parsed = json.loads(value)
    return parsed if isinstance(parsed, dict) else {}


def _write_actions(
    sheet: Worksheet,
    formats: _Formats,
    catalog: Catalog,
    member_id: str,
    name: str,
    actions: pd.DataFrame,
    extras: Sequence[Mapping[str, Any]],
    extra_headers: Sequence[str],
    illustrative: bool,
) -> None:
    title = f"{APP_NAME} — actions of {name} ({member_id})"
    if illustrative:
        title += f" — {ILLUSTRATIVE_TITLE}"
    sheet.write_string(TITLE_ROW, 0, title, formats.warning if illustrative else formats.title)
    # No "illustrative" wording here: any title-row text containing it marks the file illustrative.
    sheet.write_string(
        POINTER_ROW,
        0,
        "Read the Instructions sheet first. Required columns have an orange header and a note saying so. "
        f"Keep the file name {member_id}.xlsx.",
        formats.pointer,
    )

    labels = {s.id: s.label for s in catalog.statuses.values()}
    for col, spec in enumerate(FIELDS):
        header = formats.required if spec.required else formats.header
        sheet.write_string(HEADER_ROW, col, spec.label, header)
        note = ("Required. " if spec.required else "") + spec.help
        sheet.write_comment(HEADER_ROW, col, note, {"author": APP_NAME, "x_scale": 2, "y_scale": 1.2})
        column_format = formats.date if spec.name in DATE_FIELDS else formats.wrap if spec.name in _WRAPPED else None
        sheet.set_column(col, col, _WIDTHS.get(spec.name, 15), column_format)
    first_extra = len(FIELDS)
    for offset, header_text in enumerate(extra_headers):
        header_format = formats.quoted_extra_header if is_formula_like(header_text) else formats.extra_header
        sheet.write_string(HEADER_ROW, first_extra + offset, header_text, header_format)
        sheet.write_comment(
            HEADER_ROW,
            first_extra + offset,
            "Not a template column: kept with the action but not used by the tracker.",
            {"author": APP_NAME, "x_scale": 2},
        )
        sheet.set_column(first_extra + offset, first_extra + offset, _EXTRA_WIDTH)

    records = actions.to_dict("records")
    for position, (action, extra) in enumerate(zip(records, extras, strict=True)):
        row = FIRST_DATA_ROW + position
        for col, spec in enumerate(FIELDS):
            value = _cell_value(spec.name, action.get(spec.name), labels)
            where = f"action {action.get('action_id') or position + 1}, {spec.label}"
            _write_value(sheet, row, col, value, formats, wrap=spec.name in _WRAPPED, where=where)
        for offset, header_text in enumerate(extra_headers):
            if header_text in extra:
                where = f"action {action.get('action_id') or position + 1}, {header_text}"
                _write_value(sheet, row, first_extra + offset, extra[header_text], formats, where=where)

    sheet.freeze_panes(FIRST_DATA_ROW, 1)
    last_col = len(FIELDS) + len(extra_headers) - 1
    # Ids, phone numbers and references are text on purpose; no green "number stored as text" marks.
    sheet.ignore_errors({"number_stored_as_text": f"A{FIRST_DATA_ROW + 1}:XFD1048576"})
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(records), 1), last_col)
    sheet.set_row(TITLE_ROW, 20)


def _cell_value(name: str, value: Any, labels: Mapping[str, str]) -> Any:
    """One validated field as the contract's spreadsheet form; None for blank."""
    if _is_missing(value):
        return None
    if name == "status":
        return labels.get(str(value), str(value))
    if name == "confidential":
        return "yes" if bool(value) else "no"
    if name in DATE_FIELDS:
        return pd.Timestamp(value).to_pydatetime()
    return str(value)


def _write_value(
    sheet: Worksheet, row: int, col: int, value: Any, formats: _Formats, *, wrap: bool = False, where: str = ""
) -> None:
    """Write one value with the cell type that reads back as the same value."""
    if _is_missing(value):
        return
    if isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value)
    else:
        # Nested YAML values of unknown keys come back as JSON text: a cell holds one value.
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(text) > MAX_CELL_CHARS:
            raise ValueError(
                f"{where}: the text has {len(text):,} characters, more than an Excel cell holds "
                f"({MAX_CELL_CHARS:,}); shorten it in the member's file first"
            )
        if is_formula_like(text):
            sheet.write_string(row, col, text, formats.quoted_wrap if wrap else formats.quoted)
        else:
            sheet.write_string(row, col, text, formats.wrap if wrap else None)


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


# --- dropdowns -------------------------------------------------------------------------------


def _write_lists(sheet: Worksheet, catalog: Catalog, member_id: str) -> dict[str, str]:
    """Fill the hidden Lists sheet; returns {field: absolute range} for the dropdowns."""
    columns: dict[str, tuple[str, Sequence[str]]] = {
        "status": ("Status", [s.label for s in catalog.statuses.values()]),
        "member": ("Member", [member_id]),
        "origin": ("New or pre-existing", _ORIGINS),
        "confidential": ("Confidential", _YES_NO),
        "commitments": ("Commitment IDs", list(catalog.commitments)),
        "asean_mechanisms": ("ASEAN mechanisms", list(catalog.mechanisms)),
    }
    ranges: dict[str, str] = {}
    for col, (field, (header, values)) in enumerate(columns.items()):
        sheet.write_string(0, col, header)
        for offset, value in enumerate(values, start=1):
            sheet.write_string(offset, col, value)
        letter = xl_col_to_name(col)
        ranges[field] = f"={LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    sheet.hide()
    # Protected as well as hidden, so unhiding it does not invite edits that break the dropdowns.
    sheet.protect()
    return ranges


def _add_validations(sheet: Worksheet, ranges: Mapping[str, str], last_row: int) -> None:
    """Dropdowns and date checks on the contract columns, from the first data row to ``last_row``."""
    column = {spec.name: col for col, spec in enumerate(FIELDS)}

    def add(field: str, options: dict[str, Any]) -> None:
        sheet.data_validation(FIRST_DATA_ROW, column[field], last_row, column[field], options)

    strict = {"show_error": True, "error_type": "stop", "ignore_blank": True}
    add(
        "status",
        {
            "validate": "list",
            "source": ranges["status"],
            **strict,
            "error_title": "Not a status",
            "error_message": "Pick a status from the list (the scale is explained on the Instructions sheet).",
        },
    )
    add(
        "member",
        {
            "validate": "list",
            "source": ranges["member"],
            **strict,
            "error_title": "Not this file's member",
            "error_message": "A file holds one member's actions: use the member id in the file name.",
        },
    )
    add(
        "origin",
        {
            "validate": "list",
            "source": ranges["origin"],
            **strict,
            "error_title": "New or pre-existing",
            "error_message": "Write new (started under the 2023 frameworks) or pre-existing, or leave it blank.",
        },
    )
    add(
        "confidential",
        {
            "validate": "list",
            "source": ranges["confidential"],
            **strict,
            "error_title": "Yes or no",
            "error_message": "Write yes or no (blank means no).",
        },
    )
    # A cell may hold several ids ("ASC-6; BWP-B.2"), which a list check would refuse, so
    # these dropdowns only offer single ids and never block typing.
    for field, example in (("commitments", "ASC-6; BWP-B.2"), ("asean_mechanisms", "ACTIP; SOMTC")):
        add(
            field,
            {
                "validate": "list",
                "source": ranges[field],
                "show_error": False,
                "ignore_blank": True,
                "input_title": LABELS[field],
                "input_message": f"Pick one id, or type several separated by ; (e.g. {example}). "
                "The ids are listed on the Commitments sheet."
                + (
                    " Titles marked (working item, not official) there are not official items."
                    if field == "commitments"
                    else ""
                ),
            },
        )
    for field in DATE_FIELDS:
        add(
            field,
            {
                "validate": "date",
                "criteria": ">=",
                "value": EARLIEST_DATE,
                **strict,
                "error_title": "Not a date",
                "error_message": "Enter a date from 2000 on, e.g. 2024-03-31 (YYYY-MM-DD) or 31/03/2024.",
            },
        )


# --- Instructions sheet ----------------------------------------------------------------------


def _write_instructions(
    sheet: Worksheet,
    formats: _Formats,
    catalog: Catalog,
    member_id: str,
    name: str,
    illustrative: bool,
    today: dt.date,
    public_record: dt.date | None = None,
) -> None:
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 100)
    evidence_labels = " or ".join(
        catalog.statuses[s].label for s in catalog.scale.requires_evidence if s in catalog.statuses
    )
    row = 0

    def line(text: str, cell_format: Format | None = None) -> None:
        nonlocal row
        sheet.write_string(row, 0, text, cell_format or formats.cell)
        row += 1

    def heading(text: str) -> None:
        nonlocal row
        row += 1
        line(text, formats.heading)

    line(f"{APP_NAME}: how to fill in the actions of {name} ({member_id})", formats.title)
    if illustrative:
        line(
            "This file holds ILLUSTRATIVE SAMPLE DATA, invented for demonstration. It is not real reporting; "
            "do not cite it.",
            formats.warning,
        )
    if public_record is not None:
        line(
            f"The rows below come from the PUBLIC RECORD: compiled from public web pages read on "
            f"{public_record.day} {public_record:%B %Y}, not reported by {name}. Check each row against the page in "
            "its Evidence column, correct or complete it, then upload the file: once applied, it is your own "
            "report.",
            formats.warning,
        )
    heading("What this file is")
    for text in (
        f"The Actions sheet lists the actions {name} reports toward the Bali Process Adelaide Strategy and the "
        f"ASEAN Bohol TIP Work Plan, as recorded on {today:%d %B %Y}: one row per action.",
        "Edit the rows, add new ones, then upload the file on the Submit an update page (or send it to the "
        "secretariat). Nothing changes until a reviewer approves the upload.",
        f"Applying the file REPLACES all of {member_id}'s records with the rows of the Actions sheet.",
        f"Keep the file name {member_id}.xlsx: the file name says whose actions these are.",
        "Statuses are the member's own report of its progress, not a rating by the secretariat.",
        "Keep the header row as it is. Columns you add are kept with each action but not used.",
    ):
        line(text)

    heading("The columns")
    sheet.write_string(row, 0, "Column", formats.table_header)
    sheet.write_string(row, 1, "Required?", formats.table_header)
    sheet.write_string(row, 2, "What to write", formats.table_header)
    row += 1
    for spec in FIELDS:
        if spec.required:
            required = "yes"
        elif spec.name == "evidence" and evidence_labels:
            required = f"when {evidence_labels}"
        elif spec.name == "action_id":
            required = "no (blank = new)"
        else:
            required = "no"
        sheet.write_string(row, 0, spec.label, formats.cell)
        sheet.write_string(row, 1, required, formats.cell)
        sheet.write_string(row, 2, spec.help, formats.wrap)
        row += 1

    heading("The status scale")
    sheet.write_string(row, 0, "Status", formats.table_header)
    sheet.write_string(row, 1, "Icon", formats.table_header)
    sheet.write_string(row, 2, "Meaning", formats.table_header)
    row += 1
    for status in catalog.statuses.values():
        sheet.write_string(row, 0, status.label, formats.cell)
        sheet.write_string(row, 1, status.icon, formats.cell)
        sheet.write_string(row, 2, status.description, formats.wrap)
        row += 1
    if catalog.scale.note:
        line(catalog.scale.note)

    heading("How to")
    for text in (
        "Add an action: fill in a new row below the last one and leave Action ID blank; an id such as "
        f"{member_id}-014 is assigned when the file is applied.",
        "Change an action: edit its row and set Last updated to the date you checked it. Do not change its Action ID.",
        "Remove an action: delete its whole row. Because applying the file replaces the member's records, a "
        "row that is no longer in the file is removed.",
        f"Complete needs evidence: an action marked {evidence_labels or 'Complete'} must have a web address "
        "(https://…) or a document reference in Evidence.",
        "Dates: an Excel date, YYYY-MM-DD (2024-03-31) or DD/MM/YYYY (31/03/2024). Nothing else is guessed. "
        "Last updated may not be in the future; Due date may not be before Start date.",
        "Commitment IDs and ASEAN mechanisms: the dropdown offers one id; type several separated by ; "
        "(e.g. ASC-6; BWP-B.2). The Commitments sheet lists every id.",
        "Confidential actions (Confidential = yes) are shown only to reviewers, never to public viewers.",
        "Save as Excel Workbook (.xlsx). Macro-enabled workbooks (.xlsm) and password-protected files are refused.",
    ):
        line(text)


# --- Commitments reference sheet -------------------------------------------------------------


def _write_reference(sheet: Worksheet, formats: _Formats, catalog: Catalog) -> None:
    widths = (12, 20, 10, 50, 90, 24)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width, formats.wrap if col in (3, 4) else None)
    sheet.write_string(0, 0, "Commitments and ASEAN mechanisms: the ids to use in the Actions sheet", formats.title)
    sheet.write_string(1, 0, "This sheet is read-only reference.", formats.pointer)
    row = 3
    for col, header in enumerate(("ID", "Framework", "Level", "Title", "Summary", "Confidence")):
        sheet.write_string(row, col, header, formats.table_header)
    frameworks = {f.id: f.short_name for f in catalog.frameworks.values()}
    for commitment in catalog.commitments.values():
        row += 1
        values = (
            commitment.id,
            frameworks.get(commitment.framework, commitment.framework),
            commitment.level,
            commitment.shown_title,
            commitment.summary,
            f"{commitment.confidence} — {CONFIDENCE_LABELS.get(commitment.confidence, '')}",
        )
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, formats.wrap if col in (3, 4) else None)
    row += 2
    sheet.write_string(row, 0, "ID", formats.table_header)
    sheet.write_string(row, 1, "ASEAN mechanism", formats.table_header)
    for mechanism in catalog.mechanisms.values():
        row += 1
        sheet.write_string(row, 0, mechanism.id)
        sheet.write_string(row, 1, mechanism.name)
    sheet.freeze_panes(4, 1)
    # No password: the protection only guards against accidental edits; selecting and
    # copying ids still works.
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})


def _formats(workbook: xlsxwriter.Workbook) -> _Formats:
    add = workbook.add_format
    return _Formats(
        title=add({"bold": True, "font_size": 13}),
        warning=add({"bold": True, "font_size": 13, "font_color": "#9C0006"}),
        pointer=add({"italic": True}),
        header=add({"bold": True, "bg_color": _HEADER_FILL, "bottom": 1, "text_wrap": True, "valign": "top"}),
        required=add({"bold": True, "bg_color": _REQUIRED_FILL, "bottom": 1, "text_wrap": True, "valign": "top"}),
        extra_header=add({"bold": True, "italic": True, "bg_color": _EXTRA_FILL, "bottom": 1}),
        date=add({"num_format": "yyyy-mm-dd"}),
        wrap=add({"text_wrap": True, "valign": "top"}),
        heading=add({"bold": True, "font_size": 12}),
        table_header=add({"bold": True, "bg_color": _HEADER_FILL, "bottom": 1}),
        cell=add({"valign": "top"}),
        quoted=add({"quote_prefix": True}),
        quoted_wrap=add({"text_wrap": True, "valign": "top", "quote_prefix": True}),
        quoted_extra_header=add(
            {"bold": True, "italic": True, "bg_color": _EXTRA_FILL, "bottom": 1, "quote_prefix": True}
        ),
    )
