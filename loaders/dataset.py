"""Assemble the whole data set: catalog + every member file in a data directory.

This is the one entry point the app, the CLI and the tests use to turn files
into validated frames. Reading each file is injectable so the app can cache it
per file fingerprint (see ``ui/cache.py``) while the validation across files
stays one vectorised pass.
"""

from __future__ import annotations

import datetime as dt
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from loaders.actions import ActionSet, validate_actions
from loaders.catalog import Catalog, load_catalog
from loaders.content import Parsed
from loaders.disclosure import mark
from loaders.issues import Issue, error, sort_issues
from loaders.tables import READABLE_SUFFIXES, REFUSED_SUFFIXES, RawFile, raw_from_content, read_member_file

Reader = Callable[[Path], RawFile]
SCANNED_SUFFIXES = (*READABLE_SUFFIXES, *REFUSED_SUFFIXES)

PARALLEL_MIN_BYTES = 8 * 2**20
"""Below this many bytes to read, worker processes cost more than they save (each imports pandas, ~0.6 s)."""
MAX_READ_WORKERS = 4
"""Each worker holds one file's parse at a time (~100 MB for the largest 100× YAML file)."""
SHARED_MIN_BYTES = 2**20
SHARED_MIN_FILES = 8
"""Below these (bytes, files), reading here is quicker than starting a parsing helper (~0.1 s, no pandas)."""
SHARED_MIN_IDLE_CORES = 0.5
"""The helper pays only with a core to itself. Measured on 2 cores, 49 workbooks of 200 rows: with nothing else
running (load average ~1, the benchmark's own back-to-back runs) `validate` took 1.34 s with the helper against
1.58 s without; with another process busy on one core (load ~2) it took ~0.25 s *longer* with it."""


@dataclass(frozen=True)
class Dataset:
    """Everything the dashboard shows, validated once at load time.

    Attributes:
        catalog: the commitments catalog.
        actions: one row per valid action (see ``loaders.actions.ACTION_COLUMNS``).
        action_commitments: long table (action_key, commitment_id, framework, top_level).
        action_mechanisms: long table (action_key, mechanism_id).
        files: one row per member file read (member, file, rows, actions, errors, warnings, modified),
            confidential rows and issues included: for viewers use ``tracker.views.method.files_table``.
        issues: catalog and data issues, sorted, each marked with who may read it
            (``loaders.disclosure``; viewers get ``visible_issues``).
        illustrative: True when any file is marked as illustrative sample data.
        public_record: when any file is marked as compiled from the public record (not member reporting), the
            latest day its sources were read; else None.
    """

    catalog: Catalog
    actions: pd.DataFrame
    action_commitments: pd.DataFrame
    action_mechanisms: pd.DataFrame
    files: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)
    illustrative: bool = False
    public_record: dt.date | None = None

    @property
    def errors(self) -> list[Issue]:
        """Only the error-severity issues."""
        return [i for i in self.issues if i.severity == "error"]


