"""The zip package reader of the pre-checks: small parts inflated once from the package's bytes, exactly as
:mod:`zipfile` reads them, and anything unusual left to :mod:`zipfile` itself (the oracle of every test here)."""

from __future__ import annotations

import copy
import io
import struct
import zipfile
import zlib
from typing import Any

import pytest

from loaders import zip_parts
from loaders.zip_parts import Package

_TEXT = b"<sheetData>" + b"row " * 50 + b"</sheetData>"


_STAMP = (2024, 3, 1, 0, 0, 0)  # fixed, so that every package built here is the same bytes


def _zip(*parts: tuple[zipfile.ZipInfo | str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, _STAMP) if isinstance(name, str) else name
            archive.writestr(info, data, compress_type=method if isinstance(name, str) else None)
    return out.getvalue()


def _with_extra(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.extra = struct.pack("<HH", 0xCAFE, 4) + b"abcd"  # an unknown extra field, in the local header too
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


# Parts that take the fast path: every way a part is laid out that zipfile reads without help.
READABLE = {
    "deflated": (_zip(("a.xml", _TEXT)), "a.xml"),
    "stored": (_zip(("a.xml", _TEXT), method=zipfile.ZIP_STORED), "a.xml"),
    "empty": (_zip(("a.xml", b"")), "a.xml"),
    "second-part": (_zip(("a.xml", b"first"), ("b.xml", _TEXT)), "b.xml"),
    "extra-field-in-the-local-header": (_zip(("a.xml", b"x"), (_with_extra("b.xml"), _TEXT)), "b.xml"),
    "utf-8-name": (_zip(("xl/caf\u00e9.xml", _TEXT)), "xl/caf\u00e9.xml"),
}


@pytest.mark.parametrize("layout", list(READABLE))
def test_small_part_is_inflated_from_the_bytes_as_zipfile_reads_it(layout: str) -> None:
    data, name = READABLE[layout]
    expected = zipfile.ZipFile(io.BytesIO(data)).read(name)

    with Package(data) as package:
        info = package.getinfo(name)
        assert package._inflate(info) == expected
        assert package.read(name) == expected
        assert package.read(info) == expected
        assert package.open(name).read() == expected
        assert package.open(info).read() == expected


def _clear_utf8_flag(data: bytes) -> bytes:
    """The package with its names' UTF-8 flag cleared, local and central: zipfile then reads them as cp437."""
    out = bytearray(data)
    for signature, at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        while start >= 0:
            (flags,) = struct.unpack_from("<H", out, start + at)
            struct.pack_into("<H", out, start + at, flags & ~0x800)
            start = out.find(signature, start + 4)
    return bytes(out)


def test_name_without_the_utf8_flag_is_compared_as_cp437() -> None:
    data = _clear_utf8_flag(_zip(("caf\u00e9.xml", _TEXT)))
    package = Package(data)
    (info,) = package.infolist()
    assert info.orig_filename == "caf\u251c\u2310.xml"  # UTF-8 bytes read as cp437, by zipfile too

    assert package._inflate(info) == _TEXT


def _patched(data: bytes, old: bytes, new: bytes, count: int = 1) -> bytes:
    assert data.count(old) >= count
    return data.replace(old, new, count)


def _info(data: bytes, name: str = "a.xml", **changes: Any) -> tuple[Package, zipfile.ZipInfo]:
    package = Package(data)
    info = copy.copy(package.getinfo(name))
    for key, value in changes.items():
        setattr(info, key, value)
    return package, info


@pytest.mark.parametrize(
    "unusual",
    [
        pytest.param({"flag_bits": 0x01}, id="encrypted"),
        pytest.param({"flag_bits": 0x20}, id="patched-data"),
        pytest.param({"flag_bits": 0x40}, id="strong-encryption"),
        pytest.param({"header_offset": -1}, id="offset-before-the-start"),
        pytest.param({"header_offset": 10_000}, id="offset-after-the-end"),
        pytest.param({"CRC": 0}, id="wrong-crc"),
        pytest.param({"file_size": len(_TEXT) + 1}, id="longer-than-its-data"),
        pytest.param({"orig_filename": "b.xml"}, id="local-name-differs"),
    ],
)
def test_part_with_anything_unusual_is_left_to_zipfile(unusual: dict[str, Any]) -> None:
    package, info = _info(_zip(("a.xml", _TEXT)), **unusual)

    assert package._inflate(info) is None


def test_offset_leaving_less_than_a_local_header_is_left_to_zipfile() -> None:
    data = _zip(("a.xml", _TEXT))
    package, info = _info(data, header_offset=len(data) - 29)

    assert package._inflate(info) is None


def test_part_in_another_method_is_left_to_zipfile() -> None:
    package, info = _info(_zip(("a.xml", _TEXT), method=zipfile.ZIP_BZIP2))

    assert package._inflate(info) is None


def test_part_whose_local_header_has_no_signature_is_left_to_zipfile() -> None:
    package, info = _info(_patched(_zip(("a.xml", _TEXT)), b"PK\x03\x04", b"PK\x03\x05"))

    assert package._inflate(info) is None
    with pytest.raises(zipfile.BadZipFile, match="Bad magic number"):
        package.read(info)


def test_part_whose_deflate_stream_is_corrupt_is_left_to_zipfile() -> None:
    # 0xff starts a block of the reserved type 3: zlib refuses it at once.
    package, info = _info(_zip(("a.xml", b"\xff" * 20), method=zipfile.ZIP_STORED), compress_type=zipfile.ZIP_DEFLATED)

    assert package._inflate(info) is None


def test_local_name_that_is_not_utf8_is_left_to_zipfile_which_refuses_it() -> None:
    data = _zip(("caf\u00e9.xml", _TEXT))
    data = data.replace("caf\u00e9.xml".encode(), b"caf\xff\xfe.xml", 1)  # the local header's copy only
    package = Package(data)
    info = package.getinfo("caf\u00e9.xml")

    assert package._inflate(info) is None
    with pytest.raises(UnicodeDecodeError):
        zipfile.ZipFile(io.BytesIO(data)).read(info)
    with pytest.raises(UnicodeDecodeError):
        package.read(info)


def test_part_inflating_beyond_its_declared_size_yields_only_that_size() -> None:
    """The declared size bounds what one inflation produces (a bomb cannot inflate further here)."""
    declared = _TEXT[:100]
    data = _zip(("a.xml", _TEXT))
    package, info = _info(data, file_size=100, CRC=zlib.crc32(declared))

    assert package._inflate(info) == declared


@pytest.mark.parametrize("size", [64, 65])
def test_parts_up_to_chunk_size_are_inflated_once_and_kept(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_parts, "CHUNK", 64)
    part = bytes(range(size))
    inflated: list[str] = []
    inflate = Package._inflate
    monkeypatch.setattr(Package, "_inflate", lambda self, info: inflated.append(info.filename) or inflate(self, info))
    package = Package(_zip(("a.bin", part)))

    assert package.read("a.bin") == part
    assert package.read("a.bin") == part
    assert package.open("a.bin").read() == part

    small = size <= 64
    assert inflated == (["a.bin"] if small else [])
    assert package._small == ({"a.bin": part} if small else {})
    assert isinstance(package.open("a.bin"), io.BytesIO) is small


def test_large_part_is_read_by_zipfile_with_the_password_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_parts, "CHUNK", 4)
    package = Package(_zip(("a.xml", _TEXT)))
    opened: list[tuple[Any, ...]] = []
    zip_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, mode: str = "r", pwd: bytes | None = None, **kwargs: Any) -> Any:
        opened.append((getattr(name, "filename", name), mode, pwd, kwargs))
        return zip_open(self, name, mode, pwd, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)

    assert package.read("a.xml", pwd=b"secret") == _TEXT
    with package.open("a.xml", pwd=b"other", force_zip64=False) as part:
        assert part.read() == _TEXT

    assert opened == [("a.xml", "r", b"secret", {}), ("a.xml", "r", b"other", {"force_zip64": False})]


def test_small_part_opened_with_a_password_reads_it_with_that_password(monkeypatch: pytest.MonkeyPatch) -> None:
    package = Package(_zip(("a.xml", _TEXT)))
    reads: list[tuple[Any, Any]] = []
    read = Package.read
    monkeypatch.setattr(
        Package, "read", lambda self, name, pwd=None: reads.append((name.filename, pwd)) or read(self, name, pwd)
    )

    assert package.open("a.xml", pwd=b"secret").read() == _TEXT
    assert reads == [("a.xml", b"secret")]


@pytest.mark.parametrize("size", [4, 400])
def test_the_package_opens_nothing_for_writing(size: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zip_parts, "CHUNK", 100)
    package = Package(_zip(("a.xml", b"x" * size)))

    # Read-only: zipfile warns of the name already there, then refuses to write.
    with pytest.warns(UserWarning, match="Duplicate name"), pytest.raises(ValueError, match="requires mode 'w', 'x'"):
        package.open("a.xml", "w")
