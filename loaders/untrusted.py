"""Read an uploaded member file where a crash cannot hurt anyone else: in a child process.

The app reads every upload through :func:`read_untrusted_bytes`. The whole
risky half of reading (:mod:`loaders.content`: container checks, calamine, the
CSV and YAML parsers) runs in a child with a memory and a time limit
(:mod:`loaders.sandbox`); only plain data comes back, and the frame is built
here. A child that dies, is killed, runs out of memory or time becomes one
``unreadable-file`` issue: the server and everyone else's session carry on.

The child starts a fresh interpreter without pandas (about 0.3 s; its peak
address space was 0.34 GB for a 2-million-cell sheet and 0.25 GB for a 10 MB
CSV, under the 1 GiB limit); the app caches the result per upload content, so
a rerun does not start another one.

``python -m tracker validate`` and the data-directory loader read files in
process (:func:`loaders.tables.read_member_bytes`): they are the operator's own
files, a child per file would cost 49 x 0.3 s, and the pre-checks of
:mod:`loaders.package` refuse every sheet calamine would over-allocate for, so
a hostile file gives an issue there too, not a signal. Legacy .xls, whose
binary records calamine trusts most, is still read in a child there as well.
"""

from __future__ import annotations

import io
import pickle
from pathlib import Path
from typing import Any

from loaders import limits
from loaders.content import Parsed, file_too_large
from loaders.issues import Issue, error
from loaders.members import parse_member_id
from loaders.sandbox import ChildFailedError, run_child
from loaders.tables import RawFile, raw_from_content, refused

CHILD_MODULE = "loaders.content"
"""The module run as the child (tests point it at a reader that crashes)."""

# What a child's answer may contain: the plain values readers produce, and issues. Anything else in
# the pickle (a class a compromised child could name to run code here) is refused.
_ALLOWED = {
    ("datetime", "date"),
    ("datetime", "datetime"),
    ("datetime", "time"),
    ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("builtins", "set"),
    ("builtins", "frozenset"),
    ("builtins", "bytearray"),
    ("loaders.issues", "Issue"),
    ("loaders.issues", "Text"),  # an issue's message as said in other languages: a template and plain values
}


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not plain data")
        return super().find_class(module, name)


def read_untrusted_bytes(name: str, data: bytes, *, label: str | None = None) -> RawFile:
    """Read an uploaded member file (as :func:`loaders.tables.read_member_bytes`) in a child process.

    Args:
        name: the uploaded file's name (gives format and member).
        data: its bytes.
        label: how issues name the file (default: ``name``).

    Returns:
        The file's rows and issues; a reader that crashed, ran out of memory or
        time gives one ``unreadable-file`` issue. Never raises for bad input.
    """
    shown = label or name
    parsed = _parse_in_child(name, shown, data, ())
    if parsed[0] == "refused":
        return refused(shown, parse_member_id(Path(name).stem), parsed[1])
    return raw_from_content(name, shown, parsed)


def parse_untrusted_table(name: str, data: bytes) -> Parsed:
    """Parse an uploaded spreadsheet that is not a member file (a framework matrix) in a child process.

    Returns:
        What :func:`loaders.content.parse_table_content` returns; a child that crashed, ran out of memory or
        time gives ``("refused", issue)``. Never raises for bad input.
    """
    return _parse_in_child(name, name, data, ("table",))


def _parse_in_child(name: str, shown: str, data: bytes, kind: tuple[str, ...]) -> Parsed:
    if len(data) > limits.MAX_FILE_BYTES:  # refused before anything is copied to a child
        return "refused", file_too_large(shown, len(data))
    try:
        output = run_child(CHILD_MODULE, pickle.dumps((name, shown, data, *kind)))
        parsed: Parsed = _PlainUnpickler(io.BytesIO(output)).load()
    except ChildFailedError as problem:
        return "refused", _could_not_read(shown, str(problem))
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as problem:
        return "refused", _could_not_read(shown, f"its answer was not plain data: {problem}")
    if not (isinstance(parsed, tuple) and len(parsed) == 2 and parsed[0] in ("refused", "workbook", "csv", "yaml")):
        return "refused", _could_not_read(shown, "its answer was not understood")
    return parsed


def _could_not_read(name: str, reason: str) -> Issue:
    return error(
        "unreadable-file",
        name,
        f"{name}: this file could not be read ({reason[:160]}). Open it in Excel or LibreOffice, save it again "
        "as .xlsx (File > Save As > Excel Workbook) and upload that",
    )
