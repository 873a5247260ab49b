"""Ingest: our loader against naive baselines, each run as a fresh ``python`` process.

Every measurement is the wall-clock time of a whole child process, so Python's
start and the imports (pandas alone is ~0.45 s here) count for both sides, as
the issue asks. The child programs are kept inline and minimal so the harness
adds nothing to what is timed.

- ``ours``: ``loaders.dataset.load_dataset`` on the whole directory: read every
  file (calamine for workbooks, the C-parsed safe YAML loader) and validate every
  row against the catalog.
- ``ours_workbooks``: the same on a directory holding only the workbooks.
- ``baseline_workbooks``: the issue's naive baseline, a plain
  ``pandas.read_excel(engine="openpyxl")`` loop over the workbooks, no validation.
- ``baseline_all``: the naive way to read *every* file: that loop plus
  ``yaml.safe_load`` (PyYAML's pure-Python loader) for the YAML files.

Issue 12's validate scenario (:data:`VALIDATE_PROGRAMS`, on the 49 member
templates of :func:`benchmarks.datasets.ensure_templates`) times
``python -m tracker validate DIR``, the command a secretariat runs, next to
``ours`` and ``baseline_workbooks`` on the same directory.

Children get the same bytecode cache whatever the caller's environment: a
``PYTHONDONTWRITEBYTECODE`` would make every run compile the project's modules
from source (~0.1 s), which no installed copy does. The cache lives under
``benchmarks/.data/pycache`` (``PYTHONPYCACHEPREFIX``), not in the source tree;
:func:`warm_up` fills it before anything is timed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.datasets import DATA_ROOT, ROOT

PYCACHE = DATA_ROOT / "pycache"

OURS = """
import sys
from loaders.dataset import load_dataset
data = load_dataset(sys.argv[1])
print(len(data.actions), len(data.errors))
"""

BASELINE_WORKBOOKS = """
import sys
from pathlib import Path
import pandas as pd
frames = [pd.read_excel(p, engine="openpyxl") for p in sorted(Path(sys.argv[1]).glob("*.xlsx"))]
print(sum(len(f) for f in frames))
"""

BASELINE_ALL = """
import sys
from pathlib import Path
import pandas as pd
import yaml
folder = Path(sys.argv[1])
frames = [pd.read_excel(p, engine="openpyxl") for p in sorted(folder.glob("*.xlsx"))]
documents = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.yaml"))]
print(sum(len(f) for f in frames) + sum(len(d.get("actions") or []) for d in documents))
"""

VALIDATE = ["-m", "tracker", "validate"]
"""``python -m tracker validate DIR``: read and check every member file, print every issue, exit 0 or 1."""

PROGRAMS = {
    "ours": OURS,
    "ours_workbooks": OURS,
    "baseline_workbooks": BASELINE_WORKBOOKS,
    "baseline_all": BASELINE_ALL,
}

VALIDATE_PROGRAMS: dict[str, str | list[str]] = {
    "validate": VALIDATE,
    "ours": OURS,
    "baseline_workbooks": BASELINE_WORKBOOKS,
}
"""Issue 12's scenario: the CLI and ``load_dataset`` against the openpyxl loop, on the same workbooks."""


def child_environment() -> dict[str, str]:
    """The caller's environment with the bytecode cache on, under ``benchmarks/.data`` (see the module doc)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env


def warm_up(programs: dict[str, str | list[str]], directory: Path) -> None:
    """Run each program once, untimed: fills the bytecode cache and the page cache for the timed runs."""
    for program in programs.values():
        time_process(program, directory)


def time_process(program: str | list[str], directory: Path, timeout: float = 1800) -> tuple[float, str]:
    """Run ``python -c program directory`` (or ``python *program directory`` for a list) from the project root.

    Returns:
        (seconds from start to exit, last line printed).

    Raises:
        RuntimeError: when the child fails (``validate`` may exit 1: the data has errors, still a full run).
    """
    arguments = program if isinstance(program, list) else ["-c", program]
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, *arguments, str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=child_environment(),
    )
    elapsed = time.perf_counter() - started
    if child.returncode not in ((0, 1) if program is VALIDATE else (0,)):
        raise RuntimeError(f"ingest child failed ({child.returncode}): {child.stderr.strip()[-2000:]}")
    lines = child.stdout.strip().splitlines()
    # validate ends with its verdict ("OK: 0 error(s), …"), perhaps followed by a note on the data's origin.
    return elapsed, next((line for line in reversed(lines) if line.startswith(("OK:", "ERRORS:"))), lines[-1])
