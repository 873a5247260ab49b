"""Shared fixtures: the bundled catalog (loaded once), the fixed test date, member-file writers.

The whole suite runs at the fixed date ``TODAY``: :func:`pytest_configure` sets
``TRACKER_TODAY`` before any test, so the CLI (in-process or as a subprocess),
AppTest pages and the browser tests' server all judge dates at it, whatever day
the suite runs. ``make test-future`` proves it by running the suite with the
system clock a year ahead.

The writers themselves live in ``tests/make_fixtures.py`` (which also builds the
committed fixture files); here they are wrapped to write into ``tmp_path``.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import streamlit as st

from loaders.catalog import Catalog, load_catalog
from loaders.dataset import Dataset, build_dataset, expand_paths
from loaders.tables import read_member_file
from tests.make_fixtures import TODAY, write_csv, write_xlsx, write_yaml
from tracker import settings


def pytest_configure(config: pytest.Config) -> None:
    """Fix the date every rule is judged at, for this process and every child it starts."""
    os.environ[settings.TODAY_ENV] = TODAY.isoformat()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled catalog, loaded once per session (it must load cleanly)."""
    loaded = load_catalog()
    assert loaded.issues == [], [i.message for i in loaded.issues]
    return loaded


@pytest.fixture(scope="session")
def today() -> dt.date:
    """The fixed reference date of the suite, so "not in the future" never drifts."""
    return TODAY


def check_files(catalog: Catalog, paths: Iterable[Path]) -> Dataset:
    """Read and validate files (or directories of them) together, as ``validate PATH…`` does, at TODAY."""
    files = expand_paths(list(paths))
    return build_dataset(catalog, [read_member_file(p) for p in files], today=TODAY, paths=files)


@pytest.fixture
def check(catalog: Catalog) -> Callable[..., Dataset]:
    """``check(path, …)``: validate member files together against the session catalog at TODAY."""
    return lambda *paths: check_files(catalog, paths)


@pytest.fixture
def member_file(tmp_path: Path) -> Callable[..., Path]:
    """``member_file("IDN.xlsx", rows, **options)``: write a small member file into ``tmp_path``.

    The writer follows the suffix: .xlsx (openpyxl), .csv, or .yaml/.yml (rows are
    the actions). ``rows`` and the options are those of ``tests.make_fixtures``'
    :func:`write_xlsx`, :func:`write_csv` and :func:`write_yaml`.
    """
    writers: dict[str, Callable[..., Path]] = {".xlsx": write_xlsx, ".csv": write_csv, ".yaml": write_yaml}
    writers[".yml"] = write_yaml

    def write(name: str, rows: Iterable[Any], **options: Any) -> Path:
        path = tmp_path / name
        return writers[path.suffix.lower()](path, rows, **options)

    return write


@pytest.fixture
def sample_copy_dir(tmp_path: Path) -> Path:
    """A data directory holding copies of two sample members' files (THA.yaml, IDN.xlsx), safe to write in."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("THA.yaml", "IDN.xlsx"):
        (folder / name).write_bytes((settings.SAMPLE_DATA_DIR / name).read_bytes())
    return folder


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    """Streamlit's caches emptied before and after: each AppTest run reads the files on disk afresh.

    AppTest runs share the process's caches, so a data set cached by one test would otherwise answer the next.
    """
    clear_every_cache()
    yield
    clear_every_cache()


def clear_every_cache() -> None:
    """Streamlit's caches and the app's own ones (the views shared across sessions)."""
    from ui import cache, state  # the app's layer: imported only by the tests that run pages

    st.cache_data.clear()
    st.cache_resource.clear()
    cache.forget_last()
    state.forget_shared_views()
