"""The OLE compound-file reader: exact names and stream bytes from files laid out sector by sector.

Each file is written here by hand, so the expected names and bytes are known without another reader, and each
damage (a chain that loops or runs off the table, a sector past the end, a stream that claims too much) is one
change to a good file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Sequence

import pytest

from loaders.ole import OleError, ole_entry_names, ole_stream

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FATSECT, _DIFSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
_MAX_SECTOR, _RESERVED = 0xFFFFFFFA, 0xFFFFFFFB  # the last regular sector number; the first special value


def _header(
    shift: int = 9,
    *,
    mini_shift: int = 6,
    directory: int = 1,
    cutoff: int = 512,
    mini_fat: int = 2,
    difat_start: int = _END,
    difat: Sequence[int] = (0,),
) -> bytes:
    """The header sector (512 bytes, zero-padded to a 4096-byte sector in a version-4 file)."""
    fields = struct.pack(
        "<HHHHH6xIIIIIIIII",
        0x3E,
        3 if shift == 9 else 4,
        0xFFFE,
        shift,
        mini_shift,
        0,
        len(difat),
        directory,
        0,
        cutoff,
        mini_fat,
        0,
        difat_start,
        0,
    )
    table = struct.pack("<109I", *difat, *[_FREE] * (109 - len(difat)))
    return (_MAGIC + bytes(16) + fields + table).ljust(1 << shift, b"\0")


def _words(values: Sequence[int], shift: int = 9) -> bytes:
    """A FAT, mini FAT or DIFAT sector: ``values``, then free entries."""
    count = (1 << shift) // 4
    return struct.pack(f"<{count}I", *values, *[_FREE] * (count - len(values)))


def _entry(name: str, kind: int, first: int = _END, size: int = 0, length: int | None = None) -> bytes:
    """A 128-byte directory entry; ``length`` overrides the name's byte count (terminator included)."""
    encoded = name.encode("utf-16-le") + b"\0\0"
    return (
        encoded.ljust(64, b"\0")[:64]
        + struct.pack("<HBB", len(encoded) if length is None else length, kind, 1)
        + bytes(48)
        + struct.pack("<IQ", first, size)
    )


def _sector(content: bytes, shift: int = 9, fill: bytes = b"\0") -> bytes:
    return content.ljust(1 << shift, fill)


def _workbook(shift: int) -> bytes:
    """The big stream's bytes: one sector and 100 bytes more."""
    return bytes(n % 251 for n in range((1 << shift) + 100))


_MINI_STREAM = b"B" * 64 + b"tiny-bytes".ljust(64, b"?") + b"A" * 64  # mini sectors 0, 1, 2
_SMALL = b"A" * 64 + b"B" * 36  # mini sectors 2 then 0
_NAMES = ["Root Entry", "Workbook", "_VBA_PROJECT_CUR", "Small", "Tiny"]


def _good(
    shift: int = 9,
    *,
    entries: dict[int, bytes] | None = None,
    fat: dict[int, int] | None = None,
    mini_fat: Sequence[int] = (_END, _END, 0),
) -> bytes:
    """A good file; ``entries`` replaces directory entries (by index), ``fat`` FAT entries.

    Sectors: 0 FAT, 1 and 5 directory, 2 mini FAT, 3 and 6 the Workbook stream (6 first), 4 the mini stream.
    Directory: Root Entry, Workbook, an unused entry, a storage, Small (mini sectors 2, 0), Tiny (mini sector 1),
    a property entry (type 4, not a storage or stream); the rest of each directory sector is unused entries.
    """
    workbook = _workbook(shift)
    size = 1 << shift
    table = {0: _FATSECT, 1: 5, 2: _END, 3: _END, 4: _END, 5: _END, 6: 3, **(fat or {})}
    listed = {
        0: _entry("Root Entry", 5, 4, len(_MINI_STREAM)),
        1: _entry("Workbook", 2, 6, len(workbook)),
        2: _entry("Gone", 0, 3, 10),
        3: _entry("_VBA_PROJECT_CUR", 1),
        4: _entry("Small", 2, 2, len(_SMALL)),
        5: _entry("Tiny", 2, 1, 10),
        6: _entry("Property", 4, 1, 10),
        **(entries or {}),
    }
    per_sector = size // 128
    first = b"".join(listed.get(n, bytes(128)) for n in range(4))
    second = b"".join(listed.get(n, bytes(128)) for n in range(4, 4 + per_sector))
    sectors = [
        _words([table[n] for n in sorted(table)], shift),
        _sector(first, shift),
        _words(mini_fat, shift),  # by default: 2 -> 0, 1 alone
        _sector(workbook[size:], shift, b"\xee"),
        _sector(_MINI_STREAM, shift),
        _sector(second, shift),
        workbook[:size],
    ]
    return _header(shift) + b"".join(sectors)


