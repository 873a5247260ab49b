"""``python -m tracker catalog import|log``: the secretariat's changes to the catalog itself.

``catalog import FILE --framework ID [--remap MAP.csv] [--dry-run] [--by NAME]`` replaces a framework's
entries with an official matrix (:mod:`tracker.records.catalog_update`); ``catalog log`` lists the catalog
changes made so far. Exit 0 = imported (or, with ``--dry-run``, it would be), 1 = refused (nothing written),
2 = misuse (a missing file, an unknown framework).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from loaders.catalog import load_catalog
from loaders.issues import has_errors
from loaders.matrix import read_matrix
from tracker import settings
from tracker.access import Role, User
from tracker.records.catalog_import import read_remap
from tracker.records.catalog_journal import read_catalog_log
from tracker.records.catalog_update import import_summary
from tracker.records.store import Store, StoreBusyError

EXIT_OK, EXIT_REFUSED, EXIT_MISUSE = 0, 1, 2


def add_catalog_parser(commands: Any, shared: argparse.ArgumentParser) -> None:
    """``catalog import`` and ``catalog log``."""
    catalog = commands.add_parser(
        "catalog",
        parents=[shared],
        help="import an official framework matrix into the catalog; list catalog changes",
        description="Change the catalog itself. Exit 0 = done, 1 = refused (nothing written), 2 = misuse.",
    )
    actions = catalog.add_subparsers(dest="catalog_command", required=True, metavar="ACTION")
    imported = actions.add_parser(
        "import",
        parents=[shared],
        help="replace a framework's entries with its official matrix, re-pointing actions",
        description="Read FILE (.xlsx, .xls, .ods or .csv; first sheet; a header row with ID, Parent, Title, "
        "Summary, Source), show what would change (entries added, retitled, removed; actions re-pointed) and, "
        "unless --dry-run, rewrite the catalog and re-point every member's actions in one crash-safe step, with "
        "history. Refused (exit 1, nothing written) while an action cites a removed id that MAP.csv "
        "(old_id,new_id) does not map, or when the matrix has errors.",
    )
    imported.add_argument("file", metavar="FILE", help="the official matrix, e.g. BWP-2.0-matrix.xlsx")
    imported.add_argument("--framework", required=True, metavar="ID", help="the framework it replaces, e.g. BWP")
    imported.add_argument("--remap", metavar="MAP.csv", help="old_id,new_id rows for the ids the matrix removes")
    imported.add_argument("--dry-run", action="store_true", help="show what would change; write nothing")
    imported.add_argument("--by", metavar="NAME", help="who imports it, for the catalog and the logs")
    actions.add_parser("log", parents=[shared], help="list the catalog changes made in this data directory")


def run_catalog(args: argparse.Namespace, data_dir: Path) -> int:
    """Run ``catalog import`` or ``catalog log`` on ``data_dir`` (checked by the caller); returns the exit status."""
    if args.catalog_command == "log":
        for entry in read_catalog_log(data_dir):
            print(log_line(entry))
        return EXIT_OK
    return _import(args, data_dir)


def log_line(entry: dict[str, Any]) -> str:
    """One catalog change as ``catalog log`` prints it."""
    counts = f"+{len(entry.get('added', []))} -{len(entry.get('removed', []))} ~{len(entry.get('retitled', []))}"
    return (
        f"{str(entry.get('at', ''))[:19]}  {entry.get('by', '')}: imported {entry.get('framework', '')} from "
        f"{entry.get('file', '')} ({counts}); catalog {entry.get('catalog_version_before', '')} → "
        f"{entry.get('catalog_version', '')}"
    )


def _import(args: argparse.Namespace, data_dir: Path) -> int:
    paths = [Path(args.file), *([Path(args.remap)] if args.remap else [])]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_MISUSE
    catalog_dir = settings.catalog_dir(args.catalog_dir)
    catalog = load_catalog(catalog_dir)
    if args.framework not in catalog.frameworks:
        known = ", ".join(sorted(catalog.frameworks))
        print(f"error: '{args.framework}' is not a framework of the catalog; use one of {known}", file=sys.stderr)
        return EXIT_MISUSE
    matrix_path = Path(args.file)
    remap_name = Path(args.remap).name if args.remap else "the remap table"
    remap, issues = read_remap(remap_name, Path(args.remap).read_bytes()) if args.remap else ({}, [])
    if not issues:
        data = matrix_path.read_bytes()
        name = args.by or getpass.getuser()
        # Whoever can run this command can already write to the catalog and the data directory: an admin.
        user = User(id=name, name=name, role=Role.ADMIN)
        matrix = read_matrix(matrix_path.name, data, args.framework)
        try:
            result = Store(data_dir, catalog).import_catalog(
                catalog_dir,
                matrix,
                data,
                remap,
                user,
                remap_file=remap_name,
                dry_run=args.dry_run,
            )
        except StoreBusyError as busy:
            print(f"error: {busy}", file=sys.stderr)
            return EXIT_REFUSED
        issues = result.issues
        for line in import_summary(result) if matrix.ok else []:  # a matrix with errors has no plan worth showing
            print(f"  {line}")
    for issue in issues:
        print(f"{issue.severity.upper():7} {issue.code:26} {issue.message}")
    if has_errors(issues):
        print(f"NOT IMPORTED: {matrix_path.name} was refused; nothing was written.")
        return EXIT_REFUSED
    if args.dry_run:
        print(f"DRY RUN: {matrix_path.name} can be imported as shown; nothing was written.")
    else:
        print(f"IMPORTED {matrix_path.name} into the {args.framework} entries of the catalog ({catalog_dir}).")
    return EXIT_OK
