"""A cheap upper bound on a worksheet's extent, computed from the raw bytes of its part.

:mod:`loaders.sheet_extent` measures a sheet exactly, as calamine lays it out,
with a Python callback for every XML event: several microseconds per cell. This
module computes, with C-speed operations only (expat without per-element
callbacks, regular expressions, ``bytes``/``list`` methods), numbers that are
never below that exact measure. When they are within the limits the file is
accepted without the exact pass; otherwise the exact pass decides. Whenever the
part uses something the argument below does not cover, :meth:`SheetBound.result`
returns None and the exact pass runs.

Why the bound holds (the exact pass is ``sheet_extent._XlsxSheet``; "exact" below
means what it computes)
--------------------------------------------------------------------------------

1. Plain XML. The bound is given only when the whole part parses with expat in
   namespace mode, is UTF-8 (no UTF-16/32 byte order, no other declared encoding)
   and holds no DOCTYPE, comment, CDATA section or processing instruction (the
   handlers for those give up). Namespace mode adds one thing: every element name
   is a QName, ``local`` or ``prefix:local``, one colon at most. Any part the
   exact pass refuses (expat error, DOCTYPE, a name with two colons) fails here
   too, so no file the exact pass calls damaged is accepted. In such a part each
   ``<`` byte begins a start, end or empty-element tag (or the XML declaration):
   character data and attribute values cannot hold ``<``, and the other markup
   that starts with ``<`` is excluded. A tag contains no ``<``; its attributes are
   ``S name S? = S? "value"`` (or ``'value'``), a value holds no ``<`` and no
   quote of its own kind, and a name holds none of ``S = / > " ' <``.

2. Tags. A start tag whose local name is X is ``<X`` or ``<prefix:X`` followed by
   whitespace, ``/`` or ``>``; the patterns below match exactly those (an end tag
   has ``/`` after ``<``, another name fails on its letters). A prefixed X tag
   contains ``:X`` and then whitespace, ``/`` or ``>``; in a window without that
   the unprefixed pattern (faster: a literal prefix) finds every X tag. A match
   never extends past its own tag (values exclude ``<``), so ``findall`` finds
   each tag once. The bytes are scanned in windows cut just before a ``<``, so no
   tag is split between windows.

3. The r attribute. After the name, the pattern steps over whole attributes
   (``ATTR``, lazily) and tries ``S r S? = S? quote`` before each one: it succeeds
   exactly at the attribute whose name is ``r`` (an attribute name cannot contain
   ``=``, so ``rx`` fails; ``x:r`` has no space before ``r``), and a well-formed tag
   has one at most. Either the value is letters then digits without a zero row
   (the only values whose expat-decoded form equals the raw bytes and that the
   exact pass accepts: no ``&``, no whitespace), and the pattern captures letters
   and digits as the exact pass reads them; or the fourth group captures the
   quote and the bound gives up (an entity such as ``&#88;``, whitespace, ``0``,
   a cell reference without letters). So every element named c (or row) in the
   part is counted, with its r read as the exact pass reads it.

4. Rows and columns. Let C be the c elements of the part (any depth, before,
   in or after sheetData), n0 those without r, maxCR/maxCC the largest row and
   column (1-based) among the others' r, R the row elements, and maxRR their
   largest r. The exact pass places a cell with r at its r: row <= maxCR, column
   <= maxCC. Its ``_row`` starts at 0, is set to r - 1 by a row with r, and grows
   by one at each row end: at most ``max(maxRR - 1, 0) + |R|``. Its ``_col`` is
   set to the cell's column by a cell with r, grows by one at each end of a cell
   that is not inside another cell, and is reset to 0 at each row end. A cell
   without r sits at (``_row``, ``_col``); since the last set or reset, the cells
   that ended are the setting cell and cells without r other than this one, so
   ``_col <= maxCC - 1 + n0``. Hence rows <= max(maxCR, maxRR + |R| + 1) and
   columns <= maxCC + n0 (rows <= maxCR when n0 = 0). Cells without a value, and
   cells outside the first sheetData, only make the bound larger. A part counted
   in one window (most member files) may skip reading every r: when no
   unprefixed c tag fails to start ``<c r="`` + at most 2 letters + at most 3
   significant digits + ``"`` (one search, point 2), every cell has r and
   rows <= 999, columns <= 702 (ZZ).

5. Text. The exact pass adds ``strings[i]`` for each v element directly inside a
   shared-string cell whose text, stripped, is the ASCII digits of i <
   len(strings). Every such element is a v tag of the part (point 2), and every
   v tag is spelled ``<v`` or ``:v``, so counting those bytes never undercounts
   them; each counted adds ``longest``. When that coarse sum would pass the text
   limit, the v tags are read one by one instead. A tag whose content is plain
   ASCII (no ``&``, no ``<``) up to the next tag, which must then be its own end
   tag, has that content as its whole text: whitespace, digits and whitespace
   spell i exactly (leading zeros aside; more than 18 significant digits is no
   index of any table), and the bound adds ``lengths[i]`` (nothing when i is past
   the table); any other ASCII text (a number such as ``3.5``, a date) is no
   index, since ``strip`` removes only ASCII whitespace from ASCII text, and adds
   nothing. Every other v tag (a reference, a child element, non-ASCII text)
   adds ``longest``. A window cut between a v tag and its end tag only turns that
   tag into one of those. With ``longest`` never below any string's length,
   ``lengths[i]`` never below the length of string i and ``len(lengths)`` never
   below the number of strings (point 6), the sum is never below the exact text.

6. Shared strings. A string's text is the character data inside its ``si``
   element. Without a DOCTYPE no reference can stand for more than one
   character, so in a UTF-8 part each character comes from at least one byte of
   the element (UTF-8 takes 1-4 bytes, a reference ``&...;`` at least four, a line
   end one or two): no string is longer than its part (:func:`string_table_fits`
   checks that much on the bytes alone, with the declared counts). In a part that
   also satisfies point 1, when no si element is nested in another (each si start
   tag is self-closing or followed by an si end tag before the next si start),
   the bytes from one si start tag to the next are at least its length, in the
   order the exact pass numbers the strings (:func:`string_lengths`).
"""

