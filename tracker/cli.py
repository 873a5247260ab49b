"""Command line: ``python -m tracker <command>``.

A thin layer over the same functions the app calls. Exit status (a contract):
0 when the data has no error (warnings allowed), 1 when it has errors, 2 when
the command itself is misused (unknown option, missing path).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import json
import os
import sys
import time
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loaders.catalog import Catalog, load_catalog
from loaders.dataset import Dataset, build_dataset, expand_paths, load_dataset, read_files
from loaders.i18n import SOURCE_LANGUAGE, available, language
from loaders.issues import Issue, has_errors
from loaders.members import parse_member_id
from loaders.tables import read_member_file
from tracker import settings
from tracker.access import Role, User, load_roles
from tracker.cli_catalog import add_catalog_parser, run_catalog
from tracker.records.rounds import (
    RoundError,
    Rounds,
    close_round,
    response_counts,
    response_sentence,
    round_states,
    round_summary,
)
from tracker.records.snapshots import Snapshots
from tracker.records.store import Store, StoreBusyError

# The briefing pack, exports, site, template and views (plotly, jinja2, xlsxwriter, the figures) are imported by
# the commands that use them: `validate`, the command run most, needs none of them (~0.15 s of every start).
if TYPE_CHECKING:
    from tracker.views.filters import Filters

EXIT_OK, EXIT_DATA_ERRORS, EXIT_MISUSE = 0, 1, 2
MAX_TEXT_ISSUES = 200
"""Issues printed one by one by ``validate`` without ``--json`` (which always lists them all): a damaged
file can raise thousands, and a terminal of them hides the summary."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept separate so docs and tests can inspect it)."""
    # The directory options are accepted before or after the command name.
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="directory of member files (default: $TRACKER_DATA_DIR, else the bundled illustrative sample)",
    )
    shared.add_argument(
        "--catalog-dir", default=argparse.SUPPRESS, help="catalog directory (default: the bundled commitments/)"
    )
    parser = argparse.ArgumentParser(
        prog="python -m tracker",
        description="Commitments Tracker: validate and manage Bali Process / ASEAN commitment records.",
        parents=[shared],
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        parents=[shared],
        help="check member files and the catalog; prints every issue",
        description="Check member files (or directories of them) and the catalog. With no PATH, checks the "
        "data directory. Exit 0 = no errors, 1 = errors, 2 = misuse.",
    )
    validate.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to check")
    validate.add_argument("--json", action="store_true", help="print one JSON object (the documented contract)")
    validate.add_argument(
        "--lang",
        choices=available(),
        default=SOURCE_LANGUAGE,
        help="the language of the messages (codes and the JSON keys never change); messages without a "
        "translation yet stay English",
    )

    template = commands.add_parser(
        "template",
        parents=[shared],
        help="write a member's pre-filled spreadsheet template (.xlsx)",
        description="Write the spreadsheet template of one member, pre-filled with that member's current actions "
        "from the data directory (confidential ones included: the template is for the member's own focal point). "
        "Exit 0 = written, 1 = the data cannot be written into a template, 2 = misuse.",
    )
    template.add_argument("member", metavar="MEMBER", help="member id, e.g. IDN or IOM")
    template.add_argument("--out", required=True, metavar="FILE.xlsx", help="where to write the workbook")
    template.add_argument(
        "--lang",
        choices=available(),
        default=SOURCE_LANGUAGE,
        help="the workbook's language: sheets, labels, instructions, the status dropdown (a file in any language "
        "loads like an English one)",
    )

    apply = commands.add_parser(
        "apply",
        parents=[shared],
        help="validate a member file and make it that member's records (with history)",
        description="Validate FILE and, if it has no error, replace its member's records in the data directory "
        "with it: new rows get ids, the previous file is kept under _history/versions and every change is "
        "logged. The same code path as a reviewer's approval in the app. Exit 0 = applied (or nothing to "
        "change), 1 = the file has errors (nothing written), 2 = misuse.",
    )
    apply.add_argument("file", metavar="FILE", help="a member file named after its member, e.g. IDN.xlsx")
    apply.add_argument("--by", metavar="NAME", help="who is applying it, for the history log (default: your login)")

    snapshot = commands.add_parser(
        "snapshot",
        parents=[shared],
        help="freeze the current records under a meeting name",
        description="Freeze the current validated records (confidential ones included) under NAME, e.g. "
        "'19th AHG SOM, Dec 2025'. Snapshots cannot be replaced. Exit 0 = taken, 1 = the name is used or "
        "the data has errors worth fixing first, 2 = misuse.",
    )
    snapshot.add_argument(
        "name", metavar="NAME", nargs="?", help="the meeting or occasion, e.g. '19th AHG SOM, Dec 2025'"
    )
    snapshot.add_argument("--by", metavar="NAME", help="who takes it (default: your login)")
    snapshot.add_argument("--list", action="store_true", help="list the existing snapshots instead of taking one")

    brief = commands.add_parser(
        "brief",
        parents=[shared],
        help="write the briefing pack for a meeting (.html or .pdf)",
        description="Write the briefing pack: key figures, what moved (since a snapshot, else in the last six "
        "months), what is stuck, what nobody covers, ASEAN overlap highlights and member profiles. .html is one "
        "self-contained file (opens offline); .pdf is printed from it with headless Chromium ($CHROMIUM_PATH, else "
        "chromium). The pack is for circulation: confidential actions are left out unless --include-confidential. "
        "Exit 0 = written, 1 = the file could not be made (e.g. no Chromium for a PDF), 2 = misuse.",
    )
    brief.add_argument("--out", required=True, metavar="FILE.html|FILE.pdf", help="where to write the pack")
    _scope_options(brief)
    brief.add_argument(
        "--since", metavar="SNAPSHOT", help="report changes since this snapshot (name or folder; see snapshot --list)"
    )
    brief.add_argument(
        "--lang",
        choices=available(),
        default=SOURCE_LANGUAGE,
        help="the pack's language: every sentence, heading, chart, status label and member name (working "
        "translations; official titles and ids stay as published); the numbers are the same in every language",
    )

    _round_parser(commands, shared)

    export = commands.add_parser(
        "export",
        parents=[shared],
        help="export the records in scope (.xlsx workbook or .csv of actions)",
        description="Export the records in scope: .xlsx is the workbook of the filtered view (an About sheet, "
        "then Actions, Status by area, Status by member, Gap matrix, Overdue, Uncovered commitments); .csv is every "
        "action in scope with all its fields. Text that a spreadsheet would run as a formula is neutralised. "
        "Confidential actions are left out unless --include-confidential. Exit 0 = written, 2 = misuse.",
    )
    where = export.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="FILE.xlsx|FILE.csv", help="where to write the export")
    where.add_argument(
        "--datapackage",
        metavar="DIR",
        help="write every record and the catalog as a Frictionless Data Package (datapackage.json and CSV files) "
        "into DIR, an existing folder (--member and --framework do not apply)",
    )
    _scope_options(export)
    export.add_argument(
        "--lang",
        choices=available(),
        default=SOURCE_LANGUAGE,
        help="the language of the workbook (sheet names, column headers, the About sheet; numbers unchanged) and "
        "of the data label in the CSV; the CSV's columns are the contract's field names in every language, and the "
        "data package (--datapackage) is the same in every language",
    )

    publish = commands.add_parser(
        "publish",
        parents=[shared],
        help="write the public view as a static website (no server needed)",
        description="Write a read-only static HTML site of the public view into DIR: an overview, a page per area "
        "or pillar and per member, the gap matrix and the ASEAN crosswalk, each chart with its table, plotly.js "
        "copied once into DIR/assets and the open data package in DIR/data. Confidential actions are never "
        "included. Opens from the file system or any static host; the same data gives the same files. "
        "Exit 0 = written, 2 = misuse.",
    )
    publish.add_argument("--out", required=True, metavar="DIR", help="an existing folder to write the site into")
    publish.add_argument(
        "--lang",
        choices=["en"],
        default="en",
        help="the site's language (English; Bahasa Indonesia comes with the translation catalogues)",
    )
    add_catalog_parser(commands, shared)
    return parser


