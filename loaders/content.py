"""Parse a member file's bytes into plain content: the risky half of reading, kept free of pandas.

Everything an untrusted file can attack happens here: the name and size checks,
the container checks (:mod:`loaders.package`), calamine, the CSV reader and the
YAML parser. The result is plain Python data (cell grids, or the YAML document)
or the issue that refuses the file; :mod:`loaders.tables` turns it into rows.
The module imports neither pandas nor pyarrow, so :mod:`loaders.untrusted` can
run it in a small child process under a tight memory limit (``python -m
loaders.content`` reads the file name and bytes on stdin and pickles the result).
Being free of pandas also makes it a cheap helper for reading many files at once
(``python -m loaders.content --files``, see :func:`parse_files_main`): it starts in
~0.1 s where a process importing pandas takes ~0.5 s.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any, Literal

from loaders import limits
from loaders.csv_text import read_csv_grid
from loaders.issues import Issue, error, say
from loaders.members import parse_member_id
from loaders.package import container_problem
from loaders.safe_yaml import YamlError, load_yaml_text
from loaders.workbook import read_grids, read_grids_isolated

WORKBOOK_SUFFIXES = (".xlsx", ".xls", ".ods")
READABLE_SUFFIXES = (*WORKBOOK_SUFFIXES, ".csv", ".yaml", ".yml")
REFUSED_SUFFIXES = (".xlsm", ".xlsb", ".xltm")

Kind = Literal["refused", "workbook", "csv", "yaml"]
Parsed = tuple[Kind, Any]
"""("refused", Issue) | ("workbook", [(sheet, grid), …]) | ("csv", grid) | ("yaml", document)."""


def parse_member_content(name: str, data: bytes, shown: str, *, isolate_xls: bool = True) -> Parsed:
    """Check and parse a member file's bytes.

    Args:
        name: the file name (gives format and member).
        data: its bytes.
        shown: how issues name the file.
        isolate_xls: read legacy .xls in a child process (calamine can abort on
            a damaged one); off when this already runs in one.
    """
    return _parse(name, data, shown, isolate_xls=isolate_xls, member_file=True)


def parse_table_content(name: str, data: bytes, shown: str, *, isolate_xls: bool = True) -> Parsed:
    """Check and parse a spreadsheet that is not a member file (a framework matrix): any name, no YAML.

    The same checks and limits as :func:`parse_member_content` (size, active content, sheet extent).
    """
    if Path(name).suffix.lower() in (".yaml", ".yml"):
        return "refused", error(
            "unsupported-format", shown, f"{shown}: a YAML file is not a spreadsheet; use .xlsx, .xls, .ods or .csv"
        )
    return _parse(name, data, shown, isolate_xls=isolate_xls, member_file=False)


def _parse(name: str, data: bytes, shown: str, *, isolate_xls: bool, member_file: bool) -> Parsed:
    path = Path(name)
    suffix = path.suffix.lower()
    if len(data) > limits.MAX_FILE_BYTES:
        return "refused", file_too_large(shown, len(data))
    if suffix in REFUSED_SUFFIXES:
        return "refused", error(
            "macro-workbook-refused",
            shown,
            say(
                "{file}: macro-enabled workbooks ({suffix}) are refused so that no macro can run; save the workbook "
                "as .xlsx (Excel Workbook) and upload that",
                file=shown,
                suffix=suffix,
            ),
        )
    if suffix not in READABLE_SUFFIXES:
        return "refused", error(
            "unsupported-format",
            shown,
            say(
                "{file}: files of type '{suffix}' are not read; use .xlsx, .xls, .ods, .csv or .yaml",
                file=shown,
                suffix=suffix or "(none)",
            ),
        )
    # "../IDN.xlsx" is no member name; nor is "a\IDN.xlsx" (a backslash is never in a member id, nor in a suffix).
    if member_file and (parse_member_id(path.stem) is None or path.name != name):
        return "refused", error(
            "bad-file-name",
            shown,
            say(
                "{file}: the file name must be the member id, e.g. IDN{suffix} or IOM{suffix}; rename the file",
                file=shown,
                suffix=suffix,
            ),
        )
    if suffix in (".yaml", ".yml"):
        return _parse_yaml(shown, data)
    if suffix == ".csv":
        grid = read_csv_grid(shown, data)
        return ("refused", grid) if isinstance(grid, Issue) else ("csv", grid)
    return _parse_workbook(shown, suffix, data, isolate_xls)


def file_too_large(name: str, size: int) -> Issue:
    """The issue for a file over :data:`~loaders.limits.MAX_FILE_BYTES`."""
    return error(
        "file-too-large",
        name,
        say(
            "{file}: the file is {size} MB; the limit is {limit} MB. Remove images or unused sheets, or split it",
            file=name,
            size=f"{size / 1_048_576:.1f}",
            limit=limits.MAX_FILE_BYTES // 1_048_576,
        ),
    )


def unreadable(name: str, reason: str) -> Issue:
    """The issue for a workbook no reader could open (damaged, or a reader that failed)."""
    return error(
        "unreadable-file",
        name,
        say(
            "{file}: the workbook cannot be read ({reason}); open it in Excel or LibreOffice and save it again as "
            ".xlsx",
            file=name,
            reason=reason[:160],
        ),
    )


def _parse_workbook(name: str, suffix: str, data: bytes, isolate_xls: bool) -> Parsed:
    problem = container_problem(name, suffix, data)
    if problem is not None:
        return "refused", problem
    try:
        grids = read_grids_isolated(data) if suffix == ".xls" and isolate_xls else read_grids(data)
    except BaseException as exc:  # calamine raises many types (even panics); all mean "cannot read"
        if not _is_read_failure(exc):
            raise
        return "refused", unreadable(name, f"{type(exc).__name__}: {str(exc)[:120]}")
    if not grids:
        return "refused", error(
            "no-sheet", name, say("{file}: the workbook has no visible sheet; add a sheet named Actions", file=name)
        )
    return "workbook", grids


def _is_read_failure(exc: BaseException) -> bool:
    """True for what calamine raises on a damaged file.

    That is any ``Exception``, and also a Rust panic inside calamine (seen on
    damaged .xls files): pyo3 turns it into ``PanicException``, which derives
    from ``BaseException`` and so escapes ``except Exception``. Interrupts and
    exits still propagate.
    """
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _parse_yaml(name: str, data: bytes) -> Parsed:
    try:
        return "yaml", load_yaml_text(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        return "refused", error(
            "unreadable-file", name, say("{file}: the file is not UTF-8 text; save it as UTF-8", file=name)
        )
    except YamlError as problem:
        where = f", line {problem.line}" if problem.line else ""
        return "refused", error(problem.code, name, f"{name}{where}: {problem.message}", row=problem.line)


def parse_path(path: Path, shown: str) -> Parsed | None:
    """The parse of one member file on disk, as :func:`loaders.tables.read_member_file` makes it.

    None when the file cannot be opened or is over the size limit: the caller reads that file itself, which
    reports it (so the messages are made in one place).
    """
    try:
        if path.stat().st_size > limits.MAX_FILE_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    return parse_member_content(path.name, data, shown)


def parse_files_main(jobs: Any, out: Any) -> None:
    """The helper side of :func:`loaders.dataset.read_files`: parse files in the order given, one pickle each.

    Args:
        jobs: a binary stream holding one pickled list of (position, path, shown name).
        out: a binary stream; gets (position, :func:`parse_path` result) per file, flushed as each is done,
            so the reader knows at every moment how far this helper is.
    """
    for position, path, shown in pickle.load(jobs):  # noqa: S301 - written by our parent process
        pickle.dump((position, parse_path(Path(path), shown)), out)
        out.flush()


def _child_main() -> None:
    """The child side of :mod:`loaders.untrusted`: (name, shown, bytes[, "table"]) in, the parsed content out.

    A fourth element ``"table"`` parses a spreadsheet that is not a member file (a framework matrix).
    """
    name, shown, data, *kind = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - written by our parent process
    parse = parse_table_content if kind == ["table"] else parse_member_content
    sys.stdout.buffer.write(pickle.dumps(parse(name, data, shown, isolate_xls=False)))


if __name__ == "__main__":
    if sys.argv[1:] == ["--files"]:
        parse_files_main(sys.stdin.buffer, sys.stdout.buffer)
    else:
        _child_main()
