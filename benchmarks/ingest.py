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
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from benchmarks.datasets import ROOT

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

PROGRAMS = {
    "ours": OURS,
    "ours_workbooks": OURS,
    "baseline_workbooks": BASELINE_WORKBOOKS,
    "baseline_all": BASELINE_ALL,
}


def time_process(program: str, directory: Path, timeout: float = 1800) -> tuple[float, str]:
    """Run ``python -c program directory`` from the project root; (seconds, last line printed).

    Raises:
        RuntimeError: when the child fails.
    """
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", program, str(directory)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise RuntimeError(f"ingest child failed ({child.returncode}): {child.stderr.strip()[-2000:]}")
    return elapsed, child.stdout.strip().splitlines()[-1]