from __future__ import annotations

import array
import re
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any
from xml.parsers import expat

from loaders import limits

_WINDOW = 1 << 20
"""Bytes counted at a time (a part up to this size is counted whole)."""
_MAX_TAIL = 1 << 22
"""Bytes carried between windows (one tag and the text after it); longer runs give up (no real sheet has them)."""

_VALUE = rb"""(?:"[^"<]*"|'[^'<]*')"""
_ATTR = rb"""\s+[^\s=/>"'<]+\s*=\s*""" + _VALUE
_PREFIX = rb"(?:[^\s/>:]+:)"


def _start_tag(name: bytes, prefixed: bool) -> bytes:
    return b"<" + (_PREFIX + b"?" if prefixed else b"") + name + rb"(?=[\s/>])"


def _with_r(name: bytes, letters: bytes, prefixed: bool) -> re.Pattern[bytes]:
    """An X start tag and its r: groups (quote, letters, digits, quote of a value that is not a reference)."""
    return re.compile(
        _start_tag(name, prefixed)
        + rb"(?:(?:"
        + _ATTR
        + rb""")*?\s+r\s*=\s*(?:(["'])("""
        + letters
        + rb""")0*([1-9][0-9]*)\1|(["'])))?"""
    )


def _value(prefixed: bool) -> re.Pattern[bytes]:
    """A v start tag; when its whole content is plain ASCII up to its end tag: the index it spells, if any.

    Groups: (the index, when the content is whitespace, digits of at most 18
    significant ones and whitespace; the end tag, when the content is plain ASCII).
    """
    return re.compile(
        _start_tag(b"v", prefixed) + rb"(?:(?:" + _ATTR + rb")*\s*>(?:\s*0*([0-9]{1,18})\s*|[\t\n\r -%'-;=-~]*)(</))?"
    )