def _round_parser(commands: Any, shared: argparse.ArgumentParser) -> None:
    """``round open|status|no-change|remind|close``: the reporting round (README, "Reporting rounds")."""
    round_ = commands.add_parser(
        "round",
        parents=[shared],
        help="run a reporting round: open, status, no-change, remind, close",
        description="The secretariat's call for updates before a meeting. Exit 0 = done, 1 = a reminder failed "
        "(remind) or the data has errors, 2 = misuse (no open round, a second open round, an unknown member).",
    )
    actions = round_.add_subparsers(dest="round_command", required=True, metavar="ACTION")
    opened = actions.add_parser("open", parents=[shared], help="open a round (one at a time)")
    opened.add_argument("name", metavar="NAME", help="e.g. 'Update for the 20th AHG SOM'")
    opened.add_argument("--closes", required=True, metavar="YYYY-MM-DD", help="the last day to answer")
    opened.add_argument("--opens", metavar="YYYY-MM-DD", help="the first day (default: today)")
    opened.add_argument("--framework", action="append", default=[], metavar="ID", help="in scope (repeat); default all")
    opened.add_argument("--member", action="append", default=[], metavar="ID", help="in scope (repeat); default all")
    opened.add_argument("--instructions", default="", metavar="TEXT", help="what focal points are asked to do")
    opened.add_argument(
        "--timezone", metavar="ZONE", help="the dates' time zone (default: $TRACKER_TIMEZONE, else Asia/Bangkok)"
    )
    opened.add_argument("--by", metavar="NAME", help="who opens it (default: your login)")
    status = actions.add_parser("status", parents=[shared], help="each member's state in the open (or last) round")
    status.add_argument("--json", action="store_true", help="print one JSON object (the documented contract)")
    no_change = actions.add_parser(
        "no-change", parents=[shared], help="record a member's 'nothing changed since the last round'"
    )
    no_change.add_argument("member", metavar="MEMBER", help="member id, e.g. IDN")
    no_change.add_argument("--by", required=True, metavar="NAME", help="the focal point who confirmed it")
    remind = actions.add_parser(
        "remind",
        parents=[shared],
        help="e-mail the focal points of members who have not answered",
        description="E-mail a reminder to the focal points (_roles.yaml) of each member in scope that is waiting "
        "or whose update was returned, at most once a day each unless --force, through the SMTP relay in "
        "$TRACKER_SMTP_HOST, $TRACKER_SMTP_PORT, $TRACKER_SMTP_FROM (optional $TRACKER_SMTP_USER, "
        "$TRACKER_SMTP_PASSWORD, $TRACKER_SMTP_STARTTLS=1, $TRACKER_SMTP_SSL=1). Without SMTP, --out DIR writes "
        "the messages as .eml files and a mail-merge CSV. Exit 1 when any message failed.",
    )
    remind.add_argument("--dry-run", action="store_true", help="print the messages that would be sent; send none")
    remind.add_argument("--member", action="append", default=[], metavar="ID", help="only this member (repeat)")
    remind.add_argument("--force", action="store_true", help="send even to members reminded today")
    remind.add_argument("--out", metavar="DIR", help="write .eml files and mail-merge.csv to DIR instead of sending")
    remind.add_argument("--by", metavar="NAME", help="who sends them, for the round's log (default: your login)")
    close = actions.add_parser("close", parents=[shared], help="close the open round and freeze a snapshot of it")
    close.add_argument("--by", metavar="NAME", help="who closes it (default: your login)")


