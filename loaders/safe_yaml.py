"""Safe YAML reading that remembers the line of every mapping.

Only plain data is built (``SafeLoader`` semantics, the C parser when available):
tags such as ``!!python/object`` are refused, never executed. Every mapping gets
its 1-based starting line under the key :data:`LINE_KEY`, so row-level issues in
YAML files can point at a line just as spreadsheet issues point at an Excel row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

LINE_KEY = "__line__"

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(Exception):
    """Raised by :func:`load_yaml` with a plain-language reason and a line number."""

    def __init__(self, code: str, message: str, line: int | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe loader that records each mapping's first line."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


def load_yaml_text(text: str) -> Any:
    """Parse YAML text safely.

    Raises:
        YamlError: ``yaml-unsafe-tag`` for object-building tags, ``yaml-syntax``
            for anything else the parser rejects.
    """
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        tag = getattr(exc, "problem", "") or ""
        return _raise(
            "yaml-unsafe-tag",
            f"the file uses a YAML tag that would build a program object ({tag.strip()}); "
            "remove the tag and write the value as plain text, a number, a date or a list",
            line,
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        return _raise(
            "yaml-syntax",
            f"the file is not valid YAML ({problem}); check indentation and quoting near this line",
            line,
        )


def load_yaml(path: Path) -> Any:
    """Read and parse a YAML file safely (UTF-8).

    Raises:
        YamlError: as :func:`load_yaml_text`, or ``unreadable-file`` when the
            bytes are not UTF-8 text.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        return _raise("unreadable-file", "the file is not UTF-8 text; save it as UTF-8 YAML", None)
    return load_yaml_text(text)


def _raise(code: str, message: str, line: int | None) -> Any:
    raise YamlError(code, message, line)


def strip_lines(value: Any) -> Any:
    """Return ``value`` with every :data:`LINE_KEY` removed, recursively."""
    if isinstance(value, dict):
        return {k: strip_lines(v) for k, v in value.items() if k != LINE_KEY}
    if isinstance(value, list):
        return [strip_lines(v) for v in value]
    return value
