"""Streamlit caches around the pure loaders, keyed on file fingerprints.

The only module that wraps loaders in ``st.cache_*``. Keys are
``(path, size, mtime_ns)`` fingerprints, never DataFrames, so an edited file is
re-read (and only that file), and a cache hit costs no hashing of big frames.
Cached objects are shared read-only across sessions (``cache_resource``): never
mutate what these functions return.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import streamlit as st

from loaders.catalog import Catalog, load_catalog
from loaders.dataset import Dataset, load_dataset, member_files, read_files
from loaders.i18n import Language, language
from loaders.matrix import Matrix, matrix_from_content
from loaders.tables import RawFile, read_member_file
from loaders.untrusted import parse_untrusted_table, read_untrusted_bytes
from tracker import settings
from tracker.records.journal import JournalError
from tracker.records.rounds import round_summary
from tracker.records.store import Store, StoreBusyError, interrupted_work
from tracker.views.pillar_level import at_pillar_level

Fingerprint = tuple[str, int, int]
T = TypeVar("T")


def fingerprint(path: Path) -> Fingerprint:
    """Identity of a file's current content: path, size and modification time."""
    stat = path.stat()
    return (str(path), stat.st_size, stat.st_mtime_ns)


# Fingerprints whose read result was put in the _read cache. Only a hint for _prefetch: after a
# cache clear or an eviction it is stale, and _read then simply reads the file again.
_CACHED: set[Fingerprint] = set()


@st.cache_resource(show_spinner=False, max_entries=2000)
def _read(path: str, size: int, mtime_ns: int, _raw: RawFile | None = None) -> RawFile:
    """One file's read result, cached on its fingerprint.

    ``_raw`` (left out of the key, as every argument starting with ``_``) is a
    result read elsewhere, stored as is: how :func:`_prefetch` fills the cache.
    """
    del size, mtime_ns  # part of the cache key only
    return _raw if _raw is not None else read_member_file(Path(path))


def _prefetch(data_dir: Path) -> None:
    """Read the files not cached yet together, in worker processes when they are many MB.

    A changed file is the only one missing, so it alone is read (here, as one
    small file); a cold start with a large directory uses every core.
    """
    prints = [fingerprint(p) for p in member_files(data_dir)] if data_dir.is_dir() else []
    missing = [fp for fp in prints if fp not in _CACHED]
    for fp, raw in zip(missing, read_files([Path(fp[0]) for fp in missing]), strict=True):
        _read(*fp, _raw=raw)
        _CACHED.add(fp)


@st.cache_resource(show_spinner=False, max_entries=4)
def _catalog(directory: str, prints: tuple[Fingerprint, ...]) -> Catalog:
    del prints
    return load_catalog(Path(directory))


@st.cache_resource(show_spinner="Loading the records…", max_entries=4)
def _dataset(
    catalog_dir: str,
    catalog_prints: tuple[Fingerprint, ...],
    data_dir: str,
    prints: tuple[Fingerprint, ...],
    today: dt.date,
) -> Dataset:
    del prints  # part of the cache key: any changed file gives a new key
    catalog = _catalog(catalog_dir, catalog_prints)
    _prefetch(Path(data_dir))
    return load_dataset(Path(data_dir), catalog, today=today, reader=_cached_reader)


def _cached_reader(path: Path) -> RawFile:
    fp = fingerprint(path)
    raw = _read(*fp)
    _CACHED.add(fp)
    return raw


RECOVERY_PROBLEM_KEY = "cache_recovery_problem"


def recovery_problem() -> str | None:
    """Why an interrupted update could not be completed on this page load, or None."""
    problem = st.session_state.get(RECOVERY_PROBLEM_KEY)
    return str(problem) if problem else None


def get_store() -> Store:
    """The store of the configured data directory (for previews, applies and history)."""
    return Store(settings.data_dir(), get_dataset().catalog)


# A page load waits this long for an apply in progress; that apply finishes any interrupted one itself.
RECOVERY_WAIT_SECONDS = 2.0


def get_dataset() -> Dataset:
    """The validated data set for the configured directories, re-read when a file changes.

    An apply that a crash interrupted is finished first, so what is shown is whole. When that
    cannot be done now (another apply holds the lock, or the history was changed by hand), the
    records on disk are shown as they are — the old ones, whole — and :func:`recovery_problem`
    says why for the pages to tell reviewers.
    """
    catalog_dir = settings.catalog_dir()
    data_dir = settings.data_dir()
    catalog_prints = _catalog_prints(catalog_dir)
    if interrupted_work(data_dir):
        _finish_interrupted(data_dir, _last(_catalog, str(catalog_dir), catalog_prints))
        # Taken again after recovery, which may have finished a catalog import (the catalog's files changed).
        catalog_prints = _catalog_prints(catalog_dir)
    else:  # the common case, asked on every run: no store (and no lock) is made
        st.session_state.pop(RECOVERY_PROBLEM_KEY, None)
    prints = tuple(fingerprint(p) for p in member_files(data_dir)) if data_dir.is_dir() else ()
    return _last(_dataset, str(catalog_dir), catalog_prints, str(data_dir), prints, settings.today())