def _scope_options(command: argparse.ArgumentParser) -> None:
    """The scope and confidentiality options shared by ``brief`` and ``export``."""
    command.add_argument(
        "--member",
        action="append",
        default=[],
        metavar="ID",
        help="only this member, e.g. IDN (repeat for several); with 12 members or fewer the pack has a profile each",
    )
    command.add_argument("--framework", metavar="ID", help="only this framework: ASC (Adelaide) or BWP (Bohol)")
    command.add_argument(
        "--include-confidential",
        action="store_true",
        help="include confidential actions: for internal use only, never for circulation (the default leaves "
        "them out, as for a viewer of the dashboard)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    args.data_dir = getattr(args, "data_dir", None)
    args.catalog_dir = getattr(args, "catalog_dir", None)
    try:
        settings.today()
    except ValueError as problem:  # a bad TRACKER_TODAY is a misused command, not bad data
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_MISUSE
    if args.command == "validate":
        return _validate(args, parser)
    if args.command == "template":
        return _template(args)
    if args.command == "apply":
        return _apply(args)
    if args.command == "snapshot":
        return _snapshot(args)
    if args.command in ("brief", "export"):
        return _brief_or_export(args)
    if args.command == "round":
        return _round(args)
    if args.command == "publish":
        return _publish(args)
    if args.command == "catalog":
        data_dir = _data_dir(args)
        return EXIT_MISUSE if data_dir is None else run_catalog(args, data_dir)
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse rejects it first
    return EXIT_MISUSE


def _data_dir(args: argparse.Namespace) -> Path | None:
    """The data directory the command works on, or None (with a message) when it does not exist."""
    data_dir = settings.data_dir(args.data_dir)
    if not data_dir.is_dir():
        print(f"error: the data directory {data_dir} does not exist", file=sys.stderr)
        return None
    return data_dir


def _display_names(files: Sequence[Path]) -> list[str]:
    """How issues name each file: its bare name, or the path as given where two files share a name."""
    counts = Counter(p.name for p in files)
    return [str(p) if counts[p.name] > 1 else p.name for p in files]


def _validate(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    catalog = load_catalog(settings.catalog_dir(args.catalog_dir))
    if args.paths:
        paths = [Path(p) for p in args.paths]
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            print(f"error: no such file or directory: {', '.join(missing)}", file=sys.stderr)
            return EXIT_MISUSE
        files = expand_paths(paths)
        raws = read_files(files, names=_display_names(files))
        dataset = build_dataset(catalog, raws, paths=files, today=settings.today())
        scope = f"{len(files)} file(s)"
    else:
        data_dir = _data_dir(args)
        if data_dir is None:
            return EXIT_MISUSE
        dataset = load_dataset(data_dir, catalog, today=settings.today())
        scope = f"{len(dataset.files)} file(s) in {data_dir}"

    lang = language(args.lang)
    issues = [issue.in_language(lang) for issue in dataset.issues]
    ok = not has_errors(issues)
    if args.json:
        print(json.dumps({"ok": ok, "issues": [i.to_dict() for i in issues]}, ensure_ascii=False, indent=2))
    else:
        _print_text(issues, scope, len(dataset.actions))
        _say_origin(dataset, "the app, packs and exports say so")  # not in --json: its output is one object
    return EXIT_OK if ok else EXIT_DATA_ERRORS


def _template(args: argparse.Namespace) -> int:
    # The member id is checked (form, then catalog) before it is used anywhere near a path.
    member = parse_member_id(args.member)
    if member is None:
        print(
            f"error: '{args.member}' is not a member id; use three letters such as IDN, or IOM, UNHCR, UNODC, ILO",
            file=sys.stderr,
        )
        return EXIT_MISUSE
    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"error: --out must name an .xlsx file (got '{args.out}'), e.g. --out {member}.xlsx", file=sys.stderr)
        return EXIT_MISUSE
    catalog = load_catalog(settings.catalog_dir(args.catalog_dir))
    if member not in catalog.members:
        print(f"error: '{member}' is not a member in the catalog; see commitments/members.yaml", file=sys.stderr)
        return EXIT_MISUSE
    if not out.parent.is_dir():
        print(f"error: the folder {out.parent} does not exist; create it or choose another --out", file=sys.stderr)
        return EXIT_MISUSE
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE

    from tracker.documents.template import template_from_dataset

    dataset = load_dataset(data_dir, catalog, today=settings.today())
    # Confidential actions are included on purpose: the template goes to the member's own
    # focal point, who reports them. Access to the file is the caller's business.
    try:
        data = template_from_dataset(dataset, member, lang=language(args.lang))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERRORS
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"error: cannot write {out} ({exc.strerror})", file=sys.stderr)
        return EXIT_MISUSE

    actions = dataset.actions[dataset.actions["member"] == member]
    files = dataset.files[dataset.files["member"] == member]
    errors = int(files["errors"].sum())
    if errors:
        # Rows with errors are not in the validated data, so they are not in the template either;
        # applying the template as it is would drop them.
        print(
            f"warning: {', '.join(files['file'])} has {errors} error(s); rows with errors are not in the template. "
            f"Fix them first (python -m tracker validate {data_dir / files['file'].iloc[0]}).",
            file=sys.stderr,
        )
    if out.stem != member:
        print(f"note: upload it as {member}.xlsx; the file name says whose actions it holds.", file=sys.stderr)
    confidential = int(actions["confidential"].sum())
    print(
        f"Wrote {out}: template for {catalog.members[member].name} ({member}) with {len(actions)} action(s), "
        f"{confidential} of them confidential."
    )
    return EXIT_OK