# (cells, rows, values) patterns for windows without and with prefixed names.
_PATTERNS = {
    prefixed: (
        _with_r(b"c", rb"[A-Za-z]+", prefixed),
        _with_r(b"row", rb"[A-Za-z]*", prefixed),
        _value(prefixed),
    )
    for prefixed in (False, True)
}
_PREFIXED = re.compile(rb":(?:c|row|v)[\s/>]")
# An unprefixed c tag that does not start with an r of at most 2 letters and 3 significant digits (the
# rows and columns of nearly every member file): one scan instead of a match object per cell.
_OUTSIDE_SMALL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Za-z]{1,2}0*[1-9][0-9]{0,2}")')
_LETTERS, _DIGITS, _INVALID, _INDEX = itemgetter(1), itemgetter(2), itemgetter(3), itemgetter(0)


class _NotPlainError(Exception):
    """The part uses XML the bound does not model (point 1 of the module docstring)."""


def _not_plain(*_: Any) -> None:
    raise _NotPlainError


def _check_declaration(_version: str, encoding: str | None, _standalone: int) -> None:
    if encoding is not None and encoding.lower() != "utf-8":
        raise _NotPlainError


def plain_xml_parser() -> Any:
    """A namespace-mode expat parser without per-element handlers that gives up on what point 1 excludes."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = _not_plain
    parser.CommentHandler = _not_plain
    parser.StartCdataSectionHandler = _not_plain
    parser.ProcessingInstructionHandler = _not_plain
    parser.XmlDeclHandler = _check_declaration
    return parser


def _utf8_start(data: bytes) -> bool:
    """Whether the bytes cannot be UTF-16/32 as expat would detect it (by byte order mark or a NUL)."""
    return not (data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4])


def column_number(letters: bytes) -> int:
    """1-based column of letters of any case (b"A" -> 1, b"xfd" -> 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class SheetBound:
    """Upper bounds of a worksheet part's rows, columns and text, fed chunk by chunk.

    Args:
        longest: never below the length of any shared string (0 without a table).
        lengths: on demand, per-index bounds of the shared strings' lengths (only
            called when ``longest`` for every value would pass ``text_limit``).
        text_limit: above this, the text bound is refined string by string.
    """

    _ended: bool  # the last chunk was fed (set by each chunk the parser takes)

    def __init__(self, longest: int, lengths: Callable[[], Sequence[int]], text_limit: int | None = None) -> None:
        self._longest = longest
        self._lengths = lengths
        self._text_limit = limits.MAX_SHEET_TEXT if text_limit is None else text_limit
        self._parser: Any = None
        self._counted = False  # a window was counted already: what is left is not the whole part
        self._failed = False
        self._tail = b""
        self._rless = 0  # c elements without r
        self._letters: set[bytes] = set()
        self._cell_row = 0
        self._rows = 0  # row elements
        self._row_r = 0
        self._coarse = 0  # at least the v elements of the windows not looked at one by one
        self._others = 0  # v elements of the other windows whose content could be any index
        self._indices = array.array("q")  # the indices that v elements of the other windows spell

    def feed(self, chunk: bytes, last: bool = False) -> None:
        """Take the next bytes of the part (``last``: they end it, which saves expat a step)."""
        if self._failed:
            return
        try:
            if self._parser is None:
                if not _utf8_start(chunk):
                    raise _NotPlainError
                self._parser = plain_xml_parser()
            self._parser.Parse(chunk, last)
            self._ended = last
        except (expat.ExpatError, _NotPlainError):
            self._failed = True
            return
        window = self._tail + chunk  # no copy while the tail is empty
        if len(window) > _WINDOW:  # count up to the last tag start; a part in one window is counted whole
            cut = window.rfind(b"<")
            if cut > 0:
                self._count(window[:cut], whole=False)
                window = window[cut:]
        self._tail = window
        if len(window) > _MAX_TAIL:
            self._failed = True

    def result(self) -> tuple[int, int, int] | None:
        """(rows, columns, characters of shared text), each never below the exact measure; None to run that."""
        if self._failed or self._parser is None:
            return None
        try:
            if not self._ended:
                self._parser.Parse(b"", True)
        except (expat.ExpatError, _NotPlainError):
            return None
        self._count(self._tail, whole=not self._counted)
        if self._failed:
            return None
        rows = self._cell_row if not self._rless else max(self._cell_row, self._row_r + self._rows + 1)
        cols = max((column_number(letters) for letters in self._letters if letters), default=0) + self._rless
        return rows, cols, self._text()

    def _text(self) -> int:
        text = (self._coarse + self._others) * self._longest
        if not self._indices:
            return text
        lengths = self._lengths()
        return text + sum(map(lengths.__getitem__, filter(len(lengths).__gt__, self._indices)))

    def _count(self, window: bytes, whole: bool) -> None:
        self._counted = True
        prefixed = _PREFIXED.search(window) is not None
        cells, rows, values = _PATTERNS[prefixed]
        if whole and not prefixed and _OUTSIDE_SMALL.search(window) is None:
            # Every c tag of the part starts <c r="..." with at most 2 letters and 3 significant digits
            # (unprefixed: point 2; the r value is the attribute's whole value, as in point 3): one scan
            # rather than a match object per cell, for the small sheets of nearly every member file.
            self._letters.add(b"ZZ")
            self._cell_row = max(self._cell_row, 999)
        elif found := cells.findall(window):
            if any(map(_INVALID, found)):
                self._failed = True
                return
            digits = list(map(_DIGITS, found))
            self._rless += digits.count(b"")
            self._letters.update(map(_LETTERS, found))
            self._cell_row = max(self._cell_row, max(map(int, set(digits) - {b""}), default=0))
        found = rows.findall(window)
        if found:
            if any(map(_INVALID, found)):
                self._failed = True
                return
            self._rows += len(found)
            self._row_r = max(self._row_r, max(map(int, set(map(_DIGITS, found)) - {b""}), default=0))
        if not self._longest:
            return  # no shared strings: no text to count
        # Every v start tag is "<v" or "<prefix:v" (point 2): counting those bytes never undercounts.
        coarse = window.count(b"<v") + (window.count(b":v") if prefixed else 0)
        if (self._coarse + self._others + len(self._indices) + coarse) * self._longest <= self._text_limit:
            self._coarse += coarse  # within the limit even if every one held the longest string
        else:
            found = values.findall(window)
            self._others += found.count((b"", b""))  # content that is not plain: any index, for all we know
            self._indices.extend(map(int, filter(None, map(_INDEX, found))))  # other plain text: no index


# --- shared strings ---------------------------------------------------------------------------

_DECLARATION = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([^"'<>]*)["']""")
_DECLARED = re.compile(rb"""uniqueCount\s*=\s*(["'])([0-9]{1,18})\1""")


def string_table_fits(data: bytes, max_declared: int) -> bool:
    """Whether a shared-strings part is safe to take on its bytes alone (point 6), without parsing it.

    True when it is UTF-8 (by byte order and declaration), has no DOCTYPE (so no
    entity can expand) and every ``uniqueCount`` in it is a plain number up to
    ``max_declared``: then no string the exact pass could read is longer than the
    part, and the exact pass would not refuse the count (calamine reserves room
    for that many strings before reading one). A damaged part is left to
    calamine, which reports it; anything else goes to the exact pass.
    """
    if not _utf8_start(data) or b"<!DOCTYPE" in data:
        return False
    declaration = _DECLARATION.match(data)
    if declaration is not None and declaration[1].lower() != b"utf-8":
        return False
    # An attribute's name is never spelled by a reference: each one is a literal "uniqueCount".
    declared = _DECLARED.findall(data)
    return len(declared) == data.count(b"uniqueCount") and all(int(n) <= max_declared for _, n in declared)


def string_lengths(data: bytes) -> array.array[int] | None:
    """Per-index bounds of a shared-strings part's string lengths (point 6); None for the exact pass to give them.

    None when the part is not plain XML (point 1) or an si element is nested in another.
    """
    try:
        if not _utf8_start(data):
            return None
        plain_xml_parser().Parse(data, True)
    except (expat.ExpatError, _NotPlainError):
        return None
    prefixed = re.search(rb":si[\s/>]", data) is not None
    start = _start_tag(b"si", prefixed)
    pieces = re.split(b"(?=" + start + b")", data)[1:]
    closed = re.compile(
        rb"\A" + start + rb"(?:" + _ATTR + rb")*\s*/>|</" + (_PREFIX + b"?" if prefixed else b"") + rb"si\s*>"
    )
    if not all(map(closed.search, pieces)):
        return None
    return array.array("Q", map(len, pieces))
