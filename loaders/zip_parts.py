"""Read the parts of a zip package (.xlsx, .ods) once each, for the pre-checks.

The checks read the same few parts (content types, relationships, shared
strings) for different reasons, and look into every part for sheet data: each
part up to :data:`CHUNK` bytes is decompressed once and kept (the package is
already within the unzipped-size limit). Such a small part is inflated straight
from the package's bytes, the way :mod:`zipfile` would read it (the local header
found from the directory, the data inflated up to the declared size, the CRC
checked); whatever is unusual (encryption, another method, a short or corrupt
stream, a name that differs from the directory's) is read by :mod:`zipfile`
itself, so it raises what it raises for a damaged package.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any, Literal

CHUNK = 1 << 20
"""What one decompression step yields; parts up to this size are read whole and kept."""

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, then the lengths of the name and of the extra field


class Package(zipfile.ZipFile):
    """A zip package whose small parts are decompressed once, whichever check reads them first."""

    def __init__(self, data: bytes) -> None:
        super().__init__(io.BytesIO(data))
        self._data = data
        self._small: dict[str, bytes] = {}

    def read(self, name: str | zipfile.ZipInfo, pwd: bytes | None = None) -> bytes:
        """The part's bytes (kept when small)."""
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        data = self._small.get(info.filename)
        if data is None:
            data = self._inflate(info) if info.file_size <= CHUNK else None
            if data is None:
                with super().open(info, pwd=pwd) as part:
                    data = part.read()
            if info.file_size <= CHUNK:
                self._small[info.filename] = data
        return data

    def open(  # type: ignore[override]
        self, name: str | zipfile.ZipInfo, mode: Literal["r", "w"] = "r", pwd: bytes | None = None, **kwargs: Any
    ) -> Any:
        """As :meth:`zipfile.ZipFile.open`; a small part read whole and kept."""
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        if mode == "r" and info.file_size <= CHUNK:
            return io.BytesIO(self.read(info, pwd))
        return super().open(name, mode, pwd, **kwargs)

    def _inflate(self, info: zipfile.ZipInfo) -> bytes | None:
        """The part read as zipfile reads it, or None when anything is unusual (zipfile then reads it)."""
        if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None  # encrypted, patched or strongly encrypted; or another method
        start = info.header_offset
        if start < 0 or start + _LOCAL_HEADER.size > len(self._data):
            return None
        signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(self._data, start)
        name = self._data[start + 30 : start + 30 + name_length]
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        if signature != b"PK\x03\x04" or name.decode(encoding, errors="replace") != info.orig_filename:
            return None
        begin = start + 30 + name_length + extra_length
        raw = self._data[begin : begin + info.compress_size]
        if info.compress_type == zipfile.ZIP_STORED:
            data = raw[: info.file_size]
        else:
            try:
                data = zlib.decompressobj(-15).decompress(raw, info.file_size)
            except zlib.error:
                return None
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return None
        return data