def _print_text(issues: list[Issue], scope: str, valid_actions: int) -> None:
    for issue in issues[:MAX_TEXT_ISSUES]:
        print(f"{issue.severity.upper():7} {issue.code:24} {issue.message}")
    if len(issues) > MAX_TEXT_ISSUES:
        print(f"… and {len(issues) - MAX_TEXT_ISSUES:,} more issues; run with --json for the full list.")
    errors = sum(i.severity == "error" for i in issues)
    warnings = len(issues) - errors
    verdict = "OK" if errors == 0 else "ERRORS"
    print(f"{verdict}: {errors} error(s), {warnings} warning(s); {valid_actions} valid action(s) in {scope}.")


def _apply(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        print(f"error: no such file: {path}", file=sys.stderr)
        return EXIT_MISUSE
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE
    name = args.by or getpass.getuser()
    # Whoever can run this command can already write to the data directory: they act as an admin.
    user = User(id=name, name=name, role=Role.ADMIN)
    store = Store(data_dir, load_catalog(settings.catalog_dir(args.catalog_dir)))
    try:
        result = store.apply(read_member_file(path), user)
    except StoreBusyError as busy:
        print(f"error: {busy}", file=sys.stderr)
        return EXIT_DATA_ERRORS
    for issue in result.preview.issues:
        print(f"{issue.severity.upper():7} {issue.code:24} {issue.message}")
    if not result.ok:
        print(f"NOT APPLIED: {path.name} has errors; nothing was written.")
        return EXIT_DATA_ERRORS
    diff = result.preview.diff
    ids = f" New ids: {', '.join(result.assigned_ids)}." if result.assigned_ids else ""
    print(f"APPLIED {path.name} to {result.written}: {diff.summary() if diff else ''}.{ids} Change {result.change_id}.")
    return EXIT_OK


def _snapshot(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE
    snapshots = Snapshots(data_dir)
    if args.list:
        for info in snapshots.list():
            print(f"{info.slug:40} {info.name} (taken {info.taken_at[:10]} by {info.taken_by}; {info.actions} actions)")
        return EXIT_OK
    if not args.name:
        print("error: give the snapshot a NAME, e.g. snapshot '19th AHG SOM, Dec 2025'", file=sys.stderr)
        return EXIT_MISUSE
    name = args.by or getpass.getuser()
    dataset = load_dataset(data_dir, load_catalog(settings.catalog_dir(args.catalog_dir)), today=settings.today())
    try:
        info = snapshots.take(dataset, args.name, User(id=name, name=name, role=Role.ADMIN))
    except ValueError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_DATA_ERRORS
    errors = len(dataset.errors)
    note = f" Note: {errors} row(s)/file(s) with errors are not in it." if errors else ""
    print(f"Snapshot '{info.name}' taken: {info.actions} actions, data as of {info.data_as_of}.{note}")
    return EXIT_OK


def _brief_or_export(args: argparse.Namespace) -> int:
    from tracker.documents.brief import PdfExportError, brief_html, brief_pdf, build_brief
    from tracker.documents.exports import all_data_csv, data_as_of, view_workbook
    from tracker.views.filters import apply_filters

    if getattr(args, "datapackage", None):
        return _datapackage(args)
    out = Path(args.out)
    allowed = {"brief": (".html", ".pdf"), "export": (".xlsx", ".csv")}[args.command]
    if out.suffix.lower() not in allowed:
        example = f"{args.command}{allowed[0]}"
        print(
            f"error: --out must name a {' or '.join(allowed)} file (got '{args.out}'), e.g. --out {example}",
            file=sys.stderr,
        )
        return EXIT_MISUSE
    if not out.parent.is_dir():
        print(f"error: the folder {out.parent} does not exist; create it or choose another --out", file=sys.stderr)
        return EXIT_MISUSE
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE
    catalog = load_catalog(settings.catalog_dir(args.catalog_dir))
    filters = _scope_filters(args, catalog)
    if filters is None:
        return EXIT_MISUSE
    snapshot = None
    if getattr(args, "since", None):
        snapshots = Snapshots(data_dir)
        try:
            snapshot = snapshots.load(args.since)
        except KeyError:
            names = ", ".join(f"'{i.name}'" for i in snapshots.list()) or "none yet (python -m tracker snapshot NAME)"
            print(f"error: no snapshot named '{args.since}'; the snapshots are: {names}", file=sys.stderr)
            return EXIT_MISUSE

    dataset = load_dataset(data_dir, catalog, today=settings.today())
    shown = _as_shown(dataset)  # the pack and the workbook show; the CSV of all data keeps the records as they are
    confidential = bool(args.include_confidential)
    today = settings.today()
    if args.command == "brief":
        started = time.perf_counter()
        lang = language(args.lang)
        html = brief_html(
            build_brief(
                dataclasses.replace(shown, catalog=shown.catalog.in_language(lang.code)),
                filters,
                user_can_see_confidential=confidential,
                since=snapshot,
                today=today,
                round_summary=round_summary(data_dir, Store(data_dir, catalog), lang=lang),
                lang=lang,
            )
        )
        if out.suffix.lower() == ".pdf":
            try:
                brief_pdf(html, out)
            except PdfExportError as problem:
                print(f"error: {problem}", file=sys.stderr)
                return EXIT_DATA_ERRORS
        else:
            out.write_text(html, encoding="utf-8")
        took = time.perf_counter() - started
        what = f"briefing pack ({len(html) / 1e6:.1f} MB of HTML)" if out.suffix.lower() == ".html" else "briefing pack"
        print(f"Wrote {out}: {what} in {took:.1f} s.")
    else:
        lang = language(args.lang)
        if out.suffix.lower() == ".xlsx":  # status labels and members' names in the workbook's language too
            spoken = dataclasses.replace(shown, catalog=shown.catalog.in_language(lang.code))
            view = apply_filters(spoken, filters, can_see_confidential=confidential)
            data = view_workbook(
                view, filters, data_as_of=data_as_of(view), today=today, confidential_included=confidential, lang=lang
            )
        else:
            data = all_data_csv(dataset, can_see_confidential=confidential, filters=filters, lang=lang)
        out.write_bytes(data)
        print(f"Wrote {out}.")
    if confidential:
        print("note: confidential actions are included: for internal use only.", file=sys.stderr)
    _say_origin(dataset, "the file says so")
    return EXIT_OK


def _say_origin(dataset: Dataset, where: str) -> None:
    """A note on stdout when the records are not members' own reporting (the output says so too)."""
    if dataset.illustrative:
        print(f"note: the data is the illustrative sample (generated, not real reporting); {where}.")
    if dataset.public_record is not None:
        print(f"note: the data is the public record compiled from public sources (not reported by members); {where}.")


def _as_shown(dataset: Dataset) -> Dataset:
    """The records as packs, workbooks and the site show them: pillar level if TRACKER_WORKING_ITEMS=pillar."""
    from tracker.views.pillar_level import at_pillar_level

    return at_pillar_level(dataset) if settings.working_items() == "pillar" else dataset


def _scope_filters(args: argparse.Namespace, catalog: Catalog) -> Filters | None:
    """``--member`` and ``--framework`` as :class:`Filters`; prints the problem and returns None when invalid."""
    from tracker.views.filters import Filters

    members = []
    for raw in args.member:
        member = parse_member_id(raw)
        if member is None or member not in catalog.members:
            print(
                f"error: '{raw}' is not a member in the catalog; use an id such as IDN, or IOM, UNHCR, UNODC, ILO "
                "(see commitments/members.yaml)",
                file=sys.stderr,
            )
            return None
        members.append(member)
    framework = None
    if args.framework:
        framework = args.framework.strip().upper()
        if framework not in catalog.frameworks:
            print(
                f"error: '{args.framework}' is not a framework; use one of {', '.join(catalog.frameworks)}",
                file=sys.stderr,
            )
            return None
    return Filters(framework=framework, members=tuple(dict.fromkeys(members)))


# --- reporting rounds ------------------------------------------------------------------------------


def _round(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE
    catalog = load_catalog(settings.catalog_dir(args.catalog_dir))
    store = Store(data_dir, catalog)
    rounds = Rounds(data_dir)
    for problem in rounds.problems():
        print(f"warning: {problem}", file=sys.stderr)
    name = getattr(args, "by", None) or getpass.getuser()
    # Whoever can run this command can already write to the data directory: they act as an admin.
    user = User(id=name, name=name, role=Role.ADMIN)
    try:
        if args.round_command == "open":
            return _round_open(args, rounds, catalog, user)
        if args.round_command == "status":
            return _round_status(args, rounds, store)
        if args.round_command == "no-change":
            return _round_no_change(args, rounds, catalog, user)
        if args.round_command == "remind":
            return _round_remind(args, rounds, store, user)
        dataset = load_dataset(data_dir, catalog, today=settings.today())
        closed = close_round(rounds, store, dataset, user)
    except RoundError as misuse:
        print(f"error: {misuse}", file=sys.stderr)
        return EXIT_MISUSE
    except StoreBusyError as busy:
        print(f"error: {busy}", file=sys.stderr)
        return EXIT_DATA_ERRORS
    assert closed.responses is not None
    print(f"Closed '{closed.name}'. Snapshot '{closed.snapshot}' taken.")
    print(response_sentence(closed.name, closed.responses, closed=True))
    return EXIT_OK


def _round_open(args: argparse.Namespace, rounds: Rounds, catalog: Catalog, user: User) -> int:
    try:
        closes = dt.date.fromisoformat(args.closes)
        # By default the round opens today where its dates are read (a round made late at night in Bangkok
        # opens on the Bangkok date, whatever the server's clock says).
        zone = zoneinfo.ZoneInfo(args.timezone or settings.timezone())
        opens = dt.date.fromisoformat(args.opens) if args.opens else settings.today(zone)
    except ValueError:
        raise RoundError(f"dates are YYYY-MM-DD (got --closes {args.closes!r}, --opens {args.opens!r})") from None
    except zoneinfo.ZoneInfoNotFoundError:
        zone_name = args.timezone or f"{settings.timezone()} (TRACKER_TIMEZONE)"
        raise RoundError(f"'{zone_name}' is not a time zone; use a name such as Asia/Bangkok") from None
    opened = rounds.open(
        args.name,
        opens=opens,
        closes=closes,
        by=user,
        known_members=catalog.members,
        known_frameworks=catalog.frameworks,
        frameworks=args.framework,
        members=[parse_member_id(m) or m for m in args.member],
        instructions=args.instructions,
        timezone=args.timezone,
    )
    scope = len(opened.scope({m: e.name for m, e in catalog.members.items()}))
    print(f"Opened '{opened.name}': {opened.describe_dates()}, {scope} member(s) in scope.")
    return EXIT_OK


def _round_status(args: argparse.Namespace, rounds: Rounds, store: Store) -> int:
    round_ = rounds.latest()
    if round_ is None:
        raise RoundError("No reporting round has been opened yet (python -m tracker round open NAME --closes DATE).")
    states = round_states(round_, store)
    if args.json:
        document = {
            "round": {
                "name": round_.name,
                "opens": round_.opens.isoformat(),
                "closes": round_.closes.isoformat(),
                "state": round_.state,
            },
            "members": [
                {"member": s.member, "state": s.state, "overdue": s.overdue, "last_reminder": s.last_reminder}
                for s in states
            ],
        }
        print(json.dumps(document, ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{round_.name} ({round_.state}): {round_.describe_dates()}")
    for s in states:
        overdue = " OVERDUE" if s.overdue else ""
        print(f"  {s.member:6} {s.state:10}{overdue:8} last reminder {s.last_reminder or '-'}")
    print(response_sentence(round_.name, response_counts(states), closed=round_.state == "closed"))
    return EXIT_OK


def _round_no_change(args: argparse.Namespace, rounds: Rounds, catalog: Catalog, user: User) -> int:
    member = parse_member_id(args.member)
    if member is None or member not in catalog.members:
        raise RoundError(f"'{args.member}' is not a member in the catalog; see commitments/members.yaml")
    round_ = rounds.confirm_no_change(member, user)
    print(f"Recorded: {catalog.members[member].name} ({member}) has nothing to change in '{round_.name}'.")
    return EXIT_OK


def _round_remind(args: argparse.Namespace, rounds: Rounds, store: Store, user: User) -> int:
    # Imported here: the mail machinery (smtplib, email) is only needed by this command.
    from tracker.documents.reminders import SmtpSettings, plan_reminders, reminders_zip, send_reminders

    round_ = rounds.current()
    if round_ is None:
        raise RoundError("No reporting round is open; reminders go only for an open round.")
    catalog = store.catalog
    only = []
    for raw in args.member:
        member = parse_member_id(raw)
        if member is None or member not in catalog.members:
            raise RoundError(f"'{raw}' is not a member in the catalog; see commitments/members.yaml")
        only.append(member)
    try:
        smtp = SmtpSettings.from_env(os.environ)
    except ValueError as problem:
        raise RoundError(str(problem)) from None
    if smtp is None and not (args.dry_run or args.out):
        raise RoundError(
            "no SMTP relay is configured: set TRACKER_SMTP_HOST, TRACKER_SMTP_PORT and TRACKER_SMTP_FROM (see the "
            "README), or use --out DIR to write the messages as .eml files, or --dry-run to see them"
        )
    reminders, skipped = plan_reminders(
        round_,
        round_states(round_, store),
        load_roles(store.data_dir),
        {m: e.name for m, e in catalog.members.items()},
        now=dt.datetime.now(dt.UTC),
        app_url=settings.app_url(),
        only=only,
        force=args.force,
    )
    for reason in skipped:
        print(f"skipped: {reason}")
    if args.dry_run or args.out:
        for reminder in reminders:
            print(
                f"{'would send' if args.dry_run else 'written'}: {reminder.member} to {', '.join(reminder.to)}: "
                f"{reminder.subject}"
            )
        if args.out and not args.dry_run:
            out = Path(args.out)
            if not out.is_dir():
                raise RoundError(f"the folder {out} does not exist; create it or choose another --out")
            sender = smtp.sender if smtp else "secretariat@example.org"
            (out / "reminders.zip").write_bytes(reminders_zip(reminders, sender))
            print(f"Wrote {out / 'reminders.zip'}: {len(reminders)} message(s) and mail-merge.csv (nothing was sent).")
        return EXIT_OK
    assert smtp is not None
    outcomes = send_reminders(reminders, smtp, rounds, user)
    for outcome in outcomes:
        verdict = "sent" if outcome.sent else f"FAILED ({outcome.problem})"
        print(f"{verdict}: {outcome.member} to {', '.join(outcome.to)}")
    failed = sum(not o.sent for o in outcomes)
    print(f"{len(outcomes) - failed} sent, {failed} failed, {len(skipped)} skipped.")
    return EXIT_DATA_ERRORS if failed else EXIT_OK


# --- open data and the public site -------------------------------------------------------------------------


def _datapackage(args: argparse.Namespace) -> int:
    from tracker.documents.datapackage import write_datapackage

    out = Path(args.datapackage)
    if args.member or args.framework:
        print("error: --member and --framework do not apply to --datapackage (it holds every record)", file=sys.stderr)
        return EXIT_MISUSE
    if not out.is_dir():
        print(f"error: the folder {out} does not exist; create it or choose another --datapackage", file=sys.stderr)
        return EXIT_MISUSE
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE
    dataset = load_dataset(data_dir, load_catalog(settings.catalog_dir(args.catalog_dir)), today=settings.today())
    confidential = bool(args.include_confidential)
    written = write_datapackage(
        dataset,
        out,
        today=settings.today(),
        include_confidential=confidential,
        snapshots=Snapshots(data_dir).list(),
    )
    print(f"Wrote {written} and its CSV files. Check it with: frictionless validate {written}")
    if confidential:
        print("note: confidential actions are included: for internal use only.", file=sys.stderr)
    _say_origin(dataset, "the package says so")
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    from tracker.documents.datapackage import PACKAGE_FILES, write_datapackage
    from tracker.documents.site import publish_site

    out = Path(args.out)
    if not out.is_dir():
        print(f"error: the folder {out} does not exist; create it or choose another --out", file=sys.stderr)
        return EXIT_MISUSE
    data_dir = _data_dir(args)
    if data_dir is None:
        return EXIT_MISUSE
    dataset = load_dataset(data_dir, load_catalog(settings.catalog_dir(args.catalog_dir)), today=settings.today())
    today = settings.today()
    snapshots = Snapshots(data_dir).list()

    def write_data(folder: Path) -> list[str]:
        write_datapackage(dataset, folder, today=today, snapshots=snapshots)  # never with confidential actions
        return list(PACKAGE_FILES)

    files = publish_site(_as_shown(dataset), out, today=today, write_data=write_data)
    print(f"Wrote the public site to {out}: {len(files)} files; open {out / 'index.html'}.")
    _say_origin(dataset, "every page says so")
    return EXIT_OK