def member_files(data_dir: Path) -> list[Path]:
    """Files in ``data_dir`` that are member files (or refused workbooks), by name.

    Files starting with ``_`` or ``.`` and sub-directories (history, snapshots)
    are not member files.
    """
    # os.scandir: the entries say whether they are files without a stat each (the app asks on every page run).
    with os.scandir(data_dir) as entries:
        return sorted(
            Path(entry.path)
            for entry in entries
            if not entry.name.startswith(("_", "."))
            and os.path.splitext(entry.name)[1].lower() in SCANNED_SUFFIXES
            and entry.is_file()
        )


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files given directly plus the member files of each directory given."""
    out: list[Path] = []
    for path in paths:
        out.extend(member_files(path) if path.is_dir() else [path])
    return out


def load_dataset(
    data_dir: Path | str,
    catalog: Catalog | None = None,
    *,
    today: dt.date | None = None,
    reader: Reader = read_member_file,
) -> Dataset:
    """Load and validate every member file in ``data_dir``.

    Args:
        data_dir: the directory of member files.
        catalog: a loaded catalog (the bundled one when omitted).
        today: the reference date for "not in the future" (today when omitted).
        reader: reads one file; the app passes a cached version.
    """
    data_dir = Path(data_dir)
    catalog = catalog or load_catalog()
    paths = member_files(data_dir) if data_dir.is_dir() else []
    raws = read_files(paths) if reader is read_member_file else [reader(p) for p in paths]
    raws, duplicate_issues = _one_file_per_member(raws)
    return build_dataset(catalog, raws, today=today, extra_issues=duplicate_issues, paths=paths)


def read_files(paths: Sequence[Path], workers: int | None = None, names: Sequence[str] | None = None) -> list[RawFile]:
    """Read member files with :func:`read_member_file`, with help from other processes when there is a lot to read.

    Parsing is CPU-bound Python (PyYAML builds every value, the container checks walk
    every sheet's XML), so threads would not help. From :data:`PARALLEL_MIN_BYTES`,
    worker processes read whole files (at 100× data: 30 s → 13 s on 2 cores) and
    leave the parse garbage in the workers, so the caller's heap holds only the
    compact results (150 MB less resident memory at 100×). From
    :data:`SHARED_MIN_BYTES` (and :data:`SHARED_MIN_FILES`), one helper that needs
    no pandas parses files from the end of the list while this process reads from
    the front (:func:`_read_shared`). The results are the same as reading one by
    one, which is also the fallback if a helper cannot run.

    Args:
        paths: the files, read in this order.
        workers: worker processes for whole files; by default one per available core
            (at most :data:`MAX_READ_WORKERS`) when the files hold at least
            :data:`PARALLEL_MIN_BYTES`, else 1 (read here, perhaps with the parsing
            helper). Given explicitly, no helper is used.
        names: how issues name each file (default: its bare name), as for
            :func:`read_member_file`'s ``display_name``.
    """
    paths = list(paths)
    shown = [p.name for p in paths] if names is None else list(names)
    if workers is None:
        # The workers name files by their bare name; files named otherwise are read here (and by the helper).
        workers = _worker_count(paths) if shown == [p.name for p in paths] else 1
        if workers == 1 and _shares_reading(paths):
            return _read_shared(paths, shown)
    else:
        workers = min(workers, len(paths))
    if workers > 1:
        try:
            return _read_in_pool(paths, workers)
        except (OSError, EOFError, subprocess.SubprocessError, pickle.UnpicklingError):
            pass  # a worker could not start or failed: read here instead, which reports what is wrong
    return [read_member_file(p, name) for p, name in zip(paths, shown, strict=True)]


def _shares_reading(paths: Sequence[Path]) -> bool:
    return (
        len(paths) >= SHARED_MIN_FILES
        and sum(_size(p) for p in paths) >= SHARED_MIN_BYTES
        and _idle_cores() >= SHARED_MIN_IDLE_CORES
    )


def _idle_cores() -> float:
    """Cores the last minute's load average leaves idle (it counts this process too, and whatever ran before it)."""
    return len(os.sched_getaffinity(0)) - os.getloadavg()[0]


def _read_shared(paths: list[Path], names: list[str]) -> list[RawFile]:
    """Read ``paths`` here from the front while a helper (``python -m loaders.content --files``) parses from the back.

    The helper does the pandas-free half of reading (:func:`loaders.content.parse_path`: the size and container
    checks, calamine, the YAML parser) and sends each parse as soon as it is done; this process turns them into
    rows (:func:`loaders.tables.raw_from_content`, exactly what :func:`read_member_file` does after parsing). This
    process never waits for the helper: it reads from the front until it reaches a file the helper has sent, so
    the two meet wherever their speeds make them meet (at worst both parse the file where they meet), and a slow,
    busy or failed helper costs only its start. Files the helper could not open are read here, which reports them
    as always.
    """
    count = len(paths)
    try:
        helper = subprocess.Popen(
            [sys.executable, "-m", "loaders.content", "--files"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a failure only means reading here, which reports it
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
    except OSError:
        return [read_member_file(p, name) for p, name in zip(paths, names, strict=True)]
    parsed: dict[int, Parsed | None] = {}  # filled by the collector, from the last position down

    def collect() -> None:
        assert helper.stdin is not None and helper.stdout is not None  # both PIPE; for the type checker
        try:
            # Written here, not by the caller: a long list would block on the pipe until the helper has started.
            helper.stdin.write(pickle.dumps([(i, str(paths[i]), names[i]) for i in reversed(range(count))]))
            helper.stdin.close()
            while True:
                # Our own helper wrote these, from files this process would read anyway.
                position, result = pickle.load(helper.stdout)  # noqa: S301
                parsed[position] = result
        except (EOFError, OSError, pickle.UnpicklingError, ValueError, TypeError):
            pass  # finished, killed or failed: what it did not send is read here

    raws: list[RawFile] = []
    collector = threading.Thread(target=collect, daemon=True)
    collector.start()
    try:
        while len(raws) < count and len(raws) not in parsed:
            raws.append(read_member_file(paths[len(raws)], names[len(raws)]))
    finally:
        helper.kill()  # it may be parsing a file this process has read already
        helper.wait()
        collector.join()
    for i in range(len(raws), count):  # every one of them was sent: the helper goes from the last one down
        content = parsed[i]
        raws.append(
            read_member_file(paths[i], names[i])
            if content is None
            else raw_from_content(paths[i].name, names[i], content)
        )
    return raws


def _worker_count(paths: Sequence[Path]) -> int:
    total = sum(_size(p) for p in paths)
    if total < PARALLEL_MIN_BYTES or len(paths) < 2:
        return 1
    return min(len(os.sched_getaffinity(0)), MAX_READ_WORKERS, len(paths))


def _read_in_pool(paths: list[Path], workers: int) -> list[RawFile]:
    """Read ``paths`` in ``workers`` child processes (``python -m loaders.dataset FILE…``).

    Plain child processes rather than ``multiprocessing``: its "spawn" start
    re-runs the parent's ``__main__``, which inside Streamlit is the app script,
    and forking the threaded server could deadlock.

    Raises:
        subprocess.CalledProcessError: a worker failed.
    """
    groups = balanced_groups([_size(p) for p in paths], workers)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    children = [
        subprocess.Popen(  # noqa: S603 - our own module, on the files being loaded
            [sys.executable, "-m", "loaders.dataset", *(str(paths[i]) for i in group)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a failure only means reading here again, which reports it
            env=env,
        )
        for group in groups
    ]
    try:
        # Drain every worker at once (a thread each): a worker whose pipe is not read blocks on its
        # first result and stops parsing, which would make the workers take turns.
        with ThreadPoolExecutor(max_workers=workers) as drain:
            results = list(drain.map(_collect, groups, children))
    finally:
        for child in children:
            child.kill()  # only those still running: after a failure, do not leave them behind
            child.wait()
    by_position: dict[int, RawFile] = {}
    for raws in results:
        by_position.update(raws)
    return [by_position[i] for i in range(len(paths))]


def balanced_groups(sizes: Sequence[int], workers: int) -> list[list[int]]:
    """Positions of ``sizes`` in ``workers`` groups of about equal total size, each in the order it is read.

    Largest first to the least loaded group (the first of equals), so the workers finish at about the same time.
    """
    groups: list[list[int]] = [[] for _ in range(workers)]
    loads = [0] * workers
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        lightest = loads.index(min(loads))
        groups[lightest].append(i)
        loads[lightest] += sizes[i]
    return groups


def _collect(group: list[int], child: subprocess.Popen[bytes]) -> dict[int, RawFile]:
    """One worker's results by position, unpickled as they arrive (no copy of its whole output in memory).

    Raises:
        subprocess.CalledProcessError: the worker failed.
    """
    assert child.stdout is not None  # stdout=PIPE; for the type checker
    # Our own child process wrote these, from files this process would read anyway.
    raws = {i: pickle.load(child.stdout) for i in group}  # noqa: S301
    if child.wait() != 0:
        raise subprocess.CalledProcessError(child.returncode, child.args)
    return raws


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def build_dataset(
    catalog: Catalog,
    raws: Sequence[RawFile],
    *,
    today: dt.date | None = None,
    extra_issues: Sequence[Issue] = (),
    paths: Sequence[Path] = (),
) -> Dataset:
    """Validate already-read files together and assemble a :class:`Dataset`."""
    checked: ActionSet = validate_actions(raws, catalog, today or dt.date.today())
    # The catalog is public; the extra issues are about whole files (a member's second file).
    outside_rows = mark(extra_issues, data_rows=set(), secret_rows=set())
    issues = sort_issues([*catalog.issues, *outside_rows, *checked.issues])
    return Dataset(
        catalog=catalog,
        actions=checked.actions,
        action_commitments=checked.action_commitments,
        action_mechanisms=checked.action_mechanisms,
        files=_file_table(raws, checked, issues, paths),
        issues=issues,
        illustrative=any(r.illustrative for r in raws),
        public_record=max((r.public_record for r in raws if r.public_record), default=None),
    )


def _one_file_per_member(raws: list[RawFile]) -> tuple[list[RawFile], list[Issue]]:
    """Keep the first file of each member; a second one is an error, not merged."""
    seen: dict[str, str] = {}
    kept: list[RawFile] = []
    issues: list[Issue] = []
    for raw in raws:
        member = raw.member  # from the file name (read_member_file), None when it is not a member id
        if member is not None and member in seen:
            issues.append(
                error(
                    "duplicate-member-file",
                    raw.file,
                    f"{raw.file}: {member} already has a file ({seen[member]}); a member has one file, so "
                    "merge the two and delete this one. This file was not read",
                    field="member",
                )
            )
            continue
        if member is not None:
            seen[member] = raw.file
        kept.append(raw)
    return kept, issues


def _file_table(
    raws: Sequence[RawFile], checked: ActionSet, issues: list[Issue], paths: Sequence[Path]
) -> pd.DataFrame:
    # Files are named by their bare name, or by the path as given where two share a name (CLI validate).
    stamps = {p: pd.Timestamp(p.stat().st_mtime, unit="s") for p in paths if p.exists()}
    modified = {**{p.name: t for p, t in stamps.items()}, **{str(p): t for p, t in stamps.items()}}
    valid = checked.actions.groupby("source_file").size()
    errors = pd.Series([i.file for i in issues if i.severity == "error"]).value_counts()
    warnings = pd.Series([i.file for i in issues if i.severity == "warning"]).value_counts()
    frame = pd.DataFrame(
        {
            "member": [r.member for r in raws],
            "file": [r.file for r in raws],
            "rows": [len(r.rows) for r in raws],
            "illustrative": [r.illustrative for r in raws],
            "public_record": [r.public_record is not None for r in raws],
        }
    )
    frame["actions"] = frame["file"].map(valid).fillna(0).astype(int)
    frame["errors"] = frame["file"].map(errors).fillna(0).astype(int)
    frame["warnings"] = frame["file"].map(warnings).fillna(0).astype(int)
    frame["modified"] = pd.to_datetime(frame["file"].map(modified))
    return frame.astype({"member": "str", "file": "str"})


if __name__ == "__main__":  # the worker side of _read_in_pool: read the files named, pickle each result
    for name in sys.argv[1:]:
        pickle.dump(read_member_file(Path(name)), sys.stdout.buffer)
        sys.stdout.buffer.flush()
