"""Safe YAML reading that remembers the line of every mapping.

Only plain data is built (``SafeLoader`` semantics, the C parser when available):
tags such as ``!!python/object`` are refused, never executed. Every mapping gets
its 1-based starting line under the key :data:`LINE_KEY`, so row-level issues in
YAML files can point at a line just as spreadsheet issues point at an Excel row.
Documents that would expand enormously through aliases ("billion laughs"), merge
keys or one long value aliased many times, or nest deeper than any real file, are
refused: the limits are counted on what building the document makes (values,
characters, nesting along every alias), not on how an anchor happens to be spelled.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml

LINE_KEY = "__line__"

# A member file or catalog file is a few levels deep and, without aliases, has at
# most a few million values and characters within the upload size limit. Aliases
# can multiply both without bound in a file of a few hundred bytes; these limits
# refuse such documents before the constructor (or later code that turns values
# into text) spends unbounded time and memory on them. The depth limit also keeps
# the recursive builders far from Python's recursion limit.
MAX_EXPANDED_NODES = 5_000_000
MAX_EXPANDED_CHARS = 50_000_000
MAX_DEPTH = 100

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

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        _check_size(node)
        return self.construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        # An unquoted 2023-02-30 matches the timestamp pattern but is no date;
        # PyYAML would raise ValueError. Keep the text so the validator reports
        # it as a bad date on its row, like the same text in a spreadsheet.
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, AttributeError, OverflowError):
            return self.construct_scalar(node)


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


class _UnusualNodeError(Exception):
    """A node the fast builder leaves to PyYAML's constructor (merge keys, !!set, unknown tags, …)."""


_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class _PlainLineLoader(_LineLoader):
    """For documents without anchors: no alias can expand, so the size walk is skipped.

    Such documents (every member file in practice) are built by :meth:`_build`,
    a direct walk over plain maps, lists and scalars that gives what
    ``construct_document`` gives but skips its per-node bookkeeping for aliases
    and recursive structures, which a document without anchors cannot have: at
    100,000 actions that bookkeeping was a third of the load time. Anything else
    (merge keys, ``!!set``, unknown tags, unhashable keys) goes to the standard
    constructor, after the size walk, so its results and errors are PyYAML's own.

    The walk still counts the values and characters it builds and the depth it
    reaches, and stops at the limits: what it builds stays bounded whatever the
    document holds.
    """

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        self._budget = [MAX_EXPANDED_NODES, MAX_EXPANDED_CHARS]
        try:
            return self._build(node, MAX_DEPTH)
        except _UnusualNodeError:
            _check_size(node)
            return self.construct_document(node)

    def _build(self, node: yaml.Node, depth: int) -> Any:
        budget = self._budget
        budget[0] -= 1
        if depth <= 0:
            _raise("yaml-too-complex", _too_deep(), node.start_mark.line + 1)
        if budget[0] < 0:
            _raise("yaml-too-complex", _TOO_MANY, node.start_mark.line + 1)
        tag = node.tag
        if isinstance(node, yaml.ScalarNode):
            budget[1] -= len(node.value)
            if budget[1] < 0:
                _raise("yaml-too-complex", _TOO_LONG, node.start_mark.line + 1)
            if tag == _STR:
                return node.value  # what construct_yaml_str returns, without two calls
            constructor = self.yaml_constructors.get(tag)
            if constructor is None:
                raise _UnusualNodeError
            return constructor(self, node)
        if isinstance(node, yaml.SequenceNode) and tag == _SEQ:
            return [self._build(child, depth - 1) for child in node.value]
        if isinstance(node, yaml.MappingNode) and tag == _MAP:
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _UnusualNodeError
                key = self._build(key_node, depth - 1)
                if not isinstance(key, Hashable):
                    raise _UnusualNodeError
                mapping[key] = self._build(value_node, depth - 1)
            mapping[LINE_KEY] = node.start_mark.line + 1
            return mapping
        raise _UnusualNodeError


_TOO_MANY = (
    "the file expands to more values than any member file holds (it repeats aliases such as *name many "
    "times over); write the values out without anchors and aliases"
)
_TOO_LONG = (
    "the file expands to more text than any member file holds (it repeats a long value through aliases "
    "such as *name); write the values out without anchors and aliases"
)


