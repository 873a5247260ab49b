"""Edits to the catalog's YAML text that keep everything else as it was: comments, order, layout.

The catalog files are written and reviewed by people, so an import changes only the entries it must (one
framework's commitments, the crosswalk links to ids it removes, one new source) instead of dumping whole files
again and losing every comment. Entries are found by the lines the loader recorded (``Commitment.line``); an
entry *owns* the comment and blank lines just above it (a section heading belongs to the entry it introduces) and
its own lines down to its last line of content. Whatever an edit produces is loaded again and checked before it
is written (:mod:`tracker.records.catalog_import`), so a file laid out unexpectedly is refused, never damaged.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence

import yaml

from tracker.records.member_yaml import PlainDumper

INDENT = "  "
"""How far the catalog's entries sit under their list's key (``commitments:``, ``links:``, ``sources:``)."""


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def entry_blocks(lines: Sequence[str], starts: Iterable[int]) -> dict[int, tuple[int, int]]:
    """The lines each entry owns, as ``start -> (begin, end)`` slices of ``lines`` (0-based starts).

    An entry owns the comments and blank lines after the previous line of content (its heading) and its own
    lines down to its last line of content before the next entry starts.
    """
    ordered = sorted(set(starts))
    blocks: dict[int, tuple[int, int]] = {}
    for index, start in enumerate(ordered):
        begin = start
        while begin > 0 and not _is_content(lines[begin - 1]):
            begin -= 1
        limit = ordered[index + 1] if index + 1 < len(ordered) else len(lines)
        end = start + 1
        for position in range(start + 1, limit):
            line = lines[position]
            if _is_content(line):
                if not line.startswith((" ", "\t")):
                    break  # a key at the top level: the list has ended
                end = position + 1
        blocks[start] = (begin, end)
    return blocks


def render_entries(entries: Sequence[Mapping[str, object]], heading: str = "") -> str:
    """Entries as list items under a key, each after a blank line, below an optional comment heading."""
    out = ""
    if heading:
        out += "\n" + "".join(f"{INDENT}# {line}".rstrip() + "\n" for line in heading.splitlines())
    for entry in entries:
        text = yaml.dump([dict(entry)], Dumper=PlainDumper, sort_keys=False, allow_unicode=True, width=100)
        out += "\n" + textwrap.indent(text, INDENT)
    return out


def replace_entries(text: str, all_starts: Iterable[int], replaced: Iterable[int], new_block: str) -> str:
    """``text`` with the entries starting at the ``replaced`` lines (1-based) removed and ``new_block`` put where
    the first of them was (at the end when none is). ``all_starts``: every entry's line in the file (1-based)."""
    lines = text.splitlines(keepends=True)
    blocks = entry_blocks(lines, [s - 1 for s in all_starts])
    spans = sorted(blocks[s - 1] for s in replaced)
    if not spans:
        return text.rstrip("\n") + "\n" + new_block
    out: list[str] = []
    position = 0
    for number, (begin, end) in enumerate(spans):
        out += lines[position:begin]
        if number == 0:
            out.append(new_block)
        position = end
    out += lines[position:]
    return "".join(out)


def remove_entries(text: str, all_starts: Iterable[int], removed: Iterable[int]) -> str:
    """``text`` without the entries starting at the ``removed`` lines (1-based)."""
    removed = list(removed)
    if not removed:
        return text
    return replace_entries(text, all_starts, removed, "")


def repoint_keys(
    text: str, all_starts: Iterable[int], start: int, keys: Sequence[str], remap: Mapping[str, str]
) -> str:
    """In the entry starting at line ``start`` (1-based), give each ``key: OLD`` line the value ``remap[OLD]``.

    Only plain one-line values are rewritten (``source: BWP-A.2``, quoted or not, with or without a comment).
    """
    lines = text.splitlines(keepends=True)
    begin, end = entry_blocks(lines, [s - 1 for s in all_starts])[start - 1]
    names = "|".join(re.escape(k) for k in keys)
    pattern = re.compile(rf"^(\s*(?:-\s+)?(?:{names}):\s*)(['\"]?)([^'\"#\s]+)\2(\s*(?:#.*)?)$")
    for position in range(begin, end):
        body = lines[position].rstrip("\r\n")
        ending = lines[position][len(body) :]
        match = pattern.match(body)
        if match and match.group(3) in remap:
            lead, quote, _, tail = match.groups()
            lines[position] = f"{lead}{quote}{remap[match.group(3)]}{quote}{tail}{ending}"
    return "".join(lines)


def append_entry(text: str, entry: Mapping[str, object]) -> str:
    """``text`` with one more entry at the end of its (last) list."""
    return text.rstrip("\n") + "\n" + render_entries([entry])
