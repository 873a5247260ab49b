"""Read the directory and streams of an OLE compound file (a legacy .xls) without a third-party library.

Only what the pre-checks need: the names of the storages and streams (a VBA
project lives in a storage named ``_VBA_PROJECT_CUR``) and the bytes of one
stream (the ``Workbook`` stream, to measure its sheets). Every chain of sectors
is followed at most once per sector, so a damaged or looping file costs no more
than its own size; anything inconsistent raises :class:`OleError`.
"""

from __future__ import annotations

import struct

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_STORAGE, _STREAM, _ROOT = 1, 2, 5


class OleError(Exception):
    """The compound file is damaged (or is no compound file)."""


class _Compound:
    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(_MAGIC):
            raise OleError("not a compound file")
        self.data = data
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        mini_shift = struct.unpack_from("<H", data, 0x20)[0]
        if shift not in (9, 12) or mini_shift != 6:
            raise OleError("bad sector size")
        self.size = 1 << shift
        self.sectors = (len(data) - 512) // self.size + 1  # sector n starts at (n + 1) * size
        self.cutoff = struct.unpack_from("<I", data, 0x38)[0]
        self.fat = self._fat()
        self.entries = self._directory()

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise OleError(f"sector {number} is past the end of the file")
        start = (number + 1) * self.size
        return self.data[start : start + self.size]

    def _fat(self) -> list[int]:
        difat = [n for n in struct.unpack_from("<109I", self.data, 0x4C) if n < _END_OF_CHAIN - 3]
        sector, seen = struct.unpack_from("<I", self.data, 0x44)[0], set()
        while sector < _END_OF_CHAIN - 3:  # more DIFAT sectors: each lists FAT sectors, then the next one
            if sector in seen:
                raise OleError("the DIFAT chain loops")
            seen.add(sector)
            values = struct.unpack(f"<{self.size // 4}I", self._sector(sector))
            difat.extend(n for n in values[:-1] if n < _END_OF_CHAIN - 3)
            sector = values[-1]
        fat: list[int] = []
        for number in difat[: self.sectors]:
            fat.extend(struct.unpack(f"<{self.size // 4}I", self._sector(number)))
        return fat

    def chain(self, start: int, table: list[int]) -> list[int]:
        """The sectors of a chain, in order."""
        sectors: list[int] = []
        seen: set[int] = set()
        while start != _END_OF_CHAIN:
            if start >= len(table) or start in seen:
                raise OleError("a sector chain is broken or loops")
            seen.add(start)
            sectors.append(start)
            start = table[start]
        return sectors

    def _directory(self) -> list[tuple[str, int, int, int]]:
        """(name, type, start sector, size) of every used directory entry."""
        start = struct.unpack_from("<I", self.data, 0x30)[0]
        raw = b"".join(self._sector(n) for n in self.chain(start, self.fat))
        entries = []
        for offset in range(0, len(raw) - 127, 128):
            length, kind = struct.unpack_from("<HB", raw, offset + 64)
            if kind not in (_STORAGE, _STREAM, _ROOT):
                continue
            name = raw[offset : offset + min(max(length - 2, 0), 62)].decode("utf-16-le", errors="replace")
            first, size = struct.unpack_from("<IQ", raw, offset + 116)
            if self.size == 512:
                size &= 0xFFFFFFFF  # version 3 files leave the high half undefined
            entries.append((name, kind, first, size))
        return entries

    def stream(self, name: str) -> bytes:
        """The bytes of the first stream called ``name`` (any case)."""
        entry = next((e for e in self.entries if e[1] == _STREAM and e[0].casefold() == name.casefold()), None)
        if entry is None:
            raise OleError(f"no stream {name}")
        _, _, first, size = entry
        if size > len(self.data):
            raise OleError(f"the stream {name} claims more bytes than the file has")
        if size >= self.cutoff:
            return b"".join(self._sector(n) for n in self.chain(first, self.fat))[:size]
        # A small stream lives in the mini stream (held by the root entry), in 64-byte sectors.
        root = next(e for e in self.entries if e[1] == _ROOT)
        mini_data = b"".join(self._sector(n) for n in self.chain(root[2], self.fat))
        mini_start = struct.unpack_from("<I", self.data, 0x3C)[0]
        mini_fat: list[int] = []
        for sector in self.chain(mini_start, self.fat):  # no mini FAT (end of chain): an empty one
            mini_fat.extend(struct.unpack(f"<{self.size // 4}I", self._sector(sector)))
        return b"".join(mini_data[n * 64 : n * 64 + 64] for n in self.chain(first, mini_fat))[:size]


def ole_entry_names(data: bytes) -> list[str]:
    """The names of every storage and stream in the compound file.

    Raises:
        OleError: the file is damaged.
    """
    try:
        return [entry[0] for entry in _Compound(data).entries]
    except (struct.error, IndexError) as exc:
        raise OleError(str(exc)) from exc


def ole_stream(data: bytes, name: str) -> bytes:
    """The bytes of the stream called ``name``.

    Raises:
        OleError: the file is damaged or has no such stream.
    """
    try:
        return _Compound(data).stream(name)
    except (struct.error, IndexError, StopIteration) as exc:
        raise OleError(str(exc)) from exc