@pytest.mark.parametrize("shift", [9, 12], ids=["version-3", "version-4"])
def test_names_and_streams_are_read_exactly(shift: int) -> None:
    data = _good(shift)

    assert ole_entry_names(data) == _NAMES
    assert ole_stream(data, "WORKBOOK") == _workbook(shift)
    assert ole_stream(data, "small") == _SMALL
    assert ole_stream(data, "Tiny") == b"tiny-bytes"


def test_the_first_stream_of_a_name_is_read() -> None:
    data = _good(entries={7: _entry("TINY", 2, 0, 5)})

    assert ole_entry_names(data) == [*_NAMES, "TINY"]
    assert ole_stream(data, "tiny") == b"tiny-bytes"


@pytest.mark.parametrize(
    ("length", "name", "expected"),
    [
        (0, "Name", ""),
        (1, "Name", ""),
        (2, "Name", ""),
        (5, "Name", "N\ufffd"),  # an odd byte count: the half character is replaced
        (10, "Name", "Name"),
        (64, "N" * 31, "N" * 31),
        (66, "N" * 32, "N" * 31),  # 32 characters fill the field: the last one would be its terminator
        (0xFFFF, "N" * 32, "N" * 31),
    ],
)
def test_entry_names_are_read_within_their_field(length: int, name: str, expected: str) -> None:
    data = _good(entries={1: _entry(name, 2, 6, 10, length=length)})

    assert ole_entry_names(data)[1] == expected


@pytest.mark.parametrize(
    ("cutoff", "expected"), [(100, _words([_END, _END, 0])[:100]), (101, _SMALL), (0xFFFFFFFF, _SMALL)]
)
def test_a_stream_of_the_cutoff_size_is_in_sectors_and_a_smaller_one_in_the_mini_stream(
    cutoff: int, expected: bytes
) -> None:
    data = bytearray(_good())
    data[0x38:0x3C] = struct.pack("<I", cutoff)  # Small (100 bytes, first sector 2) is read from the FAT's sector 2

    assert ole_stream(bytes(data), "Small") == expected


def _set(offset: int, form: str, value: int) -> Callable[[bytes], bytes]:
    def change(data: bytes) -> bytes:
        changed = bytearray(data)
        struct.pack_into(form, changed, offset, value)
        return bytes(changed)

    return change


_DIFAT_0 = 0x4C  # the first DIFAT entry in the header
# A DIFAT sector (sector 7, appended) that lists the FAT (sector 0) in its last slot before the next pointer.
_DIFAT_SECTOR = _words([*[_FREE] * 126, 0, _END])


