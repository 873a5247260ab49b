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
from loaders.catalog_schema import CONFIDENCE_LABELS, WORKING_ITEM
from loaders.dataset import Dataset
from loaders.fields import DATE_FIELDS, FIELDS
from loaders.i18n import N_, SOURCE_LANGUAGE, Language, language
from tracker import settings
from tracker.documents.exports import is_formula_like

APP_NAME = "Commitments Tracker"
# The reader marks a file illustrative when a title row says "illustrative" (in English, whatever the language).
ILLUSTRATIVE_TITLE = N_("ILLUSTRATIVE SAMPLE DATA — not real reporting")
ACTIONS_SHEET, INSTRUCTIONS_SHEET = N_("Actions"), N_("Instructions")
COMMITMENTS_SHEET, LISTS_SHEET = N_("Commitments"), N_("Lists")

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
# The commitment levels, as the Commitments sheet names them (marked here for the catalogues).
_LEVELS = (N_("area"), N_("pillar"), N_("decision"), N_("item"))
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
    lang: Language | None = None,
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
        lang: the language of every sheet, label and dropdown (English when omitted). Official titles and ids stay
            as published; a file in any language loads like an English one.

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
    lang = lang or language()
    _ = lang.gettext
    name = catalog.members[member_id].name
    workbook.set_properties(
        {
            "title": _("{app} — actions of {name} ({member})").format(app=APP_NAME, name=name, member=member_id),
            "subject": _(ILLUSTRATIVE_TITLE)
            if illustrative
            else _("Member action template for {member}").format(member=member_id),
            "author": APP_NAME,
            "company": APP_NAME,
            "comments": _("Template for {member}.xlsx; see the Instructions sheet.").format(member=member_id),
        }
    )
    formats = _formats(workbook)
    actions_sheet = workbook.add_worksheet(_(ACTIONS_SHEET))
    instructions = workbook.add_worksheet(_(INSTRUCTIONS_SHEET))
    reference = workbook.add_worksheet(_(COMMITMENTS_SHEET))
    lists = workbook.add_worksheet(_(LISTS_SHEET))

    ranges = _write_lists(lists, catalog, member_id, lang)
    _write_actions(actions_sheet, formats, catalog, member_id, name, ordered, extras, extra_headers, illustrative, lang)
    _add_validations(actions_sheet, ranges, FIRST_DATA_ROW + len(ordered) + BLANK_ROWS - 1, lang)
    _write_instructions(
        instructions, formats, catalog, member_id, name, illustrative, today or settings.today(), public_record, lang
    )
    _write_reference(reference, formats, catalog, lang)
    actions_sheet.activate()
    workbook.close()
    return buffer.getvalue()