def _catalog_prints(catalog_dir: Path) -> tuple[Fingerprint, ...]:
    return tuple(fingerprint(p) for p in sorted(catalog_dir.glob("*.yaml")))


def _finish_interrupted(data_dir: Path, catalog: Catalog) -> None:
    """Complete what a crash interrupted, or say in the session why it cannot be done now."""
    try:
        Store(data_dir, catalog, lock_timeout=RECOVERY_WAIT_SECONDS).recover()
        st.session_state.pop(RECOVERY_PROBLEM_KEY, None)
    except StoreBusyError:
        pass  # an apply is running now and completes any earlier one; what is on disk is whole
    except JournalError as problem:
        st.session_state[RECOVERY_PROBLEM_KEY] = str(problem)


# The last catalog and data set handed out, by the arguments they were asked with. Every page run asks twice for
# the same data set: a tuple comparison answers it, where Streamlit's cache would hash the fingerprints of every
# file (a tenth of a run under load). The fingerprints are in the arguments, so a changed file misses;
# forget_last() goes with st.cache_resource.clear() where the files are re-read on purpose.
_LAST: dict[Callable[..., Any], tuple[tuple[Any, ...], Any]] = {}


def _last(cached: Callable[..., T], *args: Any) -> T:
    """``cached(*args)`` (a ``st.cache_resource`` function), answered without it when asked as last time."""
    hit = _LAST.get(cached)
    if hit is not None and hit[0] == args:
        return cast(T, hit[1])
    value = cached(*args)
    _LAST[cached] = (args, value)
    return value


def forget_last() -> None:
    """Forget the last catalog and data set handed out (the next page run asks Streamlit's cache again)."""
    _LAST.clear()


@st.cache_resource(show_spinner="Checking the file…", max_entries=32)
def _upload(name: str, digest: str, _data: bytes) -> RawFile:
    del digest  # the cache key: the same bytes under the same name are read once
    return read_untrusted_bytes(name, _data)


def get_upload(name: str, data: bytes) -> RawFile:
    """An uploaded file read in a child process (see ``loaders.untrusted``), cached per name and content.

    A rerun of the page (any widget change) finds the result here instead of
    starting another child process; a changed file has another hash.
    """
    return _upload(name, hashlib.sha256(data).hexdigest(), data)


@st.cache_resource(show_spinner="Checking the matrix…", max_entries=8)
def _matrix(name: str, digest: str, framework: str, _data: bytes) -> Matrix:
    del digest  # the cache key, with the name and the framework
    return matrix_from_content(name, framework, parse_untrusted_table(name, _data))


def get_matrix_upload(name: str, data: bytes, framework: str) -> Matrix:
    """An uploaded framework matrix, parsed in a child process (``loaders.untrusted``), cached per content."""
    return _matrix(name, hashlib.sha256(data).hexdigest(), framework, data)


# The last data set folded to pillar level, and what it was folded from: get_dataset() returns the same object
# until a file changes, so one entry is enough (a race between sessions only folds it twice).
_FOLDED: list[tuple[Dataset, Dataset]] = []


def get_view_dataset() -> Dataset:
    """The data set the pages' figures and lists are made from.

    :func:`get_dataset`, with the Bohol working items folded into their pillars when
    ``TRACKER_WORKING_ITEMS=pillar`` (:mod:`tracker.views.pillar_level`). Templates, submissions and
    snapshots use :func:`get_dataset`: the records keep the items they cite.
    """
    dataset = get_dataset()
    if settings.working_items() != "pillar":
        return dataset
    if _FOLDED and _FOLDED[0][0] is dataset:
        return _FOLDED[0][1]
    folded = at_pillar_level(dataset)
    _FOLDED[:] = [(dataset, folded)]
    return folded


@st.cache_data(show_spinner=False, max_entries=8)
def _round_summary(data_dir: str, prints: tuple[Fingerprint, ...], today: dt.date, hour: str, code: str) -> str | None:
    del prints, today, hour  # the cache key: files changed, or the day (and hour: "overdue" is judged in the
    # round's own time zone, whose day may turn at any UTC hour) moved on
    return round_summary(Path(data_dir), get_store(), lang=language(code))


def get_round_summary(lang: Language | None = None) -> str | None:
    """The reporting round's response figures (:func:`tracker.records.rounds.round_summary`) in ``lang``
    (English), cached.

    The Overview shows them on every run: keyed on the fingerprints of the round files, the submissions'
    ``meta.json`` and the history log (a stat each), so the log is read again only when something changed.
    """
    data_dir = settings.data_dir()
    rounds = sorted(data_dir.glob("_rounds/*.yaml"))
    if not rounds:
        return None
    watched = [*rounds, *sorted(data_dir.glob("_submissions/*/meta.json"))]
    watched += [p for p in (data_dir / "_history" / "log.jsonl",) if p.is_file()]
    hour = f"{dt.datetime.now(dt.UTC):%Y%m%d%H}"
    code = (lang or language()).code
    return _round_summary(str(data_dir), tuple(fingerprint(p) for p in watched), settings.today(), hour, code)