def _difat(*sectors: bytes) -> Callable[[bytes], bytes]:
    """The header lists no FAT sector; DIFAT sectors, appended from sector 7 on, do."""
    return lambda data: _set(0x44, "<I", 7)(_set(_DIFAT_0, "<I", _FREE)(data)) + b"".join(sectors)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda data: data, id="unchanged"),
        pytest.param(_set(_DIFAT_0 + 4, "<I", _RESERVED), id="reserved-value-in-the-header-difat"),
        pytest.param(_set(0x44, "<I", _RESERVED), id="reserved-value-as-the-first-difat-sector"),
        pytest.param(_difat(_DIFAT_SECTOR), id="fat-listed-in-a-difat-sector"),
        pytest.param(_difat(_words([_RESERVED, *[_FREE] * 125, 0, _END])), id="reserved-value-in-a-difat-sector"),
        pytest.param(_difat(_words([*[_FREE] * 127, 8]), _DIFAT_SECTOR), id="fat-listed-in-the-second-difat-sector"),
        pytest.param(lambda data: data + b"\xee" * 100, id="trailing-bytes"),
        pytest.param(_set(0x3C, "<I", _END), id="no-mini-fat-for-no-small-stream"),
    ],
)
def test_the_fat_is_found_through_the_header_and_difat_sectors(change: Callable[[bytes], bytes]) -> None:
    data = change(_good())

    assert ole_entry_names(data) == _NAMES
    assert ole_stream(data, "Workbook") == _workbook(9)


def test_a_last_sector_cut_short_is_read_as_far_as_it_goes() -> None:
    data = _good(fat={5: 7, 7: _END}) + _entry("Extra", 1)  # the directory goes on in sector 7: one entry

    assert ole_entry_names(data) == [*_NAMES, "Extra"]


def test_the_mini_stream_may_span_several_sectors() -> None:
    data = _good(
        entries={0: _entry("Root Entry", 5, 4, 9 * 64), 5: _entry("Tiny", 2, 8, 10)},
        fat={4: 7, 7: _END},  # the mini stream goes on from sector 4 to sector 7, with mini sectors 8 to 15
        mini_fat=[_END, _END, 0, *[_FREE] * 5, _END],
    ) + _sector(b"far-tiny!!")

    assert ole_stream(data, "Tiny") == b"far-tiny!!"


def test_an_empty_stream_needs_no_mini_fat() -> None:
    data = _set(0x3C, "<I", _END)(_good(entries={5: _entry("Tiny", 2, _END, 0)}))

    assert ole_stream(data, "Tiny") == b""


def test_a_stream_may_claim_as_many_bytes_as_the_file_has() -> None:
    """What it claims bounds what is read; the chain's sectors are what is read."""
    claims = len(_good())
    data = _good(entries={1: _entry("Workbook", 2, 6, claims)})

    assert ole_stream(data, "Workbook") == _workbook(9)[:512] + _sector(_workbook(9)[512:], 9, b"\xee")


def test_a_header_without_sectors_holds_nothing() -> None:
    data = _header(directory=_END, mini_fat=_END, difat=())

    assert ole_entry_names(data) == []
    with pytest.raises(OleError, match=r"^no stream Workbook$"):
        ole_stream(data, "Workbook")