def _too_deep() -> str:
    return (
        f"the values are nested more than {MAX_DEPTH} levels deep; a member file needs only a few levels "
        "(a list of actions, each a mapping of fields)"
    )


def _needs_full_check(text: str) -> bool:
    """Whether the document may hold an anchor: only then can an alias repeat anything.

    An anchor is spelled with "&" wherever it stands (after a key, a tag, "? ",
    ":" in flow style, a byte order mark), so a document without "&" has none;
    text such as "R&D" only costs the slower, fully checked path.
    """
    return "&" in text


def _check_size(root: yaml.Node) -> None:
    """Refuse documents that alias-expand or nest beyond the limits, or that contain themselves.

    Walks the composed node graph once (iteratively, memoising shared nodes),
    computing for each node what building it makes: its values, its characters
    and its height, every alias counted as often as it is used. An alias inside
    its own anchor has no end, and is refused too.

    Raises:
        YamlError: ``yaml-too-complex``.
    """
    made: dict[int, tuple[int, int, int]] = {}  # node -> (values, characters, height)
    # Nodes whose walk has begun. One begun but not yet made is on the path from the root: the stack holds
    # only its descendants above it, so meeting it again means it contains itself.
    begun: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            values, chars, height = 1, len(node.value) if isinstance(node, yaml.ScalarNode) else 0, 0
            for child in _children(node):
                child_values, child_chars, child_height = made[id(child)]
                values, chars, height = values + child_values, chars + child_chars, max(height, child_height)
            made[key] = (values, chars, height + 1)
            line = node.start_mark.line + 1
            if values > MAX_EXPANDED_NODES:
                _raise("yaml-too-complex", _TOO_MANY, line)
            if chars > MAX_EXPANDED_CHARS:
                _raise("yaml-too-complex", _TOO_LONG, line)
            if height + 1 > MAX_DEPTH:
                _raise("yaml-too-complex", _too_deep(), line)
            continue
        if key in made:
            continue
        if key in begun:
            _raise(
                "yaml-too-complex",
                "a value contains itself through an alias (*name inside the value marked &name), so it has no "
                "end; write the values out without anchors and aliases",
                node.start_mark.line + 1,
            )
        begun.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_yaml_text(text: str) -> Any:
    """Parse YAML text safely.

    Raises:
        YamlError: ``yaml-unsafe-tag`` for object-building tags, ``yaml-syntax``
            for anything else the parser rejects.
    """
    try:
        loader = _LineLoader if _needs_full_check(text) else _PlainLineLoader
        return yaml.load(text, Loader=loader)  # noqa: S506 - both loaders are SafeLoaders
    except yaml.constructor.ConstructorError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = (getattr(exc, "problem", "") or "").strip()
        # The constructor also raises this for unhashable keys, bad merges and
        # recursive aliases; only a missing constructor means an unknown tag.
        if "constructor for the tag" not in problem:
            return _raise(
                "yaml-syntax",
                f"the file is not valid YAML ({problem}); check the structure near this line",
                line,
            )
        return _raise(
            "yaml-unsafe-tag",
            f"the file uses a YAML tag that would build a program object ({problem}); "
            "remove the tag and write the value as plain text, a number, a date or a list",
            line,
        )
    except RecursionError:
        return _raise("yaml-too-complex", "the values are nested too deeply; a member file needs only a few", None)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        return _raise(
            "yaml-syntax",
            f"the file is not valid YAML ({problem}); check indentation and quoting near this line",
            line,
        )
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:
        # Explicit tags on impossible values (``!!int abc``, ``!!float x``) fail
        # inside PyYAML's constructors with plain Python errors and no position.
        return _raise(
            "yaml-syntax",
            f"a value cannot be read as the type its tag asks for ({exc}); remove the !! tag or correct the value",
            None,
        )


def load_yaml(path: Path) -> Any:
    """Read and parse a YAML file safely (UTF-8).

    Raises:
        YamlError: as :func:`load_yaml_text`, or ``unreadable-file`` when the
            bytes are not UTF-8 text.
    """
    return load_yaml_bytes(path.read_bytes())


def load_yaml_bytes(data: bytes) -> Any:
    """Parse a YAML file's bytes safely (UTF-8, with or without a byte-order mark).

    Raises:
        YamlError: as :func:`load_yaml`.
    """
    try:
        text = data.decode("utf-8-sig")
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