def template_from_dataset(
    dataset: Dataset,
    member_id: str,
    *,
    today: dt.date | None = None,
    actions: pd.DataFrame | None = None,
    lang: Language | None = None,
) -> bytes:
    """The template of one member pre-filled with that member's current actions in ``dataset``.

    Confidential actions are included unless ``actions`` leaves them out (see :func:`template_workbook`). The
    file is marked illustrative, or says its rows are the public record, when the member's own file is.

    Args:
        dataset: the loaded data set (``loaders.dataset.load_dataset``).
        member_id: a catalog member id; a member without a file gets an empty template.
        today: the date printed in the Instructions (today when omitted).
        actions: the member's actions to pre-fill (default: all of them in ``dataset``).
        lang: the workbook's language (English when omitted).

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
        dataset.catalog, member_id, actions, illustrative=illustrative, today=today, public_record=public, lang=lang
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
    lang: Language,
) -> None:
    _ = lang.gettext
    title = _("{app} — actions of {name} ({member})").format(app=APP_NAME, name=name, member=member_id)
    if illustrative:
        title += f" — {_(ILLUSTRATIVE_TITLE)}"
        if lang.code != "en":
            title += f" ({ILLUSTRATIVE_TITLE})"  # the reader's mark is the English word
    sheet.write_string(TITLE_ROW, 0, title, formats.warning if illustrative else formats.title)
    # No "illustrative" wording here: any title-row text containing it marks the file illustrative.
    sheet.write_string(
        POINTER_ROW,
        0,
        _(
            "Read the Instructions sheet first. Required columns have an orange header and a note saying so. "
            "Keep the file name {member}.xlsx."
        ).format(member=member_id),
        formats.pointer,
    )

    labels = {s.id: s.label_in(lang.code) for s in catalog.statuses.values()}
    for col, spec in enumerate(FIELDS):
        header = formats.required if spec.required else formats.header
        sheet.write_string(HEADER_ROW, col, _(spec.label), header)
        note = (_("Required.") + " " if spec.required else "") + _(spec.help)
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
            _("Not a template column: kept with the action but not used by the tracker."),
            {"author": APP_NAME, "x_scale": 2},
        )
        sheet.set_column(first_extra + offset, first_extra + offset, _EXTRA_WIDTH)

    records = actions.to_dict("records")
    for position, (action, extra) in enumerate(zip(records, extras, strict=True)):
        row = FIRST_DATA_ROW + position
        for col, spec in enumerate(FIELDS):
            value = _cell_value(spec.name, action.get(spec.name), labels)
            where = f"action {action.get('action_id') or position + 1}, {_(spec.label)}"
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


def _write_lists(sheet: Worksheet, catalog: Catalog, member_id: str, lang: Language) -> dict[str, str]:
    """Fill the hidden Lists sheet; returns {field: absolute range} for the dropdowns."""
    _ = lang.gettext
    columns: dict[str, tuple[str, Sequence[str]]] = {
        "status": (_("Status"), [s.label_in(lang.code) for s in catalog.statuses.values()]),
        "member": (_("Member"), [member_id]),
        "origin": (_("New or pre-existing"), _ORIGINS),
        "confidential": (_("Confidential"), _YES_NO),
        "commitments": (_("Commitment IDs"), list(catalog.commitments)),
        "asean_mechanisms": (_("ASEAN mechanisms"), list(catalog.mechanisms)),
    }
    ranges: dict[str, str] = {}
    name = _(LISTS_SHEET)
    sheet_ref = name if name.isalnum() else f"'{name}'"  # a sheet name with spaces is quoted in a formula
    for col, (field, (header, values)) in enumerate(columns.items()):
        sheet.write_string(0, col, header)
        for offset, value in enumerate(values, start=1):
            sheet.write_string(offset, col, value)
        letter = xl_col_to_name(col)
        ranges[field] = f"={sheet_ref}!${letter}$2:${letter}${len(values) + 1}"
    sheet.hide()
    # Protected as well as hidden, so unhiding it does not invite edits that break the dropdowns.
    sheet.protect()
    return ranges


def _add_validations(sheet: Worksheet, ranges: Mapping[str, str], last_row: int, lang: Language) -> None:
    """Dropdowns and date checks on the contract columns, from the first data row to ``last_row``."""
    _ = lang.gettext
    column = {spec.name: col for col, spec in enumerate(FIELDS)}
    labels = {spec.name: _(spec.label) for spec in FIELDS}

    def add(field: str, options: dict[str, Any]) -> None:
        sheet.data_validation(FIRST_DATA_ROW, column[field], last_row, column[field], options)

    strict = {"show_error": True, "error_type": "stop", "ignore_blank": True}
    add(
        "status",
        {
            "validate": "list",
            "source": ranges["status"],
            **strict,
            "error_title": _("Not a status"),
            "error_message": _("Pick a status from the list (the scale is explained on the Instructions sheet)."),
        },
    )
    add(
        "member",
        {
            "validate": "list",
            "source": ranges["member"],
            **strict,
            "error_title": _("Not this file's member"),
            "error_message": _("A file holds one member's actions: use the member id in the file name."),
        },
    )
    add(
        "origin",
        {
            "validate": "list",
            "source": ranges["origin"],
            **strict,
            "error_title": _("New or pre-existing"),
            "error_message": _("Write new (started under the 2023 frameworks) or pre-existing, or leave it blank."),
        },
    )
    add(
        "confidential",
        {
            "validate": "list",
            "source": ranges["confidential"],
            **strict,
            "error_title": _("Yes or no"),
            "error_message": _("Write yes or no (blank means no)."),
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
                "input_title": labels[field],
                "input_message": _(
                    "Pick one id, or type several separated by ; (e.g. {example}). The ids are listed on the "
                    "Commitments sheet."
                ).format(example=example)
                + (
                    " " + _("Titles marked (working item, not official) there are not official items.")
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
                "error_title": _("Not a date"),
                "error_message": _("Enter a date from 2000 on, e.g. 2024-03-31 (YYYY-MM-DD) or 31/03/2024."),
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
    public_record: dt.date | None,
    lang: Language,
) -> None:
    _ = lang.gettext
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 16)
    sheet.set_column(2, 2, 100)
    evidence_labels = _(" or ").join(
        catalog.statuses[s].label_in(lang.code) for s in catalog.scale.requires_evidence if s in catalog.statuses
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

    line(
        _("{app}: how to fill in the actions of {name} ({member})").format(app=APP_NAME, name=name, member=member_id),
        formats.title,
    )
    if illustrative:
        line(
            _(
                "This file holds ILLUSTRATIVE SAMPLE DATA, invented for demonstration. It is not real reporting; "
                "do not cite it."
            ),
            formats.warning,
        )
    if public_record is not None:
        line(
            _(
                "The rows below come from the PUBLIC RECORD: compiled from public web pages read on {day}, not "
                "reported by {name}. Check each row against the page in its Evidence column, correct or complete "
                "it, then upload the file: once applied, it is your own report."
            ).format(day=lang.date(public_record), name=name),
            formats.warning,
        )
    heading(_("What this file is"))
    for text in (
        _(
            "The Actions sheet lists the actions {name} reports toward the Bali Process Adelaide Strategy and the "
            "ASEAN Bohol TIP Work Plan, as recorded on {day}: one row per action."
        ).format(name=name, day=lang.date(today)),
        _(
            "Edit the rows, add new ones, then upload the file on the Submit an update page (or send it to the "
            "secretariat). Nothing changes until a reviewer approves the upload."
        ),
        _("Applying the file REPLACES all of {member}'s records with the rows of the Actions sheet.").format(
            member=member_id
        ),
        _("Keep the file name {member}.xlsx: the file name says whose actions these are.").format(member=member_id),
        _("Statuses are the member's own report of its progress, not a rating by the secretariat."),
        _("Keep the header row as it is. Columns you add are kept with each action but not used."),
    ):
        line(text)

    heading(_("The columns"))
    sheet.write_string(row, 0, _("Column"), formats.table_header)
    sheet.write_string(row, 1, _("Required?"), formats.table_header)
    sheet.write_string(row, 2, _("What to write"), formats.table_header)
    row += 1
    for spec in FIELDS:
        if spec.required:
            required = _("yes")
        elif spec.name == "evidence" and evidence_labels:
            required = _("when {statuses}").format(statuses=evidence_labels)
        elif spec.name == "action_id":
            required = _("no (blank = new)")
        else:
            required = _("no")
        sheet.write_string(row, 0, _(spec.label), formats.cell)
        sheet.write_string(row, 1, required, formats.cell)
        sheet.write_string(row, 2, _(spec.help), formats.wrap)
        row += 1

    heading(_("The status scale"))
    sheet.write_string(row, 0, _("Status"), formats.table_header)
    sheet.write_string(row, 1, _("Icon"), formats.table_header)
    sheet.write_string(row, 2, _("Meaning"), formats.table_header)
    row += 1
    for status in catalog.statuses.values():
        sheet.write_string(row, 0, status.label_in(lang.code), formats.cell)
        sheet.write_string(row, 1, status.icon, formats.cell)
        sheet.write_string(row, 2, status.description_in(lang.code), formats.wrap)
        row += 1
    if catalog.scale.note and lang.code == SOURCE_LANGUAGE:  # the catalog's own note is English
        line(catalog.scale.note)

    heading(_("How to"))
    for text in (
        _(
            "Add an action: fill in a new row below the last one and leave Action ID blank; an id such as "
            "{member}-014 is assigned when the file is applied."
        ).format(member=member_id),
        _(
            "Change an action: edit its row and set Last updated to the date you checked it. Do not change its "
            "Action ID."
        ),
        _(
            "Remove an action: delete its whole row. Because applying the file replaces the member's records, a "
            "row that is no longer in the file is removed."
        ),
        _(
            "Complete needs evidence: an action marked {statuses} must have a web address (https://…) or a "
            "document reference in Evidence."
        ).format(statuses=evidence_labels or catalog.statuses["complete"].label_in(lang.code)),
        _(
            "Dates: an Excel date, YYYY-MM-DD (2024-03-31) or DD/MM/YYYY (31/03/2024). Nothing else is guessed. "
            "Last updated may not be in the future; Due date may not be before Start date."
        ),
        _(
            "Commitment IDs and ASEAN mechanisms: the dropdown offers one id; type several separated by ; "
            "(e.g. ASC-6; BWP-B.2). The Commitments sheet lists every id."
        ),
        _("Confidential actions (Confidential = yes) are shown only to reviewers, never to public viewers."),
        _("Save as Excel Workbook (.xlsx). Macro-enabled workbooks (.xlsm) and password-protected files are refused."),
    ):
        line(text)
    if lang.code != "en":
        line(
            _(
                "Titles of the frameworks and their areas are official English titles and are kept as published; "
                "ids are the same in every language. A file in this language loads exactly like an English one."
            )
        )


# --- Commitments reference sheet -------------------------------------------------------------


def _write_reference(sheet: Worksheet, formats: _Formats, catalog: Catalog, lang: Language) -> None:
    _ = lang.gettext
    widths = (12, 20, 10, 50, 90, 24)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width, formats.wrap if col in (3, 4) else None)
    sheet.write_string(0, 0, _("Commitments and ASEAN mechanisms: the ids to use in the Actions sheet"), formats.title)
    sheet.write_string(1, 0, _("This sheet is read-only reference."), formats.pointer)
    row = 3
    for col, header in enumerate((_("ID"), _("Framework"), _("Level"), _("Title"), _("Summary"), _("Confidence"))):
        sheet.write_string(row, col, header, formats.table_header)
    frameworks = {f.id: f.short_name for f in catalog.frameworks.values()}
    for commitment in catalog.commitments.values():
        row += 1
        title = commitment.title + (f" {_(WORKING_ITEM)}" if commitment.placeholder else "")
        values = (
            commitment.id,
            frameworks.get(commitment.framework, commitment.framework),
            _(commitment.level),
            title,
            commitment.summary,
            f"{commitment.confidence} — {_(CONFIDENCE_LABELS.get(commitment.confidence, ''))}",
        )
        for col, value in enumerate(values):
            sheet.write_string(row, col, value, formats.wrap if col in (3, 4) else None)
    row += 2
    sheet.write_string(row, 0, _("ID"), formats.table_header)
    sheet.write_string(row, 1, _("ASEAN mechanism"), formats.table_header)
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
