"""File writes that survive a crash, each one a numbered fault-injection point.

Every change the store makes on disk goes through these functions: create,
write (one step per chunk), fsync, rename, unlink, truncate, mkdir and the
fsync of a directory. Each is one *step*; the process counts them, so a crash
test can say "die at step N" and walk N = 1, 2, … until the work completes,
the way SQLite tests its crash safety:

- ``TRACKER_CRASH_AT=N`` makes the process kill itself (SIGKILL) just before
  its Nth step;
- with ``TRACKER_CRASH_TORN=K`` as well, when step N is a write, the first K
  bytes of that chunk are written before dying: a torn write.

Neither variable is ever set outside the tests. The readers here (file state,
sha256, a byte range, where the last complete line ends) are not steps.
"""

from __future__ import annotations

import hashlib
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

CRASH_ENV = "TRACKER_CRASH_AT"
TORN_ENV = "TRACKER_CRASH_TORN"
CHUNK_BYTES = 1 << 20  # a multi-MB write is several steps, so a crash can fall between its chunks


@dataclass
class _Counter:
    count: int = 0
    trace: list[tuple[str, str]] | None = None


_steps = _Counter()


def reset_steps(*, trace: bool = False) -> None:
    """Start counting steps from zero (and record them when ``trace``), e.g. in a forked test child."""
    _steps.count = 0
    _steps.trace = [] if trace else None


def traced_steps() -> list[tuple[str, str]]:
    """The steps recorded since :func:`reset_steps` with ``trace=True``: (kind, file name)."""
    return list(_steps.trace or [])


def _step(kind: str, path: Path) -> int | None:
    """Count one step; die here when it is the one asked for.

    Returns:
        For a write step that must be torn, how many bytes to write before dying; else None.
    """
    _steps.count += 1
    if _steps.trace is not None:
        _steps.trace.append((kind, path.name))
    if os.environ.get(CRASH_ENV) != str(_steps.count):
        return None
    torn = os.environ.get(TORN_ENV)
    if kind == "write" and torn:
        return int(torn)
    _die()


def _die() -> NoReturn:
    os.kill(os.getpid(), signal.SIGKILL)  # as `kill -9` would: no cleanup, no flush
    raise SystemExit(137)  # never reached: SIGKILL cannot be caught


# --- steps ---------------------------------------------------------------------------------------


def write_file(path: Path, data: bytes) -> None:
    """Create or overwrite ``path`` with ``data`` and fsync it (not its directory entry)."""
    write_chunks(path, _chunks(data))


def copy_file(source: Path, path: Path) -> None:
    """Copy ``source`` to ``path`` chunk by chunk and fsync the copy."""
    with source.open("rb") as handle:
        write_chunks(path, iter(lambda: handle.read(CHUNK_BYTES), b""))


def write_chunks(path: Path, chunks: Iterator[bytes]) -> None:
    """Create or overwrite ``path`` with the chunks and fsync it."""
    _step("create", path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        _write_all(fd, path, chunks)
        _fsync(fd, path)
    finally:
        os.close(fd)


def append(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created if missing, its directory then fsynced) and fsync it."""
    created = not path.exists()
    _step("open", path)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        _write_all(fd, path, _chunks(data))
        _fsync(fd, path)
    finally:
        os.close(fd)
    if created:
        fsync_dir(path.parent)


def truncate(path: Path, size: int) -> None:
    """Cut ``path`` to ``size`` bytes and fsync it."""
    fd = os.open(path, os.O_WRONLY)
    try:
        _step("truncate", path)
        os.ftruncate(fd, size)
        _fsync(fd, path)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    """fsync an existing file (e.g. one a crash may have left written but not yet synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        _fsync(fd, path)
    finally:
        os.close(fd)


def replace(source: Path, target: Path) -> None:
    """Atomically rename ``source`` over ``target`` (readers see one or the other, whole)."""
    _step("rename", target)
    os.replace(source, target)


def unlink(path: Path) -> None:
    """Remove a file."""
    _step("unlink", path)
    path.unlink()


def mkdir(path: Path) -> None:
    """Create ``path`` and any missing parents, each made durable in its parent directory."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        _step("mkdir", folder)
        folder.mkdir(exist_ok=True)  # another process may make it between the check and here (a first apply each)
        fsync_dir(folder.parent)


def fsync_dir(path: Path) -> None:
    """Make the renames, creations and removals in a directory durable (POSIX)."""
    _step("fsync-dir", path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no mutate - platforms whose directories cannot be opened
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, path: Path, chunks: Iterator[bytes]) -> None:
    for chunk in chunks:
        torn = _step("write", path)
        if torn is not None:
            os.write(fd, chunk[: min(torn, len(chunk) - 1)])
            _die()
        view = memoryview(chunk)
        while view:
            view = view[os.write(fd, view) :]


def _fsync(fd: int, path: Path) -> None:
    _step("fsync", path)
    os.fsync(fd)


def _chunks(data: bytes) -> Iterator[bytes]:
    for start in range(0, len(data), CHUNK_BYTES):
        yield data[start : start + CHUNK_BYTES]


# --- reading and checking (not steps) ------------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    """What a file must hold: its name, size and sha256 (hex)."""

    name: str
    size: int
    sha256: str

    @classmethod
    def of_bytes(cls, name: str, data: bytes) -> FileState:
        """The state of a file that will hold ``data``."""
        return cls(name, len(data), hashlib.sha256(data).hexdigest())

    @classmethod
    def of_file(cls, path: Path) -> FileState:
        """The state of an existing file, under its own name."""
        return cls(path.name, path.stat().st_size, sha256_of(path))

    def held_by(self, path: Path) -> bool:
        """True when ``path`` is a file of exactly this size and sha256."""
        return path.is_file() and path.stat().st_size == self.size and sha256_of(path) == self.sha256


def sha256_of(path: Path) -> str:
    """The sha256 (hex) of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_range(path: Path, offset: int, size: int) -> bytes:
    """Up to ``size`` bytes of ``path`` from ``offset`` (fewer at the end of the file)."""
    with path.open("rb") as handle:
        handle.seek(offset)
        return handle.read(size)


def complete_size(path: Path) -> int:
    """How many bytes of ``path`` end with its last newline: the size without a torn last line (0 if none)."""
    if not path.is_file():
        return 0
    end = path.stat().st_size
    with path.open("rb") as handle:
        while end > 0:
            start = max(0, end - CHUNK_BYTES)
            handle.seek(start)
            block = handle.read(end - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                return start + cut + 1
            end = start
    return 0