_HIGH_HALF = 7 << 32


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_header()[:511], "^not a compound file$", id="shorter-than-a-header"),
        pytest.param(b"\0" + _good()[1:], "^not a compound file$", id="no-signature"),
        pytest.param(_set(0x1E, "<H", 10)(_good()), "^bad sector size$", id="sector-shift-10"),
        pytest.param(_set(0x1E, "<H", 11)(_good()), "^bad sector size$", id="sector-shift-11"),
        pytest.param(_set(0x20, "<H", 7)(_good()), "^bad sector size$", id="mini-sector-shift-7"),
        pytest.param(_set(0x20, "<H", 5)(_good()), "^bad sector size$", id="mini-sector-shift-5"),
        pytest.param(
            _set(0x30, "<I", 8)(_good(fat={7: _END, 8: _END})),
            "^sector 8 is past the end of the file$",
            id="directory-past-end",
        ),
        pytest.param(
            _set(0x30, "<I", 8)(_good(fat={7: _END, 8: _END}) + b"\xee" * 100),
            "^sector 8 is past the end of the file$",
            id="directory-past-a-partial-last-sector",
        ),
        pytest.param(
            _set(_DIFAT_0 + 4, "<I", _MAX_SECTOR)(_good()),
            "^sector 4294967290 is past the end of the file$",
            id="last-regular-sector-in-the-header-difat",
        ),
        pytest.param(
            _set(0x44, "<I", _MAX_SECTOR)(_good()),
            "^sector 4294967290 is past the end of the file$",
            id="last-regular-sector-as-the-first-difat-sector",
        ),
        pytest.param(
            _difat(_words([_MAX_SECTOR, *[_FREE] * 125, 0, _END]))(_good()),
            "^sector 4294967290 is past the end of the file$",
            id="last-regular-sector-in-a-difat-sector",
        ),
        pytest.param(_difat(_words([0, *[_FREE] * 126, 7]))(_good()), "^the DIFAT chain loops$", id="difat-loops"),
        pytest.param(
            _difat(_words([0, *[_FREE] * 126, 8]), _words([*[_FREE] * 127, 7]))(_good()),
            "^the DIFAT chain loops$",
            id="difat-loops-over-two-sectors",
        ),
        pytest.param(_good(fat={5: 1}), "^a sector chain is broken or loops$", id="directory-chain-loops"),
        pytest.param(_good(fat={1: 128}), "^a sector chain is broken or loops$", id="chain-runs-off-the-fat"),
        pytest.param(_good(fat={1: 127}), "^a sector chain is broken or loops$", id="chain-into-a-free-sector"),
        pytest.param(
            _header(directory=_END, mini_fat=_END) + b"\0" * 100,
            "^unpack requires a buffer of 512 bytes$",
            id="fat-sector-cut-short",
        ),
    ],
)
def test_a_damaged_file_is_refused_with_what_is_wrong(data: bytes, message: str) -> None:
    with pytest.raises(OleError, match=message):
        ole_entry_names(data)
    with pytest.raises(OleError, match=message):
        ole_stream(data, "Workbook")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        pytest.param(_good(), "Book", "^no stream Book$", id="no-such-stream"),
        pytest.param(_good(), "_VBA_PROJECT_CUR", "^no stream _VBA_PROJECT_CUR$", id="a-storage-is-no-stream"),
        pytest.param(_good(), "Gone", "^no stream Gone$", id="an-unused-entry-is-no-stream"),
        pytest.param(
            _good(entries={1: _entry("Workbook", 2, 6, len(_good()) + 1)}),
            "Workbook",
            "^the stream Workbook claims more bytes than the file has$",
            id="claims-one-byte-more-than-the-file",
        ),
        pytest.param(
            _good(shift=12, entries={1: _entry("Workbook", 2, 6, _HIGH_HALF | 4196)}),
            "Workbook",
            "^the stream Workbook claims more bytes than the file has$",
            id="version-4-size-over-4-gib",
        ),
        pytest.param(_good(fat={6: _FREE}), "Workbook", "^a sector chain is broken or loops$", id="big-chain"),
        pytest.param(_set(0x3C, "<I", _END)(_good()), "Small", "^a sector chain is broken or loops$", id="no-mini-fat"),
        pytest.param(
            _good(entries={4: _entry("Small", 2, 3, 100)}), "Small", "^a sector chain is broken or loops$", id="mini"
        ),
        pytest.param(_good(entries={0: _entry("Root Entry", 1, 4, 192)}), "Small", "^$", id="no-root-entry"),
    ],
)
def test_a_stream_that_cannot_be_read_is_refused(data: bytes, name: str, message: str) -> None:
    with pytest.raises(OleError, match=message):
        ole_stream(data, name)


def test_version_3_ignores_the_high_half_of_a_stream_size() -> None:
    data = _good(entries={1: _entry("Workbook", 2, 6, _HIGH_HALF | 612)})

    assert ole_stream(data, "Workbook") == _workbook(9)
